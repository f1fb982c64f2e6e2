"""Teachers' playlists: who may build them, the writes, and the reads of the playlist pages.

A teacher (any confirmed member of a school's team: a head who teaches a class is one too) builds lists of
published videos and gives them to the classes she teaches, with an optional date to watch them by. The current
pupils of such a class see the lists and what they have watched of them (`media.watching`: watched = 80 %
played); whoever manages the class (`backend.schools.permissions.can_manage_class`: its teachers, the school's
heads, platform staff) sees who watched what. A list is its owner's alone to change.

Writes are keyword-only and atomic; refusals are `PlaylistError`s whose messages are sentences for the person,
already translated, and nothing is written when one is raised. Authorisation of the person is the caller's job
(`can_manage_playlists`, `can_edit`, `can_view_progress`), except the rule that a list goes only to a class its
giver teaches, which `assign` checks itself.
"""

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backend.accounts.enums import MembershipStatus
from backend.schools import permissions as school_permissions
from backend.schools import selectors as school_selectors
from backend.schools.models import Enrolment, SchoolClass, SchoolStaff
from media import watching
from media.enums import VideoState
from media.models import Playlist, PlaylistAssignment, PlaylistItem, Video
from media.selectors import published_videos, thumbnail_sources_for
from media.services import VideoError

TITLE_MAX_LENGTH = 120  # the model's field
DESCRIPTION_MAX_LENGTH = 2000
MAX_VIDEOS = 30
SEARCH_RESULTS = 20
UP, DOWN = "up", "down"


class PlaylistError(VideoError):
    """A rule refused the operation on a playlist; `messages` are translated sentences."""


# --- Who may do what ---------------------------------------------------------------------------------------------


def _signed_in(user) -> bool:
    return getattr(user, "is_authenticated", False)


def can_manage_playlists(user) -> bool:
    """Confirmed members of a school's team (teachers, and heads: a head who creates a class teaches it)."""
    if not _signed_in(user) or user.is_pupil:
        return False
    return SchoolStaff.objects.filter(user=user, status=MembershipStatus.CONFIRMED).exists()


def can_edit(user, playlist: Playlist) -> bool:
    """A list is its owner's alone."""
    return _signed_in(user) and playlist.owner_id == user.pk


def can_view_progress(user, school_class: SchoolClass) -> bool:
    """Who watched what in a class: whoever manages the class (its confirmed teachers, the school's heads,
    platform staff) — the owner of the list too, as long as she teaches the class."""
    return _signed_in(user) and not user.is_pupil and school_permissions.can_manage_class(user, school_class)


def can_see_assigned(user) -> bool:
    return _signed_in(user) and user.is_pupil


def assignable_classes(user) -> QuerySet[SchoolClass]:
    """The classes a person may give a list to: those she teaches, in a school whose team she belongs to
    (confirmed), not archived."""
    return school_selectors.taught_classes(user).select_related("school").order_by("-school_year", "name", "pk")


# --- Writes ------------------------------------------------------------------------------------------------------


def _clean_text(*, title: str, description: str) -> tuple[str, str]:
    title = (title or "").strip()
    description = (description or "").strip()
    errors = []
    if not title:
        errors.append(_("Donnez un titre à la liste."))
    elif len(title) > TITLE_MAX_LENGTH:
        errors.append(
            _("Le titre est trop long : %(max)s caractères au plus (il en a %(length)s).")
            % {"max": TITLE_MAX_LENGTH, "length": len(title)}
        )
    if len(description) > DESCRIPTION_MAX_LENGTH:
        errors.append(
            _("La consigne est trop longue : %(max)s caractères au plus (elle en a %(length)s).")
            % {"max": DESCRIPTION_MAX_LENGTH, "length": len(description)}
        )
    if errors:
        raise PlaylistError(errors)
    return title, description


@transaction.atomic
def playlist_create(*, owner, title: str, description: str = "") -> Playlist:
    """A new, empty list of `owner`."""
    title, description = _clean_text(title=title, description=description)
    return Playlist.objects.create(owner=owner, title=title, description=description)


@transaction.atomic
def playlist_update(*, playlist: Playlist, title: str, description: str = "") -> Playlist:
    """Its title and the instructions the pupils read."""
    title, description = _clean_text(title=title, description=description)
    playlist.title, playlist.description = title, description
    playlist.save(update_fields=["title", "description", "updated_at"])
    return playlist


@transaction.atomic
def playlist_delete(*, playlist: Playlist) -> None:
    """The list, its items and its assignments (the pupils' progress on the videos stays: it is theirs)."""
    playlist.delete()


def _locked(playlist: Playlist) -> Playlist:
    """The playlist row locked for the transaction: writes on its items are serialised, positions stay 0..n-1."""
    return Playlist.objects.select_for_update().get(pk=playlist.pk)


def _touch(playlist: Playlist) -> None:
    playlist.save(update_fields=["updated_at"])


def _renumber(playlist: Playlist) -> None:
    items = list(PlaylistItem.objects.filter(playlist=playlist).order_by("position", "pk"))
    changed = []
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            changed.append(item)
    if changed:
        PlaylistItem.objects.bulk_update(changed, ["position"])


@transaction.atomic
def item_add(*, playlist: Playlist, video: Video) -> PlaylistItem:
    """Adds a published video at the end of the list."""
    playlist = _locked(playlist)
    if not Video.objects.filter(pk=video.pk, state=VideoState.PUBLISHED).exists():
        raise PlaylistError(_("Seules les vidéos publiées peuvent être ajoutées à une liste."))
    items = PlaylistItem.objects.filter(playlist=playlist)
    if items.filter(video=video).exists():
        raise PlaylistError(_("« %(title)s » est déjà dans la liste.") % {"title": video.title}, code="duplicate")
    count = items.count()
    if count >= MAX_VIDEOS:
        raise PlaylistError(
            _("Une liste compte %(max)s vidéos au plus : retirez-en une avant d'en ajouter une autre.")
            % {"max": MAX_VIDEOS}
        )
    try:
        with transaction.atomic():
            item = PlaylistItem.objects.create(playlist=playlist, video=video, position=count)
    except IntegrityError:  # the same video added at the same moment from another tab
        raise PlaylistError(
            _("« %(title)s » est déjà dans la liste.") % {"title": video.title}, code="duplicate"
        ) from None
    _touch(playlist)
    return item


@transaction.atomic
def item_remove(*, playlist: Playlist, video: Video) -> None:
    playlist = _locked(playlist)
    deleted, _detail = PlaylistItem.objects.filter(playlist=playlist, video=video).delete()
    if not deleted:
        raise PlaylistError(_("Cette vidéo n'est pas dans la liste."))
    _renumber(playlist)
    _touch(playlist)


@transaction.atomic
def item_move(*, playlist: Playlist, video: Video, direction: str) -> None:
    """Moves a video one place up (towards the start) or down; the others keep their order."""
    if direction not in (UP, DOWN):
        raise PlaylistError(_("Choisissez de monter ou de descendre la vidéo."))
    playlist = _locked(playlist)
    items = list(PlaylistItem.objects.filter(playlist=playlist).order_by("position", "pk"))
    index = next((i for i, item in enumerate(items) if item.video_id == video.pk), None)
    if index is None:
        raise PlaylistError(_("Cette vidéo n'est pas dans la liste."))
    other = index - 1 if direction == UP else index + 1
    if other < 0:
        raise PlaylistError(_("Cette vidéo est déjà la première de la liste."))
    if other >= len(items):
        raise PlaylistError(_("Cette vidéo est déjà la dernière de la liste."))
    items[index], items[other] = items[other], items[index]
    for position, item in enumerate(items):
        item.position = position
    PlaylistItem.objects.bulk_update(items, ["position"])
    _touch(playlist)


@transaction.atomic
def assign(
    *, playlist: Playlist, school_class: SchoolClass, by, due_date: datetime.date | None = None
) -> PlaylistAssignment:
    """Gives the list to a class `by` teaches (not archived), to watch by `due_date` (today or later, in the
    giver's time zone; optional)."""
    playlist = _locked(playlist)
    if school_class.archived_at is not None:
        raise PlaylistError(_("Cette classe est archivée : on ne peut plus lui donner de liste."))
    if not assignable_classes(by).filter(pk=school_class.pk).exists():
        raise PlaylistError(_("Vous ne pouvez donner une liste qu'à une classe dont vous êtes l'enseignant."))
    if due_date is not None and due_date < timezone.localdate():
        raise PlaylistError(_("La date « à voir avant le » ne peut pas être dans le passé."))
    if not PlaylistItem.objects.filter(playlist=playlist).exists():
        raise PlaylistError(_("La liste est vide : ajoutez au moins une vidéo avant de la donner à une classe."))
    if PlaylistAssignment.objects.filter(playlist=playlist, school_class=school_class).exists():
        raise PlaylistError(
            _("Cette liste est déjà donnée à la classe %(name)s.") % {"name": school_class.name}, code="duplicate"
        )
    return PlaylistAssignment.objects.create(
        playlist=playlist, school_class=school_class, assigned_by=by, due_date=due_date
    )


@transaction.atomic
def unassign(*, playlist: Playlist, school_class: SchoolClass) -> None:
    """The class no longer sees the list (what its pupils watched stays theirs)."""
    deleted, _detail = PlaylistAssignment.objects.filter(playlist=playlist, school_class=school_class).delete()
    if not deleted:
        raise PlaylistError(_("Cette liste n'est pas donnée à cette classe."))


# --- Reads -------------------------------------------------------------------------------------------------------


def owned_playlists(user) -> QuerySet[Playlist]:
    """The person's lists, last changed first, with their number of videos and their classes (3 queries)."""
    assignments = PlaylistAssignment.objects.select_related("school_class").order_by("school_class__name", "pk")
    return (
        Playlist.objects.filter(owner=user)
        .annotate(video_count=Count("items", distinct=True))
        .prefetch_related(Prefetch("assignments", queryset=assignments))
        .order_by("-updated_at", "-pk")
    )


def playlist_items(playlist: Playlist) -> list[PlaylistItem]:
    """Its items in order, with their videos and makers (one query)."""
    return list(
        PlaylistItem.objects.filter(playlist=playlist)
        .select_related("video__host_organisation", "video__association")
        .order_by("position", "pk")
    )


def playlist_assignments(playlist: Playlist) -> list[PlaylistAssignment]:
    return list(
        PlaylistAssignment.objects.filter(playlist=playlist)
        .select_related("school_class__school")
        .order_by("school_class__name", "pk")
    )


def video_search(*, query: str = "", sector: str = "") -> tuple[list[Video], int]:
    """Published videos for the "add videos" search: the first `SEARCH_RESULTS`, and how many there are."""
    videos = published_videos(query=query, sector=sector)
    return list(videos[:SEARCH_RESULTS]), videos.count()


def class_playlists(school_class: SchoolClass) -> list[PlaylistAssignment]:
    """The lists given to a class, newest first, with their owners (one query)."""
    return list(
        PlaylistAssignment.objects.filter(school_class=school_class)
        .select_related("playlist__owner")
        .order_by("-assigned_at", "-pk")
    )


@dataclass
class AssignedVideo:
    video: Video
    watched: bool
    # Thumbnails' `srcset`s per format ({"webp": ..., "jpeg": ...}), as `selectors.thumbnail_sources_for` gives.
    sources: dict


@dataclass
class AssignedPlaylist:
    assignment: PlaylistAssignment
    videos: list[AssignedVideo] = field(default_factory=list)

    @property
    def playlist(self) -> Playlist:
        return self.assignment.playlist

    @property
    def watched_count(self) -> int:
        return sum(entry.watched for entry in self.videos)

    @property
    def done(self) -> bool:
        return bool(self.videos) and self.watched_count == len(self.videos)


def pupil_assigned(pupil, *, school_class: SchoolClass | None) -> list[AssignedPlaylist]:
    """The lists given to the pupil's current class (`backend.schools.selectors.pupil_current_class`), newest
    first, each with its published videos in order and whether she watched each one. No class, no list. A fixed
    number of queries."""
    if school_class is None:
        return []
    items = PlaylistItem.objects.filter(video__state=VideoState.PUBLISHED).select_related(
        "video__host_organisation", "video__association"
    )
    assignments = list(
        PlaylistAssignment.objects.filter(school_class=school_class)
        # The owner's profile too: `display_name` asks whether she is a pupil.
        .select_related("playlist__owner__pupil_profile")
        .prefetch_related(Prefetch("playlist__items", queryset=items))
        .order_by("-assigned_at", "-pk")
    )
    videos = {item.video_id: item.video for assignment in assignments for item in assignment.playlist.items.all()}
    watched = watching.watched_ids(pupil, videos)
    sources = thumbnail_sources_for(videos.values())
    return [
        AssignedPlaylist(
            assignment=assignment,
            videos=[
                AssignedVideo(
                    video=item.video,
                    watched=item.video_id in watched,
                    sources=sources.get(item.video_id, {}),
                )
                for item in assignment.playlist.items.all()
            ],
        )
        for assignment in assignments
    ]


# Statuses of a pupil on a video, in the progress table.
WATCHED, STARTED, NOT_STARTED = "watched", "started", "not_started"


@dataclass
class ProgressCell:
    status: str
    percent: int | None = None

    @property
    def label(self) -> str:
        if self.status == WATCHED:
            return _("Vue")
        if self.status == STARTED:
            if self.percent is None:
                return _("Commencée")
            return _("Commencée (%(percent)s %%)") % {"percent": self.percent}
        return _("Pas commencée")


@dataclass
class ProgressColumn:
    video: Video
    watched: int
    pupils: int

    @property
    def total_label(self) -> str:
        return ngettext("%(watched)s élève sur %(pupils)s", "%(watched)s élèves sur %(pupils)s", self.watched) % {
            "watched": self.watched,
            "pupils": self.pupils,
        }


@dataclass
class ProgressRow:
    pupil: object
    cells: list[ProgressCell]


@dataclass
class ClassProgress:
    columns: list[ProgressColumn]
    rows: list[ProgressRow]


def _cell(progress, duration: float | None) -> ProgressCell:
    if progress is None:
        return ProgressCell(NOT_STARTED)
    if progress.watched_at is not None:
        return ProgressCell(WATCHED)
    if not duration or duration <= 0:
        return ProgressCell(STARTED)
    # Rounded down: a pupil at 79.6 % has not reached the 80 % that makes a video "watched".
    return ProgressCell(STARTED, min(int(progress.played_seconds * 100 // duration), 99))


def class_progress(playlist: Playlist, school_class: SchoolClass) -> ClassProgress:
    """Who of the class's current pupils watched which published video of the list: rows of pupils (by last
    name), columns of videos (in the list's order) with how many watched each. Three queries, whatever the
    numbers of pupils and videos."""
    enrolments = (
        Enrolment.objects.filter(school_class=school_class, left_at__isnull=True)
        .select_related("pupil__pupil_profile")
        .order_by("pupil__last_name", "pupil__first_name", "pupil__pk")
    )
    pupils = [enrolment.pupil for enrolment in enrolments]
    videos = [
        item.video
        for item in PlaylistItem.objects.filter(playlist=playlist, video__state=VideoState.PUBLISHED)
        .select_related("video")
        .order_by("position", "pk")
    ]
    progress = watching.progress_by_pupil([pupil.pk for pupil in pupils], [video.pk for video in videos])
    rows = [
        ProgressRow(pupil, [_cell(progress.get((pupil.pk, video.pk)), video.duration) for video in videos])
        for pupil in pupils
    ]
    columns = [
        ProgressColumn(
            video=video,
            watched=sum(row.cells[index].status == WATCHED for row in rows),
            pupils=len(pupils),
        )
        for index, video in enumerate(videos)
    ]
    return ClassProgress(columns=columns, rows=rows)


def hidden_item_count(items: list[PlaylistItem]) -> int:
    """Items whose video is no longer published (withdrawn): pupils do not see them."""
    return sum(item.video.state != VideoState.PUBLISHED for item in items)
