"""Watching: what the player reports (time played, furthest position), and the counts drawn from it.

A person's progress on a video is one `WatchProgress` row, created at her first report of some time actually
played: that row is her "view" of the video, counted once however often she comes back. The video is
"watched" once `media.rules.is_watched` holds (80 % played); `watched_at` then keeps the moment and is never
unset. Only published videos are counted: makers and moderators previewing a draft leave no trace.

Nothing else is tracked: no history of reports, no timestamps of pauses. Views per video for everyone, and per
class for its teachers (how many of its current pupils watched a video).
"""

import math

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.schools.models import Enrolment, SchoolClass
from media import rules
from media.enums import VideoState
from media.models import Video, WatchProgress
from media.services import VideoError

# Players may report a little past the length found in the file (rounding, the last frame): up to this many
# seconds beyond it, the value is capped; further, the report is refused as impossible.
OVERSHOOT_SECONDS = 10.0
# A video whose length is unknown: no report above this is believable (a day).
MAX_REPORTED_SECONDS = 24 * 3600.0


# -- Reads used by other pages (playlists): keep these signatures. --


def watched_ids(user, video_ids) -> set[int]:
    """Among `video_ids`, those the person has watched (80 % played)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        WatchProgress.objects.filter(user=user, video_id__in=list(video_ids), watched_at__isnull=False).values_list(
            "video_id", flat=True
        )
    )


def progress_by_pupil(pupil_ids, video_ids) -> dict[tuple[int, int], WatchProgress]:
    """The progress rows of these people on these videos, keyed by (person id, video id); one query."""
    rows = WatchProgress.objects.filter(user_id__in=list(pupil_ids), video_id__in=list(video_ids))
    return {(row.user_id, row.video_id): row for row in rows}


# -- Rules. --


def is_counted(video: Video) -> bool:
    """Reports count only on a published video (a draft previewed by its makers leaves nothing)."""
    return video.state == VideoState.PUBLISHED


def _seconds(value, *, name: str) -> float:
    if isinstance(value, bool) or value is None or value == "":
        raise VideoError(_("La valeur « %(name)s » manque ou n'est pas un nombre.") % {"name": name}, code="invalid")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise VideoError(
            _("La valeur « %(name)s » manque ou n'est pas un nombre.") % {"name": name}, code="invalid"
        ) from None
    if not math.isfinite(number) or number < 0:
        raise VideoError(
            _("La valeur « %(name)s » doit être un nombre de secondes positif.") % {"name": name}, code="invalid"
        )
    return number


def clean_report(*, played_seconds, position, duration: float | None) -> tuple[float, float]:
    """The reported values as seconds within the video: numbers ≥ 0, capped at its duration. Raises
    `VideoError` for a missing, negative, infinite or impossible value (beyond the duration by more than
    `OVERSHOOT_SECONDS`). `position` may be missing (0)."""
    played = _seconds(played_seconds, name="played_seconds")
    reached = 0.0 if position in (None, "") else _seconds(position, name="position")
    limit = duration + OVERSHOOT_SECONDS if duration and duration > 0 else MAX_REPORTED_SECONDS
    if played > limit or reached > limit:
        raise VideoError(_("Ces valeurs dépassent la durée de la vidéo."), code="invalid")
    if duration and duration > 0:
        played, reached = min(played, duration), min(reached, duration)
    return played, reached


# -- Writes. --


@transaction.atomic
def progress_record(*, user, video: Video, played_seconds, position=None) -> WatchProgress | None:
    """Record what the person's player reports. Values only grow (the larger of stored and reported), capped at
    the video's duration; `watched_at` is set the first time the 80 % rule holds. Returns the row, or None when
    nothing was written (a video that is not published, or nothing played yet by someone without a row).
    Raises `VideoError` for values that are not believable; nothing is written then."""
    played, reached = clean_report(played_seconds=played_seconds, position=position, duration=video.duration)
    if not is_counted(video):
        return None
    if played <= 0 and not WatchProgress.objects.filter(user=user, video=video).exists():
        return None
    # One row per person and video (unique constraint): get_or_create retries the read when a concurrent
    # report created it first; the lock serialises the updates of the same row.
    progress, _created = WatchProgress.objects.select_for_update().get_or_create(user=user, video=video)
    progress.played_seconds = max(progress.played_seconds, played)
    progress.position = max(progress.position, reached)
    if progress.watched_at is None and rules.is_watched(
        played_seconds=progress.played_seconds, duration=video.duration
    ):
        progress.watched_at = timezone.now()
    progress.save(update_fields=["played_seconds", "position", "watched_at", "updated_at"])
    return progress


# -- Counts. --


def view_count(video: Video) -> int:
    """How many people have played some of the video."""
    return WatchProgress.objects.filter(video=video).count()


def view_counts(videos) -> dict[int, int]:
    """Views per video id for many videos, in one query (videos without views are absent: read with .get)."""
    ids = [video.pk if isinstance(video, Video) else video for video in videos]
    rows = WatchProgress.objects.filter(video_id__in=ids).values("video_id").annotate(views=Count("pk"))
    return {row["video_id"]: row["views"] for row in rows}


def class_view_counts(video: Video, classes) -> list[dict]:
    """For each class: its current pupils, how many of them started the video and how many watched it (80 %).
    One query whatever the number of classes. Each item: {"school_class", "pupils", "started", "watched"}."""
    current = Enrolment.objects.filter(school_class=OuterRef("pk"), left_at__isnull=True)

    def _count(queryset):
        counted = queryset.values("school_class").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))

    started = current.filter(pupil__video_progress__video=video)
    # One filter() call: both conditions on the same progress row (a second call would join another one).
    watched = current.filter(pupil__video_progress__video=video, pupil__video_progress__watched_at__isnull=False)
    annotated = (
        SchoolClass.objects.filter(pk__in=[school_class.pk for school_class in classes])
        .annotate(
            pupils_now=Count("enrolments", filter=Q(enrolments__left_at__isnull=True), distinct=True),
            started_now=_count(started),
            watched_now=_count(watched),
        )
        .select_related("school")
        .order_by("name", "pk")
    )
    return [
        {
            "school_class": school_class,
            "pupils": school_class.pupils_now,
            "started": school_class.started_now,
            "watched": school_class.watched_now,
        }
        for school_class in annotated
    ]
