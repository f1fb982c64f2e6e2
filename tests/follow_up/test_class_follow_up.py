"""The class follow-up page and its rows: each figure against the data made here, the 14-day boundary in the
teacher's time zone, the needs-help rule, the filters (nonsense ones included), who may see a class, and a query
count that does not grow with the class."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backend.follow_up import class_follow_up as follow_up
from backend.follow_up.class_follow_up import HelpReason
from backend.offers.enums import ApplicationStatus
from backend.schools.models import Enrolment
from scheduling.enums import BookingStatus, SessionStatus
from tests import factories
from tests.follow_up.class_support import DAY, ClassCast, monday

pytestmark = pytest.mark.django_db


def page(client, user, school_class, **params):
    client.force_login(user)
    return client.get(reverse("follow_up:class_follow_up", args=[school_class.pk]), params)


def row_of(rows, pupil):
    return next(row for row in rows if row.pupil.pk == pupil.pk)


@pytest.fixture
def cast():
    return ClassCast()


# --- The figures --------------------------------------------------------------------------------------------------


def test_each_figure_is_what_the_pupil_did(cast):
    now = cast.now
    ines = cast.pupil("Inès", "Benali", last_login=now - 3 * DAY)
    yanis = cast.pupil("Yanis", "Kaci", last_login=now - DAY)
    # Inès: three applications, one of them her internship in four weeks.
    cast.application(ines, ApplicationStatus.SUBMITTED)
    cast.application(ines, ApplicationStatus.DECLINED)
    internship = cast.application(ines, ApplicationStatus.CONFIRMED, week_start=monday(28))
    # Sessions: the class's ended one (both), Yanis's own ended one, a class session to come and a cancelled one (not
    # counted); Inès was present at the class's, Yanis absent.
    session, booking = cast.session()
    cast.session(ended_ago=-3 * DAY)
    cast.session(status=SessionStatus.CANCELLED)
    cast.session(pupil=yanis)
    cast.attendance(session, booking, ines, present=True)
    cast.attendance(session, booking, yanis, present=False)
    # Tutoring: Inès booked one to come, attended one, cancelled one.
    cast.tutoring(ines)
    cast.tutoring(ines, BookingStatus.ATTENDED, starts_in=-2 * DAY)
    cast.tutoring(ines, BookingStatus.CANCELLED, starts_in=4 * DAY)
    # Videos: Inès watched two and started one; Yanis started one.
    cast.video(ines)
    cast.video(ines)
    cast.video(ines, watched=False)
    cast.video(yanis, watched=False)
    # Someone of another class does not count anywhere.
    stranger = factories.EnrolmentFactory().pupil
    cast.application(stranger, ApplicationStatus.CONFIRMED)

    rows = follow_up.class_rows(cast.school_class, now=now, time_zone="Europe/Paris")

    assert [row.pupil for row in rows] == [ines, yanis]
    first, second = rows
    assert first.applications == {"submitted": 1, "declined": 1, "confirmed": 1}
    assert first.applications_total == 3
    assert first.internship_weeks == [internship.week.week_start]
    assert (first.sessions_booked, first.sessions_attended) == (1, 1)
    assert (first.tutoring_booked, first.tutoring_attended) == (2, 1)
    assert first.videos_watched == 2
    assert first.help_reasons == []
    assert second.applications == {}
    assert second.internship_weeks == []
    assert (second.sessions_booked, second.sessions_attended) == (2, 0)
    assert (second.tutoring_booked, second.tutoring_attended) == (0, 0)
    assert second.videos_watched == 0
    assert second.help_reasons == [HelpReason.NO_APPLICATION]
    assert follow_up.summary(rows) == follow_up.Summary(pupils=2, with_internship=1, needing_help=1, inactive=0)


def test_last_activity_is_the_latest_of_what_she_did(cast):
    now = cast.now
    ines = cast.pupil("Inès", last_login=now - 30 * DAY)
    cast.application(ines, created_at=now - 20 * DAY)
    cast.tutoring(ines, created_at=now - 10 * DAY)
    cast.video(ines, updated_at=now - 5 * DAY)
    rows = follow_up.class_rows(cast.school_class, now=now, time_zone="Europe/Paris")
    assert rows[0].last_activity == now - 5 * DAY

    never = cast.pupil("Zoé")
    rows = follow_up.class_rows(cast.school_class, now=now, time_zone="Europe/Paris")
    assert row_of(rows, never).last_activity is None
    assert HelpReason.INACTIVE in row_of(rows, never).help_reasons


def test_a_confirmed_internship_counts_as_activity_when_confirmed(cast):
    now = cast.now
    ines = cast.pupil("Inès", last_login=now - 40 * DAY)
    application = cast.application(ines, ApplicationStatus.CONFIRMED, created_at=now - 30 * DAY)
    type(application).objects.filter(pk=application.pk).update(confirmed_at=now - 2 * DAY)
    assert follow_up.class_rows(cast.school_class, now=now)[0].last_activity == now - 2 * DAY


def test_the_14_day_boundary_is_the_start_of_the_day_in_the_teachers_zone(cast):
    # 20 January 2027, 10:00 UTC: 14:00 in La Réunion (UTC+4), 11:00 in Paris (UTC+1). Fourteen days before is
    # 6 January: 00:00 in La Réunion is 5 January 20:00 UTC; in Paris, 5 January 23:00 UTC.
    now = datetime.datetime(2027, 1, 20, 10, 0, tzinfo=datetime.UTC)
    cast.pupil("Anaïs", last_login=datetime.datetime(2027, 1, 5, 20, 0, tzinfo=datetime.UTC))  # Réunion's midnight
    cast.pupil("Bilal", last_login=datetime.datetime(2027, 1, 5, 19, 59, 59, tzinfo=datetime.UTC))  # a second before
    cast.pupil("Chloé", last_login=datetime.datetime(2027, 1, 5, 23, 0, tzinfo=datetime.UTC))  # Paris's midnight

    def inactive(time_zone):
        rows = follow_up.class_rows(cast.school_class, now=now, time_zone=time_zone)
        return {row.pupil.first_name for row in rows if row.inactive}

    assert inactive("Indian/Reunion") == {"Bilal"}
    assert inactive("Europe/Paris") == {"Anaïs", "Bilal"}


def test_the_14_day_boundary_across_the_change_to_summer_time(cast):
    # 5 April 2027 is in summer time in Paris (UTC+2); 14 days before, 22 March, was still winter time (UTC+1):
    # its midnight is 21 March 23:00 UTC, not 22:00 as "now minus 14 days at local midnight" in summer time would say.
    now = datetime.datetime(2027, 4, 5, 10, 0, tzinfo=datetime.UTC)
    cast.pupil("Anaïs", last_login=datetime.datetime(2027, 3, 21, 23, 0, tzinfo=datetime.UTC))
    cast.pupil("Bilal", last_login=datetime.datetime(2027, 3, 21, 22, 59, 59, tzinfo=datetime.UTC))
    rows = follow_up.class_rows(cast.school_class, now=now, time_zone="Europe/Paris")
    assert {row.pupil.first_name for row in rows if row.inactive} == {"Bilal"}


def test_needs_help_rule(cast):
    now = cast.now
    found = cast.pupil("Inès", last_login=now)
    cast.application(found, ApplicationStatus.CONFIRMED)
    cast.pupil("Yanis", last_login=now)  # nothing at all
    soon = cast.pupil("Léa", last_login=now)
    cast.application(soon, ApplicationStatus.SUBMITTED, week_start=monday(14))
    later = cast.pupil("Malik", last_login=now)
    cast.application(later, ApplicationStatus.READ, week_start=monday(60))
    # A declined application is not "in progress".
    declined = cast.pupil("Nora", last_login=now)
    cast.application(declined, ApplicationStatus.DECLINED)
    asleep = cast.pupil("Omar", last_login=now - 15 * DAY)
    cast.application(asleep, ApplicationStatus.CONFIRMED, created_at=now - 15 * DAY)

    rows = follow_up.class_rows(cast.school_class, now=now)
    reasons = {row.pupil.first_name: row.help_reasons for row in rows}
    assert reasons == {
        "Inès": [],
        "Yanis": [HelpReason.NO_APPLICATION],
        "Léa": [HelpReason.WEEK_SOON],
        "Malik": [],
        "Nora": [HelpReason.NO_APPLICATION],
        "Omar": [HelpReason.INACTIVE],
    }


@pytest.mark.parametrize(
    ("class_week_in_days", "flagged"),
    [(None, False), (35, False), (14, True), (0, True), (-6, True), (-8, False)],
)
def test_the_classs_internship_week_near_without_an_internship(cast, class_week_in_days, flagged):
    """From 21 days before the class's week until that week is over."""
    now = cast.now
    today = timezone.localdate(now)
    if class_week_in_days is not None:
        cast.school_class.internship_week = today + datetime.timedelta(days=class_week_in_days)
        cast.school_class.save()
    placed = cast.pupil("Inès", last_login=now)
    cast.application(placed, ApplicationStatus.CONFIRMED)
    waiting = cast.pupil("Léa", last_login=now)
    cast.application(waiting, ApplicationStatus.SUBMITTED, week_start=monday(60))
    rows = follow_up.class_rows(cast.school_class, now=now, time_zone="Europe/Paris")
    assert row_of(rows, placed).help_reasons == []
    assert row_of(rows, waiting).help_reasons == ([HelpReason.CLASS_WEEK_SOON] if flagged else [])


def test_a_pupil_who_left_the_class_is_not_shown(cast):
    staying = cast.pupil("Inès")
    leaving = cast.pupil("Yanis")
    Enrolment.objects.filter(pupil=leaving).update(left_at=timezone.now())
    assert [row.pupil for row in follow_up.class_rows(cast.school_class)] == [staying]


# --- The page -----------------------------------------------------------------------------------------------------


def test_the_page_shows_rows_counts_and_links(client, cast):
    now = cast.now
    ines = cast.pupil("Inès", "Benali", last_login=now)
    cast.application(ines, ApplicationStatus.CONFIRMED, week_start=monday(28))
    cast.pupil("Yanis", "Kaci", last_login=None)

    response = page(client, cast.teacher, cast.school_class)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Suivi de la classe 3e B" in html
    assert "1 élève sur 2 a un stage." in html
    assert "1 élève a besoin d'aide." in html
    assert "Inès B." in html
    assert "Yanis K." in html
    assert "Benali" not in html  # first name and initial only
    assert "Pas de stage et aucune candidature en cours" in html
    assert "pas encore" in html
    assert reverse("offers:class_applications", args=[cast.school_class.pk]) in html
    assert reverse("schools:class_detail", args=[cast.school_class.pk]) in html
    assert reverse("follow_up:nudge", args=[cast.school_class.pk, ines.pk]) in html
    assert "<caption>" in html
    assert 'scope="row"' in html


def test_last_activity_is_shown_in_the_teachers_time_zone(client):
    cast = ClassCast(teacher_zone="Indian/Reunion")
    cast.pupil("Inès", last_login=datetime.datetime(2026, 3, 2, 20, 30, tzinfo=datetime.UTC))
    html = page(client, cast.teacher, cast.school_class).content.decode()
    assert "3 mars 2026, 00:30" in html


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("all", {"Inès", "Yanis", "Léa"}),
        ("no_internship", {"Yanis", "Léa"}),
        ("inactive", {"Yanis"}),
        ("needs_help", {"Yanis", "Léa"}),
    ],
)
def test_filters(client, cast, value, shown):
    now = cast.now
    cast.application(cast.pupil("Inès", last_login=now), ApplicationStatus.CONFIRMED)
    cast.pupil("Yanis", last_login=now - 20 * DAY)
    cast.application(cast.pupil("Léa", last_login=now), ApplicationStatus.SUBMITTED, week_start=monday(7))
    response = page(client, cast.teacher, cast.school_class, filtre=value)
    assert response.status_code == 200
    assert {row.pupil.first_name for row in response.context["rows"]} == shown
    assert response.context["summary"].pupils == 3  # the counts are the class's, whatever the filter


@pytest.mark.parametrize("value", ["nimporte", "<script>", "", "ALL", "0"])
def test_a_nonsense_filter_shows_everyone_with_a_message(client, cast, value):
    cast.pupil("Inès")
    cast.pupil("Yanis")
    response = page(client, cast.teacher, cast.school_class, filtre=value)
    assert response.status_code == 200
    assert len(response.context["rows"]) == 2
    assert "Ce filtre n&#x27;existe pas : tous les élèves sont affichés." in response.content.decode()
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_an_empty_class(client, cast):
    response = page(client, cast.teacher, cast.school_class)
    assert response.status_code == 200
    assert "Aucun élève n'a encore rejoint la classe." in response.content.decode()


def test_wrong_method(client, cast):
    client.force_login(cast.teacher)
    response = client.post(reverse("follow_up:class_follow_up", args=[cast.school_class.pk]))
    assert response.status_code == 405


# --- Who may see it -----------------------------------------------------------------------------------------------


def test_a_teacher_sees_only_her_classes(client, cast):
    other = ClassCast()
    cast.pupil("Inès")
    assert page(client, other.teacher, cast.school_class).status_code == 404
    # A teacher of the same school who does not teach the class.
    colleague = factories.SchoolStaffFactory(school=cast.school).user
    assert page(client, colleague, cast.school_class).status_code == 404
    # A teacher whose membership is not confirmed yet.
    pending = factories.SchoolStaffFactory(school=cast.school, pending=True).user
    cast.school_class.teachers.add(pending)
    assert page(client, pending, cast.school_class).status_code == 404
    assert page(client, cast.teacher, cast.school_class).status_code == 200
    assert page(client, cast.teacher, type(cast.school_class)(pk=999_999)).status_code == 404


def test_the_schools_head_and_platform_staff_read_it_without_nudging(client, cast):
    pupil = cast.pupil("Inès")
    head = factories.SchoolStaffFactory(school=cast.school, head=True).user
    staff = factories.UserFactory(staff=True)
    for reader in (head, staff):
        response = page(client, reader, cast.school_class)
        assert response.status_code == 200
        assert response.context["can_nudge"] is False
        assert reverse("follow_up:nudge", args=[cast.school_class.pk, pupil.pk]) not in response.content.decode()
    other_head = factories.SchoolStaffFactory(head=True).user
    assert page(client, other_head, cast.school_class).status_code == 404


def test_a_pupil_and_an_archived_class_get_a_404(client, cast):
    pupil = cast.pupil("Inès")
    assert page(client, pupil, cast.school_class).status_code == 404
    cast.school_class.archived_at = timezone.now()
    cast.school_class.save()
    assert page(client, cast.teacher, cast.school_class).status_code == 404
    head = factories.SchoolStaffFactory(school=cast.school, head=True).user
    assert page(client, head, cast.school_class).status_code == 404


def test_the_teachers_home_and_the_class_page_link_to_it(client, cast):
    client.force_login(cast.teacher)
    url = reverse("follow_up:class_follow_up", args=[cast.school_class.pk])
    assert url in client.get(reverse("ui:home_teacher")).content.decode()
    assert url in client.get(reverse("schools:class_detail", args=[cast.school_class.pk])).content.decode()


# --- Queries ------------------------------------------------------------------------------------------------------


def _class_of(size: int) -> ClassCast:
    cast = ClassCast()
    for index in range(size):
        pupil = cast.pupil(f"Élève{index:02d}", last_login=cast.now - index * DAY)
        if index % 2:
            cast.application(pupil, ApplicationStatus.CONFIRMED)
        else:  # needs help: her week is near
            cast.application(pupil, ApplicationStatus.SUBMITTED, week_start=monday(7))
        cast.tutoring(pupil, BookingStatus.ATTENDED, starts_in=-DAY)
        cast.video(pupil)
        session, booking = cast.session(pupil=pupil)
        cast.attendance(session, booking, pupil)
    cast.session()
    return cast


def _queries(client, cast, **params) -> int:
    client.force_login(cast.teacher)
    url = reverse("follow_up:class_follow_up", args=[cast.school_class.pk])
    client.get(url, params)  # the session and the user's caches warm up
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200
    assert len(response.context["rows"]) > 0
    return len(context.captured_queries)


@pytest.mark.parametrize("params", [{}, {"filtre": "needs_help"}])
def test_the_query_count_does_not_grow_with_the_class(client, params, django_assert_max_num_queries):
    small, large = _class_of(2), _class_of(10)
    assert _queries(client, small, **params) == _queries(client, large, **params)
    with django_assert_max_num_queries(_queries(client, small, **params)):
        client.get(reverse("follow_up:class_follow_up", args=[large.school_class.pk]), params)


def test_the_rows_take_a_fixed_number_of_queries(django_assert_num_queries):
    cast = _class_of(10)
    with django_assert_num_queries(10):
        rows = follow_up.class_rows(cast.school_class)
    assert len(rows) == 10
    assert sum(row.has_internship for row in rows) == 5
    assert all(row.sessions_booked == 2 and row.sessions_attended == 1 for row in rows)
