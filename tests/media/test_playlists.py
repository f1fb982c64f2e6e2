"""Teachers' playlists: who may build them, the writes (refusals write nothing), and the reads behind the pages
(who watched what in a class, what a pupil was given)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from media import playlists
from media.enums import VideoState
from media.models import Playlist, PlaylistAssignment, PlaylistItem, WatchProgress
from tests import factories
from tests.media.factories import (
    PlaylistAssignmentFactory,
    PlaylistFactory,
    VideoFactory,
    WatchProgressFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return factories.SchoolFactory()


@pytest.fixture
def teacher(school):
    return factories.SchoolStaffFactory(school=school).user


@pytest.fixture
def school_class(school, teacher):
    return factories.SchoolClassFactory(school=school, teachers=[teacher])


def published(**kwargs):
    return VideoFactory(published=True, **kwargs)


def positions(playlist):
    return list(
        PlaylistItem.objects.filter(playlist=playlist).order_by("position").values_list("video_id", "position")
    )


def pupil_in(school_class, **kwargs):
    return factories.EnrolmentFactory(school_class=school_class, **kwargs).pupil


# --- Who may do what ---------------------------------------------------------------------------------------------


def test_confirmed_school_staff_manage_playlists_and_nobody_else(school, teacher):
    head = factories.SchoolStaffFactory(school=school, head=True).user
    pending = factories.SchoolStaffFactory(school=school, pending=True).user
    pupil = factories.UserFactory(pupil=True)
    assert playlists.can_manage_playlists(teacher)
    assert playlists.can_manage_playlists(head)
    assert not playlists.can_manage_playlists(pending)
    assert not playlists.can_manage_playlists(pupil)
    assert not playlists.can_manage_playlists(factories.UserFactory())
    assert not playlists.can_manage_playlists(factories.UserFactory(staff=True))


def test_a_list_is_its_owners_alone(teacher, school):
    playlist = PlaylistFactory(owner=teacher)
    colleague = factories.SchoolStaffFactory(school=school).user
    assert playlists.can_edit(teacher, playlist)
    assert not playlists.can_edit(colleague, playlist)


def test_assignable_classes_are_the_current_classes_she_teaches_in_her_confirmed_schools(school, teacher):
    mine = factories.SchoolClassFactory(school=school, teachers=[teacher])
    factories.SchoolClassFactory(school=school, teachers=[teacher], archived_at=timezone.now())
    factories.SchoolClassFactory(school=school)  # a colleague's
    elsewhere = factories.SchoolFactory()
    factories.SchoolStaffFactory(school=elsewhere, user=teacher, pending=True)
    factories.SchoolClassFactory(school=elsewhere, teachers=[teacher])  # not yet confirmed in that school
    assert list(playlists.assignable_classes(teacher)) == [mine]


def test_progress_is_for_whoever_manages_the_class(school, teacher, school_class):
    colleague = factories.SchoolStaffFactory(school=school).user
    school_class.teachers.add(colleague)
    head = factories.SchoolStaffFactory(school=school, head=True).user
    other_teacher = factories.SchoolStaffFactory(school=school).user
    pupil = pupil_in(school_class)
    assert playlists.can_view_progress(teacher, school_class)
    assert playlists.can_view_progress(colleague, school_class)
    assert playlists.can_view_progress(head, school_class)
    assert playlists.can_view_progress(factories.UserFactory(staff=True), school_class)
    assert not playlists.can_view_progress(other_teacher, school_class)
    assert not playlists.can_view_progress(pupil, school_class)
    # The owner of a list who no longer teaches the class no longer sees its pupils.
    school_class.teachers.remove(teacher)
    assert not playlists.can_view_progress(teacher, school_class)


# --- Creating and editing --------------------------------------------------------------------------------------


def test_create_strips_and_update_changes_title_and_instructions(teacher):
    playlist = playlists.playlist_create(
        owner=teacher, title="  Métiers du soin ", description=" Notez une question. "
    )
    assert (playlist.title, playlist.description, playlist.owner) == (
        "Métiers du soin",
        "Notez une question.",
        teacher,
    )
    playlists.playlist_update(playlist=playlist, title="Le soin", description="")
    playlist.refresh_from_db()
    assert (playlist.title, playlist.description) == ("Le soin", "")


@pytest.mark.parametrize(
    ("title", "description", "message"),
    [
        ("   ", "", "Donnez un titre à la liste."),
        ("x" * 121, "", "Le titre est trop long"),
        ("Soin", "x" * 2001, "La consigne est trop longue"),
    ],
)
def test_bad_titles_and_instructions_are_refused_and_nothing_is_written(teacher, title, description, message):
    with pytest.raises(playlists.PlaylistError) as refused:
        playlists.playlist_create(owner=teacher, title=title, description=description)
    assert message in str(refused.value)
    assert not Playlist.objects.exists()
    playlist = PlaylistFactory(owner=teacher, title="Avant")
    with pytest.raises(playlists.PlaylistError):
        playlists.playlist_update(playlist=playlist, title=title, description=description)
    playlist.refresh_from_db()
    assert playlist.title == "Avant"


def test_deleting_a_list_takes_its_items_and_assignments_but_not_what_pupils_watched(teacher, school_class):
    video = published()
    playlist = PlaylistFactory(owner=teacher, videos=[video])
    PlaylistAssignmentFactory(playlist=playlist, school_class=school_class)
    pupil = pupil_in(school_class)
    WatchProgressFactory(video=video, user=pupil, watched=True)
    playlists.playlist_delete(playlist=playlist)
    assert not Playlist.objects.exists()
    assert not PlaylistItem.objects.exists()
    assert not PlaylistAssignment.objects.exists()
    assert WatchProgress.objects.filter(user=pupil, video=video).exists()


# --- Items -------------------------------------------------------------------------------------------------------


def test_videos_are_added_at_the_end(teacher):
    playlist = PlaylistFactory(owner=teacher)
    first, second, third = published(), published(), published()
    for video in (first, second, third):
        playlists.item_add(playlist=playlist, video=video)
    assert positions(playlist) == [(first.pk, 0), (second.pk, 1), (third.pk, 2)]


@pytest.mark.parametrize("state", [VideoState.DRAFT, VideoState.IN_REVIEW, VideoState.WITHDRAWN])
def test_only_published_videos_may_be_added(teacher, state):
    playlist = PlaylistFactory(owner=teacher)
    video = VideoFactory(state=state)
    with pytest.raises(playlists.PlaylistError, match="Seules les vidéos publiées"):
        playlists.item_add(playlist=playlist, video=video)
    assert not PlaylistItem.objects.exists()


def test_a_video_already_in_the_list_is_refused_cleanly(teacher):
    video = published(title="Une journée de plombière")
    playlist = PlaylistFactory(owner=teacher, videos=[video])
    with pytest.raises(playlists.PlaylistError) as refused:
        playlists.item_add(playlist=playlist, video=video)
    assert refused.value.code == "duplicate"
    assert "« Une journée de plombière » est déjà dans la liste." in refused.value.messages
    assert positions(playlist) == [(video.pk, 0)]


def test_a_list_holds_a_limited_number_of_videos(teacher, monkeypatch):
    monkeypatch.setattr(playlists, "MAX_VIDEOS", 2)
    playlist = PlaylistFactory(owner=teacher, videos=[published(), published()])
    with pytest.raises(playlists.PlaylistError, match="2 vidéos au plus"):
        playlists.item_add(playlist=playlist, video=published())
    assert PlaylistItem.objects.filter(playlist=playlist).count() == 2


def test_removing_a_video_closes_the_gap(teacher):
    first, second, third = published(), published(), published()
    playlist = PlaylistFactory(owner=teacher, videos=[first, second, third])
    playlists.item_remove(playlist=playlist, video=second)
    assert positions(playlist) == [(first.pk, 0), (third.pk, 1)]
    with pytest.raises(playlists.PlaylistError, match="n'est pas dans la liste"):
        playlists.item_remove(playlist=playlist, video=second)


def test_moving_up_and_down_keeps_positions_from_zero(teacher):
    first, second, third = published(), published(), published()
    playlist = PlaylistFactory(owner=teacher, videos=[first, second, third])
    playlists.item_move(playlist=playlist, video=third, direction="up")
    assert positions(playlist) == [(first.pk, 0), (third.pk, 1), (second.pk, 2)]
    playlists.item_move(playlist=playlist, video=first, direction="down")
    assert positions(playlist) == [(third.pk, 0), (first.pk, 1), (second.pk, 2)]


def test_moving_repairs_positions_left_with_gaps(teacher):
    first, second = published(), published()
    playlist = PlaylistFactory(owner=teacher)
    PlaylistItem.objects.create(playlist=playlist, video=first, position=3)
    PlaylistItem.objects.create(playlist=playlist, video=second, position=7)
    playlists.item_move(playlist=playlist, video=second, direction="up")
    assert positions(playlist) == [(second.pk, 0), (first.pk, 1)]


@pytest.mark.parametrize(
    ("which", "direction", "message"),
    [
        (0, "up", "déjà la première"),
        (1, "down", "déjà la dernière"),
        (0, "sideways", "monter ou de descendre"),
    ],
)
def test_impossible_moves_are_refused_and_change_nothing(teacher, which, direction, message):
    videos = [published(), published()]
    playlist = PlaylistFactory(owner=teacher, videos=videos)
    before = positions(playlist)
    with pytest.raises(playlists.PlaylistError, match=message):
        playlists.item_move(playlist=playlist, video=videos[which], direction=direction)
    assert positions(playlist) == before


def test_moving_a_video_that_is_not_in_the_list_is_refused(teacher):
    playlist = PlaylistFactory(owner=teacher, videos=[published()])
    with pytest.raises(playlists.PlaylistError, match="n'est pas dans la liste"):
        playlists.item_move(playlist=playlist, video=published(), direction="up")


# --- Giving a list to a class -----------------------------------------------------------------------------------


def test_a_teacher_gives_her_list_to_her_class_with_a_date(teacher, school_class):
    playlist = PlaylistFactory(owner=teacher, videos=[published()])
    due = timezone.localdate() + datetime.timedelta(days=7)
    assignment = playlists.assign(playlist=playlist, school_class=school_class, by=teacher, due_date=due)
    assert (assignment.school_class, assignment.assigned_by, assignment.due_date) == (school_class, teacher, due)
    today = playlists.assign(
        playlist=PlaylistFactory(owner=teacher, videos=[published()]),
        school_class=school_class,
        by=teacher,
        due_date=timezone.localdate(),
    )
    assert today.due_date == timezone.localdate()


def test_a_list_goes_only_to_a_class_she_teaches(school, teacher, school_class):
    playlist = PlaylistFactory(owner=teacher, videos=[published()])
    colleagues_class = factories.SchoolClassFactory(school=school)
    with pytest.raises(playlists.PlaylistError, match="dont vous êtes l'enseignant"):
        playlists.assign(playlist=playlist, school_class=colleagues_class, by=teacher)
    school_class.archived_at = timezone.now()
    school_class.save()
    with pytest.raises(playlists.PlaylistError, match="archivée"):
        playlists.assign(playlist=playlist, school_class=school_class, by=teacher)
    assert not PlaylistAssignment.objects.exists()


def test_a_teacher_whose_membership_is_pending_gives_no_list():
    membership = factories.SchoolStaffFactory(pending=True)
    school_class = factories.SchoolClassFactory(school=membership.school, teachers=[membership.user])
    playlist = PlaylistFactory(owner=membership.user, videos=[published()])
    with pytest.raises(playlists.PlaylistError):
        playlists.assign(playlist=playlist, school_class=school_class, by=membership.user)
    assert not PlaylistAssignment.objects.exists()


def test_a_date_in_the_past_an_empty_list_and_a_second_time_are_refused(teacher, school_class):
    playlist = PlaylistFactory(owner=teacher)
    with pytest.raises(playlists.PlaylistError, match="La liste est vide"):
        playlists.assign(playlist=playlist, school_class=school_class, by=teacher)
    PlaylistItem.objects.create(playlist=playlist, video=published(), position=0)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(playlists.PlaylistError, match="ne peut pas être dans le passé"):
        playlists.assign(playlist=playlist, school_class=school_class, by=teacher, due_date=yesterday)
    assert not PlaylistAssignment.objects.exists()
    playlists.assign(playlist=playlist, school_class=school_class, by=teacher)
    with pytest.raises(playlists.PlaylistError) as refused:
        playlists.assign(playlist=playlist, school_class=school_class, by=teacher)
    assert refused.value.code == "duplicate"
    assert PlaylistAssignment.objects.count() == 1


def test_today_is_the_givers_day(teacher, school_class):
    """Kiritimati (UTC+14) is always a calendar day ahead of Pago Pago (UTC−11): the same date is today for a
    teacher there and yesterday for a teacher here."""
    playlist = PlaylistFactory(owner=teacher, videos=[published()])
    with timezone.override("Pacific/Pago_Pago"):
        today_in_pago_pago = timezone.localdate()
    with timezone.override("Pacific/Kiritimati"), pytest.raises(playlists.PlaylistError, match="passé"):
        playlists.assign(playlist=playlist, school_class=school_class, by=teacher, due_date=today_in_pago_pago)
    with timezone.override("Pacific/Pago_Pago"):
        playlists.assign(playlist=playlist, school_class=school_class, by=teacher, due_date=today_in_pago_pago)


def test_unassign(teacher, school_class):
    playlist = PlaylistFactory(owner=teacher, videos=[published()])
    PlaylistAssignmentFactory(playlist=playlist, school_class=school_class)
    playlists.unassign(playlist=playlist, school_class=school_class)
    assert not PlaylistAssignment.objects.exists()
    with pytest.raises(playlists.PlaylistError, match="n'est pas donnée"):
        playlists.unassign(playlist=playlist, school_class=school_class)


# --- Who watched what ----------------------------------------------------------------------------------------------


def test_class_progress_rows_by_last_name_statuses_and_totals(teacher, school_class):
    first, second = published(duration=100.0), published(duration=60.0)
    withdrawn = VideoFactory(state=VideoState.WITHDRAWN, duration=30.0)
    playlist = PlaylistFactory(owner=teacher, videos=[first, withdrawn, second])
    zoe = pupil_in(school_class, pupil__first_name="Zoé", pupil__last_name="Abdi")
    adam = pupil_in(school_class, pupil__first_name="Adam", pupil__last_name="Martin")
    left = pupil_in(school_class, pupil__last_name="Bernard")
    left.enrolments.update(left_at=timezone.now())
    WatchProgressFactory(video=first, user=zoe, watched=True)
    WatchProgressFactory(video=second, user=zoe, played_seconds=23.9)  # 39.8 % → 39 %
    WatchProgressFactory(video=first, user=adam, played_seconds=79.9)  # just under 80 %: started
    WatchProgressFactory(video=first, user=left, watched=True)  # left the class: not counted

    progress = playlists.class_progress(playlist, school_class)

    assert [column.video for column in progress.columns] == [first, second]
    assert [row.pupil for row in progress.rows] == [zoe, adam]
    assert [[cell.label for cell in row.cells] for row in progress.rows] == [
        ["Vue", "Commencée (39 %)"],
        ["Commencée (79 %)", "Pas commencée"],
    ]
    assert [column.total_label for column in progress.columns] == ["1 élève sur 2", "0 élèves sur 2"]


def test_a_video_of_unknown_length_is_started_without_a_share(teacher, school_class):
    video = published(duration=None)
    playlist = PlaylistFactory(owner=teacher, videos=[video])
    pupil = pupil_in(school_class)
    WatchProgressFactory(video=video, user=pupil, played_seconds=12)
    (row,) = playlists.class_progress(playlist, school_class).rows
    assert [cell.label for cell in row.cells] == ["Commencée"]


def _queries(function, *args, **kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        function(*args, **kwargs)
    return len(captured.captured_queries)


def test_class_progress_queries_do_not_grow_with_pupils_or_videos(teacher, school_class):
    playlist = PlaylistFactory(owner=teacher, videos=[published()])
    pupil = pupil_in(school_class)
    WatchProgressFactory(video=playlist.items.get().video, user=pupil, watched=True)
    few = _queries(playlists.class_progress, playlist, school_class)
    for _ in range(3):
        video = published()
        PlaylistItem.objects.create(playlist=playlist, video=video, position=playlist.items.count())
        more = pupil_in(school_class)
        WatchProgressFactory(video=video, user=more, played_seconds=0.5)
    many = _queries(playlists.class_progress, playlist, school_class)
    assert few == many == 3


# --- What a pupil was given ---------------------------------------------------------------------------------------


def test_a_pupil_sees_the_lists_of_her_current_class_newest_first_with_what_she_watched(teacher, school_class):
    first, second = published(), published()
    withdrawn = VideoFactory(state=VideoState.WITHDRAWN)
    older = PlaylistFactory(owner=teacher, videos=[first, withdrawn, second])
    newer = PlaylistFactory(owner=teacher, videos=[second])
    PlaylistAssignmentFactory(playlist=older, school_class=school_class)
    PlaylistAssignmentFactory(playlist=newer, school_class=school_class)
    PlaylistAssignmentFactory(playlist=PlaylistFactory(videos=[published()]))  # another class's
    pupil = pupil_in(school_class)
    WatchProgressFactory(video=second, user=pupil, watched=True)
    WatchProgressFactory(video=first, user=pupil, played_seconds=0.3)  # started only

    given = playlists.pupil_assigned(pupil, school_class=school_class)

    assert [entry.playlist for entry in given] == [newer, older]
    assert [(entry.video, entry.watched) for entry in given[1].videos] == [(first, False), (second, True)]
    assert (given[1].watched_count, len(given[1].videos), given[1].done) == (1, 2, False)
    assert given[0].done


def test_no_class_no_list():
    pupil = factories.UserFactory(pupil=True)
    assert playlists.pupil_assigned(pupil, school_class=None) == []


def test_pupil_assigned_queries_do_not_grow_with_lists_or_videos(teacher, school_class):
    pupil = pupil_in(school_class)
    PlaylistAssignmentFactory(playlist=PlaylistFactory(owner=teacher, videos=[published()]), school_class=school_class)
    few = _queries(playlists.pupil_assigned, pupil, school_class=school_class)
    for _ in range(3):
        playlist = PlaylistFactory(owner=factories.UserFactory(), videos=[published(), published()])
        PlaylistAssignmentFactory(playlist=playlist, school_class=school_class)
    many = _queries(playlists.pupil_assigned, pupil, school_class=school_class)
    assert few == many
