"""Watching: the player's reports (`videos:progress`), the 80 % rule, and the counts per video and per class."""

import datetime
import json
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from media import watching
from media.models import WatchProgress
from media.services import VideoError
from tests import factories
from tests.media.factories import VideoFactory, WatchProgressFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def video():
    return VideoFactory(published=True, duration=100.0)


@pytest.fixture
def pupil():
    return factories.EnrolmentFactory().pupil


@pytest.fixture
def pupil_client(client, pupil):
    client.force_login(pupil)
    return client


def report(client, video, body, *, as_json=True):
    url = reverse("videos:progress", args=[video.pk])
    if as_json:
        return client.post(
            url, json.dumps(body) if not isinstance(body, str) else body, content_type="application/json"
        )
    return client.post(url, body)


# --- The reads other pages use -------------------------------------------------------------------------------------


def test_watched_ids_are_the_videos_played_to_80_percent(pupil):
    watched = WatchProgressFactory(user=pupil, watched=True).video
    started = WatchProgressFactory(user=pupil).video
    someone_elses = WatchProgressFactory(watched=True).video
    ids = [watched.pk, started.pk, someone_elses.pk]
    assert watching.watched_ids(pupil, ids) == {watched.pk}
    assert watching.watched_ids(pupil, []) == set()


def test_watched_ids_of_an_anonymous_person_are_empty(video):
    from django.contrib.auth.models import AnonymousUser

    assert watching.watched_ids(AnonymousUser(), [video.pk]) == set()


def test_progress_by_pupil_is_keyed_by_person_and_video(django_assert_num_queries):
    first, second = WatchProgressFactory(), WatchProgressFactory()
    WatchProgressFactory()  # another person on another video: not asked for
    with django_assert_num_queries(1):
        rows = watching.progress_by_pupil([first.user_id, second.user_id], [first.video_id, second.video_id])
    assert rows == {(first.user_id, first.video_id): first, (second.user_id, second.video_id): second}


# --- The rule on reported values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("played", "position", "expected"),
    [
        (0, None, (0.0, 0.0)),
        (12.5, 40, (12.5, 40.0)),
        ("12.5", "40", (12.5, 40.0)),  # form-encoded
        (104.0, 109.9, (100.0, 100.0)),  # a little past the end: capped
    ],
)
def test_clean_report_accepts_and_caps(played, position, expected):
    assert watching.clean_report(played_seconds=played, position=position, duration=100.0) == expected


@pytest.mark.parametrize(
    ("played", "position"),
    [
        (None, 0),
        ("", 0),
        ("douze", 0),
        (True, 0),
        ([1], 0),
        ({"s": 1}, 0),
        (-1, 0),
        (float("nan"), 0),
        (float("inf"), 0),
        (1e300, 0),
        (110.5, 0),  # more than 10 s past the end
        (10, -0.5),
        (10, 500),
    ],
)
def test_clean_report_refuses_what_is_not_believable(played, position):
    with pytest.raises(VideoError) as refused:
        watching.clean_report(played_seconds=played, position=position, duration=100.0)
    assert refused.value.messages[0]


def test_clean_report_on_a_video_of_unknown_length_only_refuses_the_absurd():
    assert watching.clean_report(played_seconds=5000, position=5000, duration=None) == (5000.0, 5000.0)
    with pytest.raises(VideoError):
        watching.clean_report(played_seconds=watching.MAX_REPORTED_SECONDS + 1, position=0, duration=None)


# --- The endpoint ----------------------------------------------------------------------------------------------------


def test_a_first_report_creates_the_progress(pupil_client, pupil, video):
    response = report(pupil_client, video, {"played_seconds": 15.2, "position": 15.4})
    assert response.status_code == 200
    assert response.json() == {"watched": False, "played_seconds": 15.2}
    progress = WatchProgress.objects.get(user=pupil, video=video)
    assert (progress.played_seconds, progress.position, progress.watched_at) == (15.2, 15.4, None)


def test_values_only_grow(pupil_client, pupil, video):
    report(pupil_client, video, {"played_seconds": 50, "position": 60})
    response = report(pupil_client, video, {"played_seconds": 30, "position": 70})
    assert response.json()["played_seconds"] == 50
    progress = WatchProgress.objects.get(user=pupil, video=video)
    assert (progress.played_seconds, progress.position) == (50, 70)


def test_values_are_capped_at_the_duration(pupil_client, pupil, video):
    response = report(pupil_client, video, {"played_seconds": 103, "position": 108})
    assert response.json() == {"watched": True, "played_seconds": 100.0}
    progress = WatchProgress.objects.get(user=pupil, video=video)
    assert (progress.played_seconds, progress.position) == (100.0, 100.0)


def test_watched_from_80_percent_played_and_never_unset(pupil_client, pupil, video):
    assert report(pupil_client, video, {"played_seconds": 79.9, "position": 99}).json()["watched"] is False
    assert WatchProgress.objects.get(user=pupil, video=video).watched_at is None

    assert report(pupil_client, video, {"played_seconds": 80, "position": 99}).json()["watched"] is True
    first = WatchProgress.objects.get(user=pupil, video=video).watched_at
    assert first is not None

    # Later reports, lower or higher, keep the moment it was first watched.
    assert report(pupil_client, video, {"played_seconds": 10, "position": 10}).json()["watched"] is True
    assert report(pupil_client, video, {"played_seconds": 95, "position": 100}).json()["watched"] is True
    assert WatchProgress.objects.get(user=pupil, video=video).watched_at == first


def test_the_position_alone_does_not_make_it_watched(pupil_client, pupil, video):
    """Jumping to the end is not watching: only the time played counts."""
    assert report(pupil_client, video, {"played_seconds": 5, "position": 100}).json()["watched"] is False


def test_form_encoded_reports_are_accepted(pupil_client, pupil, video):
    response = report(pupil_client, video, {"played_seconds": "81.5", "position": "82"}, as_json=False)
    assert response.status_code == 200
    assert response.json() == {"watched": True, "played_seconds": 81.5}


def test_the_position_may_be_left_out(pupil_client, pupil, video):
    assert report(pupil_client, video, {"played_seconds": 3}).status_code == 200
    assert WatchProgress.objects.get(user=pupil, video=video).position == 0


def test_nothing_played_yet_writes_nothing(pupil_client, video):
    response = report(pupil_client, video, {"played_seconds": 0, "position": 0})
    assert response.json() == {"watched": False, "played_seconds": 0.0}
    assert not WatchProgress.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"played_seconds": -3},
        {"played_seconds": "beaucoup"},
        {"played_seconds": None},
        {"played_seconds": True},
        {"played_seconds": 500},
        {"played_seconds": 10, "position": -1},
        '{"played_seconds": NaN}',
        '{"played_seconds": Infinity}',
        '{"played_seconds": 1e400}',
        "[10, 10]",
        "pas du JSON",
    ],
)
def test_bad_reports_are_refused_with_nothing_written(pupil_client, video, body):
    response = report(pupil_client, video, body)
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "invalid"
    assert answer["detail"]
    assert not WatchProgress.objects.exists()


def test_a_bad_report_keeps_what_was_stored(pupil_client, pupil, video):
    report(pupil_client, video, {"played_seconds": 40, "position": 40})
    assert report(pupil_client, video, {"played_seconds": -1, "position": 40}).status_code == 400
    assert WatchProgress.objects.get(user=pupil, video=video).played_seconds == 40


def test_the_detail_says_what_is_wrong(pupil_client, video):
    response = report(pupil_client, video, {"played_seconds": -1})
    assert response.json()["detail"] == "La valeur « played_seconds » doit être un nombre de secondes positif."


def test_get_is_not_allowed(pupil_client, video):
    assert pupil_client.get(reverse("videos:progress", args=[video.pk])).status_code == 405


def test_anonymous_people_are_sent_to_sign_in(client, video):
    response = report(client, video, {"played_seconds": 10})
    assert response.status_code == 302
    assert not WatchProgress.objects.exists()


def test_csrf_is_required(pupil, video):
    client = Client(enforce_csrf_checks=True)
    client.force_login(pupil)
    url = reverse("videos:progress", args=[video.pk])
    body = json.dumps({"played_seconds": 12, "position": 12})
    assert client.post(url, body, content_type="application/json").status_code == 403
    assert not WatchProgress.objects.exists()

    page = client.get(reverse("videos:detail", args=[video.pk]))
    token = page.cookies["csrftoken"].value
    response = client.post(url, body, content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert WatchProgress.objects.filter(user=pupil, video=video).count() == 1


def test_a_video_one_may_not_watch_is_a_404(pupil_client):
    draft = VideoFactory(processed=True)
    response = report(pupil_client, draft, {"played_seconds": 1})
    assert response.status_code == 404
    assert not WatchProgress.objects.exists()


def test_a_maker_previewing_a_draft_is_not_counted(client):
    maker = factories.OrganisationMembershipFactory()
    draft = VideoFactory(host_organisation=maker.organisation, processed=True)
    client.force_login(maker.user)
    response = report(client, draft, {"played_seconds": 1, "position": 1})
    assert response.status_code == 204
    assert not WatchProgress.objects.exists()


def test_a_view_is_counted_once_per_person(pupil_client, pupil, video):
    for seconds in (5, 20, 90, 100):
        report(pupil_client, video, {"played_seconds": seconds, "position": seconds})
    assert WatchProgress.objects.filter(video=video).count() == 1
    assert watching.view_count(video) == 1
    other = factories.UserFactory()
    watching.progress_record(user=other, video=video, played_seconds=3)
    assert watching.view_count(video) == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_reports_make_one_row():
    """Eight reports of the same person at the same moment, each on its own connection (PostgreSQL: the unique
    constraint and the row lock; SQLite serialises the writes itself)."""
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL's concurrent connections (set DATABASE_URL)")
    video = VideoFactory(published=True, duration=100.0)
    person = factories.UserFactory()
    barrier = threading.Barrier(8)
    errors = []

    def send(seconds: float):
        try:
            barrier.wait()
            watching.progress_record(user=person, video=video, played_seconds=seconds, position=seconds)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(10.0 * (index + 1),)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = list(WatchProgress.objects.filter(video=video, user=person))
    assert len(rows) == 1
    assert rows[0].played_seconds == 80.0  # the largest report wins, whatever the order
    assert rows[0].watched_at is not None


# --- Counts ---------------------------------------------------------------------------------------------------------


def test_view_counts_for_many_videos_in_one_query(django_assert_num_queries):
    first, second, unseen = (VideoFactory(published=True) for _ in range(3))
    WatchProgressFactory.create_batch(3, video=first)
    WatchProgressFactory(video=second, watched=True)
    with django_assert_num_queries(1):
        counts = watching.view_counts([first, second, unseen])
    assert counts == {first.pk: 3, second.pk: 1}
    assert counts.get(unseen.pk, 0) == 0


def test_class_counts_are_of_current_pupils(django_assert_num_queries, video):
    teacher = factories.SchoolStaffFactory().user
    school = teacher.school_memberships.get().school
    mine = factories.SchoolClassFactory(school=school, teachers=[teacher], name="3e A")
    other = factories.SchoolClassFactory(school=school, teachers=[teacher], name="3e B")
    watched, started, idle = (factories.EnrolmentFactory(school_class=mine).pupil for _ in range(3))
    gone = factories.EnrolmentFactory(school_class=mine, left_at=timezone.now() - datetime.timedelta(days=3)).pupil
    WatchProgressFactory(video=video, user=watched, watched=True)
    WatchProgressFactory(video=video, user=started)
    WatchProgressFactory(video=video, user=gone, watched=True)  # left the class: not counted
    WatchProgressFactory(user=idle, watched=True)  # another video: not counted
    factories.EnrolmentFactory(school_class=other)
    with django_assert_num_queries(1):
        rows = watching.class_view_counts(video, [mine, other])
    assert [(row["school_class"], row["pupils"], row["started"], row["watched"]) for row in rows] == [
        (mine, 3, 2, 1),
        (other, 1, 0, 0),
    ]
