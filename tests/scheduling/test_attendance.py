"""Attendance at discovery sessions: the roll's window (in the session's zone, across a DST weekend, told in the
reader's zone), who takes it, the upsert and the overriding rules between the roll and the live room, the figures
for the dashboards in a fixed number of queries, and the roll page (bad input answered, nothing written)."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from scheduling import attendance
from scheduling.enums import AttendanceSource, SessionBookingStatus, SessionMode, SessionStatus
from scheduling.models import DiscoverySession, SessionAttendance
from tests import factories
from tests.access import ROLES
from tests.scheduling import access_attendance, world_attendance
from tests.scheduling.factories import SessionBookingFactory, SessionsWorldFactory

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
UTC = datetime.UTC


@pytest.fixture
def cast():
    return SessionsWorldFactory()


def started(cast, *, minutes_ago=30, **kwargs):
    """A published session of the cast that started `minutes_ago` minutes ago (one hour long), its class confirmed."""
    starts_at = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=minutes_ago)
    session = cast.session(starts_at=starts_at, **kwargs)
    booking = SessionBookingFactory(session=session, school_class=cast.school_class, places=3)
    return session, booking


def rows(session) -> dict:
    return {
        row.pupil_id: (row.present, row.source)
        for row in SessionAttendance.objects.filter(session=session).order_by("pupil_id")
    }


# --- The window ------------------------------------------------------------------------------------------------------


def test_the_roll_opens_at_the_start_and_closes_fourteen_days_after_the_end(cast):
    starts_at = datetime.datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
    session = cast.session(starts_at=starts_at)
    assert attendance.roll_state(session, starts_at - datetime.timedelta(seconds=1)) == attendance.ROLL_TOO_EARLY
    assert attendance.roll_state(session, starts_at) == attendance.ROLL_OPEN
    closes = session.ends_at + datetime.timedelta(days=attendance.ROLL_CALL_DAYS)
    assert attendance.roll_closes_at(session) == closes
    assert attendance.roll_state(session, closes) == attendance.ROLL_OPEN
    assert attendance.roll_state(session, closes + datetime.timedelta(seconds=1)) == attendance.ROLL_CLOSED


def test_across_the_autumn_dst_weekend_the_window_keeps_the_local_time_of_the_end(cast):
    # Ends on Tuesday 20 October 2026 at 10:00 in Paris (08:00 UTC, summer time); clocks go back on 25 October, so
    # fourteen days later 10:00 in Paris is 09:00 UTC: a window of 14 × 24 h + 1 h.
    session = cast.session(starts_at=datetime.datetime(2026, 10, 20, 7, 0, tzinfo=UTC), duration_minutes=60)
    assert session.ends_at.astimezone(PARIS).hour == 10
    closes = attendance.roll_closes_at(session)
    assert closes == datetime.datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    assert closes.astimezone(PARIS).hour == 10
    assert attendance.roll_state(session, datetime.datetime(2026, 11, 3, 8, 30, tzinfo=UTC)) == attendance.ROLL_OPEN
    assert attendance.roll_state(session, datetime.datetime(2026, 11, 3, 9, 1, tzinfo=UTC)) == attendance.ROLL_CLOSED


def test_on_the_spring_dst_sunday_the_reader_is_told_the_opening_in_her_own_zone(cast):
    # Sunday 29 March 2026, the day clocks go forward in Paris: 10:00 in Paris is 08:00 UTC, 12:00 in La Réunion.
    session = cast.session(starts_at=datetime.datetime(2026, 3, 29, 8, 0, tzinfo=UTC))
    before = datetime.datetime(2026, 3, 29, 7, 30, tzinfo=UTC)
    with timezone.override(PARIS):
        assert attendance.roll_refusal(session, before) == (
            "L'appel ouvre au début de la séquence, le dimanche 29 mars 2026 à 10:00."
        )
    with timezone.override(zoneinfo.ZoneInfo("Indian/Reunion")):
        assert "dimanche 29 mars 2026 à 12:00" in attendance.roll_refusal(session, before)
    assert attendance.roll_refusal(session, datetime.datetime(2026, 3, 29, 8, 0, tzinfo=UTC)) is None


def test_a_cancelled_or_unpublished_session_has_no_roll(cast):
    session = cast.session(status=SessionStatus.CANCELLED, starts_at=timezone.now() - datetime.timedelta(hours=1))
    assert attendance.roll_state(session) == attendance.ROLL_CANCELLED
    assert "annulée" in attendance.roll_refusal(session)
    draft = cast.session(status=SessionStatus.DRAFT, starts_at=timezone.now() - datetime.timedelta(hours=1))
    assert "pas publiée" in attendance.roll_refusal(draft)


# --- Who takes the roll ----------------------------------------------------------------------------------------------


def test_teachers_take_their_classes_roll_organisers_every_booking(cast):
    session, booking = started(cast)
    other_teacher, other_class = cast.another_class()
    other = SessionBookingFactory(session=session, school_class=other_class, places=2)
    lone_pupil = factories.UserFactory(pupil=True)
    own = SessionBookingFactory(session=session, school_class=None, pupil=lone_pupil)
    SessionBookingFactory(session=session, school_class=factories.SchoolClassFactory(), status="pending")
    facilitator = factories.UserFactory()
    session.facilitators.add(facilitator)

    assert attendance.rollable_bookings(cast.teacher, session) == [booking]
    assert attendance.rollable_bookings(other_teacher, session) == [other]
    assert set(attendance.rollable_bookings(cast.staff, session)) == {booking, other, own}
    assert set(attendance.rollable_bookings(facilitator, session)) == {booking, other, own}
    head = factories.SchoolStaffFactory(school=cast.school, head=True).user
    for nobody in (head, cast.professional, cast.pupils[0], lone_pupil, factories.UserFactory(staff=True)):
        assert attendance.rollable_bookings(nobody, session) == []
        assert not attendance.may_take_roll(nobody, session)
    assert attendance.may_take_roll(cast.teacher, session)
    assert attendance.may_take_roll(cast.staff, session)


# --- Recording -------------------------------------------------------------------------------------------------------


def test_the_roll_writes_every_pupil_and_taking_it_again_corrects_it(cast):
    session, booking = started(cast)
    a, b, c = cast.pupils
    attendance.attendance_record(booking=booking, present_pupil_ids=[a.pk, b.pk], by=cast.teacher)
    roll = AttendanceSource.ROLL_CALL
    assert rows(session) == {a.pk: (True, roll), b.pk: (True, roll), c.pk: (False, roll)}
    row = SessionAttendance.objects.get(session=session, pupil=a)
    assert row.recorded_by == cast.teacher
    assert row.booking == booking

    attendance.attendance_record(booking=booking, present_pupil_ids=[c.pk], by=cast.staff)
    assert rows(session) == {a.pk: (False, roll), b.pk: (False, roll), c.pk: (True, roll)}
    assert SessionAttendance.objects.filter(session=session).count() == 3


def test_an_explicit_absent_list_leaves_the_others_unrecorded(cast):
    session, booking = started(cast)
    a, b, _c = cast.pupils
    attendance.attendance_record(booking=booking, present_pupil_ids=[a.pk], absent_pupil_ids=[b.pk], by=cast.teacher)
    assert rows(session) == {a.pk: (True, "roll_call"), b.pk: (False, "roll_call")}


@pytest.mark.parametrize(
    "case",
    ["stranger", "both", "not a number", "pending", "cancelled session", "too early", "too late"],
)
def test_bad_rolls_are_refused_and_write_nothing(cast, case):
    session, booking = started(cast)
    a = cast.pupils[0]
    present, absent, now = [a.pk], None, None
    if case == "stranger":
        present = [a.pk, factories.EnrolmentFactory().pupil.pk]
    elif case == "both":
        absent = [a.pk]
    elif case == "not a number":
        present = ["1; DROP TABLE"]
    elif case == "pending":
        booking.status = SessionBookingStatus.PENDING
        booking.save()
    elif case == "cancelled session":
        DiscoverySession.objects.filter(pk=session.pk).update(status=SessionStatus.CANCELLED)
    elif case == "too early":
        now = session.starts_at - datetime.timedelta(minutes=1)
    elif case == "too late":
        now = attendance.roll_closes_at(session) + datetime.timedelta(minutes=1)
    with pytest.raises(ValidationError):
        attendance.attendance_record(
            booking=booking, present_pupil_ids=present, absent_pupil_ids=absent, by=cast.teacher, now=now
        )
    assert not SessionAttendance.objects.exists()


def test_the_pupils_are_the_class_current_ones(cast):
    session, booking = started(cast)
    left = cast.pupils[2]
    left.enrolments.update(left_at=timezone.now())
    attendance.attendance_record(booking=booking, present_pupil_ids=[cast.pupils[0].pk], by=cast.teacher)
    assert set(rows(session)) == {cast.pupils[0].pk, cast.pupils[1].pk}
    with pytest.raises(ValidationError):
        attendance.attendance_record(booking=booking, present_pupil_ids=[left.pk], by=cast.teacher)


def test_a_roll_of_several_bookings_is_all_or_nothing(cast):
    session, booking = started(cast)
    _teacher, other_class = cast.another_class(pupils=2)
    other = SessionBookingFactory(session=session, school_class=other_class, places=2)
    stranger = factories.EnrolmentFactory().pupil
    listed = [pupil.pk for pupil in cast.pupils] + [stranger.pk]
    with pytest.raises(ValidationError):
        attendance.attendance_record_roll(
            session=session,
            bookings=[booking, other],
            present_pupil_ids=[cast.pupils[0].pk],
            listed_pupil_ids=listed,
            by=cast.staff,
        )
    assert not SessionAttendance.objects.exists()
    other_session = cast.session(starts_at=session.starts_at)
    with pytest.raises(ValidationError):
        attendance.attendance_record_roll(
            session=other_session, bookings=[booking], present_pupil_ids=[], listed_pupil_ids=listed[:3], by=cast.staff
        )
    assert not SessionAttendance.objects.exists()


# --- The live room ---------------------------------------------------------------------------------------------------


def test_joining_the_room_marks_present_once(cast):
    session, booking = started(cast)
    pupil = cast.pupils[0]
    row = attendance.attendance_from_room_join(session=session, pupil=pupil)
    assert (row.present, row.source, row.booking, row.recorded_by) == (True, "live_room", booking, None)
    assert attendance.attendance_from_room_join(session=session, pupil=pupil).pk == row.pk
    assert SessionAttendance.objects.count() == 1


def test_an_adults_roll_wins_over_the_room_before_and_after(cast):
    session, booking = started(cast)
    a, b, c = cast.pupils
    attendance.attendance_from_room_join(session=session, pupil=a)
    # The teacher says A was not there after all (she joined from a friend's account?): the adult wins.
    attendance.attendance_record(booking=booking, present_pupil_ids=[b.pk], by=cast.teacher)
    assert rows(session)[a.pk] == (False, "roll_call")
    # Joining later does not undo an adult's answer.
    attendance.attendance_from_room_join(session=session, pupil=a)
    attendance.attendance_from_room_join(session=session, pupil=c)
    assert rows(session) == {a.pk: (False, "roll_call"), b.pk: (True, "roll_call"), c.pk: (False, "roll_call")}


@pytest.mark.parametrize("case", ["no booking", "pending", "too early", "after the end", "left the class", "draft"])
def test_joins_that_do_not_count(cast, case):
    session, booking = started(cast)
    pupil, now = cast.pupils[0], None
    if case == "no booking":
        pupil = factories.EnrolmentFactory().pupil
    elif case == "pending":
        booking.status = SessionBookingStatus.PENDING
        booking.save()
    elif case == "too early":
        now = session.starts_at - attendance.ROOM_JOIN_LEAD - datetime.timedelta(seconds=1)
    elif case == "after the end":
        now = session.ends_at + datetime.timedelta(seconds=1)
    elif case == "left the class":
        pupil.enrolments.update(left_at=timezone.now())
    elif case == "draft":
        DiscoverySession.objects.filter(pk=session.pk).update(status=SessionStatus.DRAFT)
        session.refresh_from_db()
    assert attendance.attendance_from_room_join(session=session, pupil=pupil, now=now) is None
    assert not SessionAttendance.objects.exists()


def test_a_join_in_the_quarter_hour_before_the_start_counts_and_an_individual_booking_too(cast):
    session = cast.session(
        starts_at=timezone.now() + datetime.timedelta(minutes=10), mode=SessionMode.INDIVIDUAL, capacity_unit="pupils"
    )
    pupil = factories.UserFactory(pupil=True)
    SessionBookingFactory(session=session, school_class=None, pupil=pupil)
    assert attendance.attendance_from_room_join(session=session, pupil=pupil).present


# --- Figures ---------------------------------------------------------------------------------------------------------


def test_the_summary_gives_each_booking_its_present_absent_and_unknown(cast):
    session, booking = started(cast)
    lone = factories.UserFactory(pupil=True)
    own = SessionBookingFactory(session=session, school_class=None, pupil=lone)
    attendance.attendance_record(
        booking=booking, present_pupil_ids=[cast.pupils[0].pk], absent_pupil_ids=[cast.pupils[1].pk], by=cast.staff
    )
    summary = {roll.booking: roll for roll in attendance.session_attendance_summary(session)}
    assert (summary[booking].present, summary[booking].absent, summary[booking].unknown) == (1, 1, 1)
    assert (summary[own].present, summary[own].absent, summary[own].unknown, summary[own].total) == (0, 0, 1, 1)
    names = [mark.pupil.display_name for mark in summary[booking].marks]
    assert sorted(names) == sorted(pupil.display_name for pupil in cast.pupils)  # first name and initial
    assert not {pupil.get_full_name() for pupil in cast.pupils} & set(names)


def _sessions_with_rolls(cast, count: int) -> list:
    sessions = []
    for n in range(count):
        session, booking = started(cast, minutes_ago=30 + n)
        lone = factories.UserFactory(pupil=True)
        SessionBookingFactory(session=session, school_class=None, pupil=lone)
        attendance.attendance_record(booking=booking, present_pupil_ids=[cast.pupils[0].pk], by=cast.teacher)
        sessions.append(session)
    return sessions


def test_attendance_counts_for_many_sessions_in_three_queries(cast, django_assert_num_queries):
    few = _sessions_with_rolls(cast, 2)
    with django_assert_num_queries(3):
        counts = attendance.attendance_counts(DiscoverySession.objects.filter(pk__in=[s.pk for s in few]))
    # Per session: 1 present, 2 absent (the class), the individual pupil unknown.
    assert counts == {session.pk: (1, 2, 1) for session in few}

    many = few + _sessions_with_rolls(cast, 8)
    empty = cast.session()
    with django_assert_num_queries(3):
        counts = attendance.attendance_counts(DiscoverySession.objects.filter(pk__in=[s.pk for s in [*many, empty]]))
    assert len(counts) == 11
    assert counts[empty.pk] == (0, 0, 0)
    assert attendance.attendance_counts(DiscoverySession.objects.none()) == {}


def test_counts_include_live_room_joins_and_ignore_pupils_who_left(cast):
    session, _booking = started(cast)
    attendance.attendance_from_room_join(session=session, pupil=cast.pupils[0])
    cast.pupils[2].enrolments.update(left_at=timezone.now())
    assert attendance.attendance_counts(DiscoverySession.objects.filter(pk=session.pk)) == {session.pk: (1, 0, 1)}


# --- The roll page ---------------------------------------------------------------------------------------------------


def url(session) -> str:
    return reverse("scheduling:session_attendance", args=[session.pk])


def post_data(booking, pupils, present):
    return {"booking": [booking.pk], "pupil": [p.pk for p in pupils], "present": [p.pk for p in present]}


def test_the_teacher_sees_her_class_form_prechecked_from_the_room_and_records_it(client, cast):
    session, booking = started(cast)
    a, b, c = cast.pupils
    attendance.attendance_from_room_join(session=session, pupil=a)
    client.force_login(cast.teacher)
    page = client.get(url(session)).content.decode()
    assert '<fieldset class="fr-fieldset"' in page
    assert cast.school_class.name in page
    assert f'value="{a.pk}" id="present-{booking.pk}-{a.pk}" checked' in page
    assert f'value="{b.pk}" id="present-{booking.pk}-{b.pk}">' in page
    assert f"{a.display_name} : présent·e" in page
    assert a.last_name not in page
    assert "Connecté·e au salon en direct" in page

    response = client.post(url(session), post_data(booking, cast.pupils, [a, c]))
    assert response.status_code == 302
    assert rows(session) == {a.pk: (True, "roll_call"), b.pk: (False, "roll_call"), c.pk: (True, "roll_call")}
    page = client.get(response["Location"]).content.decode()
    assert "L&#x27;appel est enregistré : 2 présents sur 3." in page
    assert "2 présents sur 3" in page


def test_the_teacher_does_not_see_another_class(client, cast):
    session, booking = started(cast)
    _other_teacher, other_class = cast.another_class()
    other = SessionBookingFactory(session=session, school_class=other_class, places=2)
    client.force_login(cast.teacher)
    page = client.get(url(session)).content.decode()
    assert f'name="booking" value="{booking.pk}"' in page
    assert f'name="booking" value="{other.pk}"' not in page
    # Posting the other class's booking: not hers, nothing written.
    pupils = list(other_class.enrolments.values_list("pupil_id", flat=True))
    response = client.post(url(session), {"booking": [other.pk], "pupil": pupils, "present": pupils})
    assert response.status_code == 404
    assert not SessionAttendance.objects.exists()


@pytest.mark.parametrize("case", ["foreign pupil", "garbage", "no booking", "foreign booking", "ticked not listed"])
def test_bad_posts_answer_with_a_message_and_write_nothing(client, cast, case):
    session, booking = started(cast)
    data = post_data(booking, cast.pupils, cast.pupils[:1])
    expected = 400
    if case == "foreign pupil":
        stranger = factories.EnrolmentFactory().pupil.pk
        data["pupil"].append(stranger)
        data["present"].append(stranger)
    elif case == "garbage":
        data["present"] = ["abc"]
    elif case == "no booking":
        data["booking"] = ["x"]
    elif case == "foreign booking":
        data["booking"] = [SessionBookingFactory(school_class=cast.school_class).pk]
        expected = 404
    elif case == "ticked not listed":
        data["pupil"] = [cast.pupils[1].pk]
    client.force_login(cast.teacher)
    response = client.post(url(session), data)
    assert response.status_code == expected
    if expected == 400:
        assert "fr-alert--error" in response.content.decode()
    assert not SessionAttendance.objects.exists()


def test_before_the_start_the_page_says_when_the_roll_opens_in_the_readers_zone(client, cast):
    session = cast.session(starts_at=timezone.now() + datetime.timedelta(days=2))
    booking = SessionBookingFactory(session=session, school_class=cast.school_class, places=3)
    cast.teacher.time_zone = "America/Cayenne"
    cast.teacher.save()
    client.force_login(cast.teacher)
    response = client.get(url(session))
    local = session.starts_at.astimezone(zoneinfo.ZoneInfo("America/Cayenne"))
    page = response.content.decode()
    assert "L&#x27;appel ouvre au début de la séquence" in page
    assert f"à {local:%H:%M}" in page
    assert '<form method="post" action="' + url(session) not in page
    response = client.post(url(session), post_data(booking, cast.pupils, cast.pupils))
    assert response.status_code == 400
    assert not SessionAttendance.objects.exists()


def test_after_the_window_the_page_is_read_only(client, cast):
    starts_at = timezone.now() - datetime.timedelta(days=attendance.ROLL_CALL_DAYS + 2)
    session = cast.session(starts_at=starts_at)
    booking = SessionBookingFactory(session=session, school_class=cast.school_class, places=3)
    SessionAttendance.objects.create(
        session=session, booking=booking, pupil=cast.pupils[0], present=True, source="roll_call"
    )
    client.force_login(cast.staff)
    page = client.get(url(session)).content.decode()
    assert "L&#x27;appel est clos depuis le" in page
    assert "<caption>" in page
    assert 'name="present"' not in page
    assert "1 présent sur 3" in page
    response = client.post(url(session), post_data(booking, cast.pupils, cast.pupils))
    assert response.status_code == 400
    assert rows(session) == {cast.pupils[0].pk: (True, "roll_call")}


def test_a_cancelled_session_says_so_and_others_get_404(client, cast):
    session, _booking = started(cast, status=SessionStatus.CANCELLED)
    client.force_login(cast.teacher)
    assert "annulée" in client.get(url(session)).content.decode()
    draft, _booking = started(cast, status=SessionStatus.DRAFT)
    assert client.get(url(draft)).status_code == 404
    client.force_login(cast.professional)
    assert client.get(url(session)).status_code == 404
    assert client.get(reverse("scheduling:session_attendance", args=[987654])).status_code == 404


def test_a_wrong_method_is_refused(client, cast):
    session, _booking = started(cast)
    client.force_login(cast.teacher)
    assert client.put(url(session)).status_code == 405


def _class_of(cast, size: int):
    teacher, school_class = cast.another_class(pupils=size)
    return teacher, school_class


@pytest.mark.parametrize("reader", ["teacher", "staff"])
def test_the_page_query_count_does_not_grow_with_the_pupils(client, cast, reader):
    counts = []
    for size in (2, 10):
        teacher, school_class = _class_of(cast, size)
        session = cast.session(starts_at=timezone.now() - datetime.timedelta(minutes=30))
        booking = SessionBookingFactory(session=session, school_class=school_class, places=size)
        lone = factories.UserFactory(pupil=True)
        SessionBookingFactory(session=session, school_class=None, pupil=lone)
        first = school_class.enrolments.first().pupil
        attendance.attendance_from_room_join(session=session, pupil=first)
        attendance.attendance_record(booking=booking, present_pupil_ids=[first.pk], by=teacher)
        client.force_login(teacher if reader == "teacher" else cast.staff)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(session)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- The session's page ----------------------------------------------------------------------------------------------


def test_the_session_page_links_to_the_roll_once_started_with_the_figures(client, cast):
    later = cast.session(starts_at=timezone.now() + datetime.timedelta(hours=2))
    SessionBookingFactory(session=later, school_class=cast.school_class, places=3)
    client.force_login(cast.teacher)
    assert "Faire l'appel" not in client.get(reverse("scheduling:session_detail", args=[later.pk])).content.decode()

    session, booking = started(cast)
    detail = reverse("scheduling:session_detail", args=[session.pk])
    page = client.get(detail).content.decode()
    assert "Faire l'appel" in page
    assert url(session) in page
    attendance.attendance_record(booking=booking, present_pupil_ids=[cast.pupils[0].pk], by=cast.teacher)
    page = client.get(detail).content.decode()
    assert "1 présent sur 3" in page
    assert "Corriger l'appel" in page
    client.force_login(cast.professional)
    assert url(session) not in client.get(detail).content.decode()


# --- Access (until the lead wires access_attendance into tests/test_permissions.py) ----------------------------------


def test_access_of_the_roll_page(client, world, monkeypatch):
    from tests import test_permissions

    if "attendance_session" not in world:
        world_attendance.extend(world)
    for name, rule in access_attendance.ACCESS.items():
        monkeypatch.setitem(test_permissions.ACCESS, name, rule)
        got = {role: test_permissions.reach(client, world, name, role) for role in ROLES}
        assert got == {role: rule.expected(role) for role in ROLES}
