"""Who may answer which questionnaire, and when: each kind's participants, before the end, not held, out of the
window, answered; the list of what a person may still answer (several roles at once, a fixed number of queries)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.follow_up import selectors
from backend.follow_up.models import FeedbackAnswer
from backend.follow_up.rules import State
from backend.offers.enums import ApplicationStatus
from backend.schools.models import Enrolment
from scheduling.enums import BookingStatus, SessionBookingStatus, SessionStatus
from scheduling.models import DiscoverySession, SessionBooking
from tests import factories
from tests.follow_up.support import DAY, NOW, Cast, monday_before
from tests.scheduling.factories import SessionBookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return Cast(NOW)


def state_of(user, kind, target, now=NOW):
    questionnaire = selectors.questionnaire_of(user, kind, target.pk, now=now)
    return None if questionnaire is None else questionnaire.state


def pending_keys(user, now=NOW):
    return {
        (questionnaire.kind, questionnaire.target_id)
        for questionnaire in selectors.pending_questionnaires(user, now=now)
    }


def answer(user, kind, target, role, **fields):
    field = {"session": "session", "tutoring": "tutoring_booking", "internship": "application"}[kind]
    values = {"satisfaction": 4, "helped_choose": "yes" if role == "pupil" else ""} | fields
    return FeedbackAnswer.objects.create(kind=kind, respondent=user, respondent_role=role, **{field: target}, **values)


# --- Discovery sessions ----------------------------------------------------------------------------------------------


def test_a_session_s_pupils_and_hosts_answer_once_it_has_ended(cast):
    session = cast.session()
    for person, role in (
        (cast.pupil, "pupil"),
        (cast.other_pupil, "pupil"),
        (cast.professional, "host"),
        (cast.facilitator, "host"),
    ):
        questionnaire = selectors.questionnaire_of(person, "session", session.pk, now=NOW)
        assert questionnaire.state == State.OPEN, person
        assert questionnaire.role == role
        assert questionnaire.title == "Les métiers du soin"
        assert ("session", session.pk) in pending_keys(person)
    # Neither the class's teacher, nor the organisation's employer who was not on it, nor the association's staff.
    for person in (cast.teacher, cast.employer, cast.staff, cast.tutor):
        assert state_of(person, "session", session) is None, person
        assert pending_keys(person) == set()


def test_before_its_end_a_session_is_not_open_yet(cast):
    session = cast.session(ended_ago=-datetime.timedelta(minutes=30))
    assert state_of(cast.pupil, "session", session) == State.NOT_YET
    assert state_of(cast.professional, "session", session) == State.NOT_YET
    assert pending_keys(cast.pupil) == pending_keys(cast.professional) == set()


def test_a_cancelled_session_has_no_questionnaire(cast):
    session = cast.session()
    DiscoverySession.objects.filter(pk=session.pk).update(status=SessionStatus.CANCELLED)
    SessionBooking.objects.filter(session=session).update(status=SessionBookingStatus.CANCELLED)
    assert state_of(cast.pupil, "session", session) is None  # her class's booking went with it
    assert state_of(cast.professional, "session", session) == State.NOT_HELD
    assert pending_keys(cast.pupil) == pending_keys(cast.professional) == set()


def test_a_session_that_was_never_published_has_no_questionnaire(cast):
    session = cast.session(status=SessionStatus.PROPOSED)
    assert state_of(cast.pupil, "session", session) == State.NOT_HELD
    assert pending_keys(cast.pupil) == set()


def test_only_a_confirmed_booking_counts_and_only_the_class_s_current_pupils(cast):
    pending_class = factories.SchoolClassFactory(school=cast.school)
    waiting_pupil = factories.EnrolmentFactory(school_class=pending_class).pupil
    session = cast.session()
    SessionBookingFactory(session=session, school_class=pending_class, status=SessionBookingStatus.PENDING)
    assert state_of(waiting_pupil, "session", session) is None

    # Yanis left 3e B; a pupil who joined it since answers for the class (its current pupils, as the brief says).
    Enrolment.objects.filter(pupil=cast.other_pupil).update(left_at=NOW - DAY)
    newcomer = factories.EnrolmentFactory(school_class=cast.school_class).pupil
    assert state_of(cast.other_pupil, "session", session) is None
    assert state_of(newcomer, "session", session) == State.OPEN
    assert pending_keys(cast.other_pupil) == set()
    assert pending_keys(newcomer) == {("session", session.pk)}


def test_a_pupil_confirmed_on_her_own_answers(cast):
    lone_pupil = factories.EnrolmentFactory().pupil
    session = cast.session(mode="individual")
    SessionBookingFactory(session=session, school_class=None, pupil=lone_pupil, status=SessionBookingStatus.CONFIRMED)
    assert state_of(lone_pupil, "session", session) == State.OPEN
    assert pending_keys(lone_pupil) == {("session", session.pk)}


def test_a_session_closes_sixty_days_after_its_end(cast):
    session = cast.session(ended_ago=60 * DAY)
    assert state_of(cast.pupil, "session", session) == State.OPEN
    assert pending_keys(cast.pupil) == {("session", session.pk)}
    later = NOW + datetime.timedelta(seconds=1)
    assert state_of(cast.pupil, "session", session, now=later) == State.CLOSED
    assert state_of(cast.professional, "session", session, now=later) == State.CLOSED
    assert pending_keys(cast.pupil, now=later) == set()


def test_an_answered_session_leaves_the_list(cast):
    session = cast.session()
    answer(cast.pupil, "session", session, "pupil")
    assert state_of(cast.pupil, "session", session) == State.ANSWERED
    assert pending_keys(cast.pupil) == set()
    assert pending_keys(cast.other_pupil) == {("session", session.pk)}  # her classmate still may


# --- Tutoring --------------------------------------------------------------------------------------------------------


def test_the_pupil_and_the_tutor_answer_after_the_appointment(cast):
    booking = cast.tutoring()
    pupil_view = selectors.questionnaire_of(cast.pupil, "tutoring", booking.pk, now=NOW)
    tutor_view = selectors.questionnaire_of(cast.tutor, "tutoring", booking.pk, now=NOW)
    assert (pupil_view.state, pupil_view.role, pupil_view.title) == (State.OPEN, "pupil", "Tutorat avec Claire Martin")
    assert (tutor_view.state, tutor_view.role, tutor_view.title) == (State.OPEN, "host", "Tutorat avec Inès B.")
    assert pending_keys(cast.pupil) == pending_keys(cast.tutor) == {("tutoring", booking.pk)}
    for person in (cast.other_pupil, cast.teacher, cast.staff, cast.professional):
        assert state_of(person, "tutoring", booking) is None


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (BookingStatus.ATTENDED, State.OPEN),
        (BookingStatus.CANCELLED, State.NOT_HELD),
        (BookingStatus.NO_SHOW, State.NOT_HELD),
    ],
)
def test_a_cancelled_or_missed_appointment_has_no_questionnaire(cast, status, expected):
    booking = cast.tutoring(status=status)
    assert state_of(cast.pupil, "tutoring", booking) == expected
    assert state_of(cast.tutor, "tutoring", booking) == expected
    listed = {("tutoring", booking.pk)} if expected == State.OPEN else set()
    assert pending_keys(cast.pupil) == pending_keys(cast.tutor) == listed


def test_an_appointment_opens_at_its_end_and_closes_sixty_days_later(cast):
    booking = cast.tutoring(ended_ago=-datetime.timedelta(minutes=10))
    assert state_of(cast.pupil, "tutoring", booking) == State.NOT_YET
    assert pending_keys(cast.pupil) == pending_keys(cast.tutor) == set()
    assert state_of(cast.pupil, "tutoring", booking, now=NOW + datetime.timedelta(minutes=10)) == State.OPEN
    late = NOW + datetime.timedelta(days=60, minutes=11)
    assert state_of(cast.tutor, "tutoring", booking, now=late) == State.CLOSED
    assert pending_keys(cast.tutor, now=late) == set()


# --- Internships -----------------------------------------------------------------------------------------------------


def test_the_pupil_and_the_host_organisation_answer_once_the_week_is_over(cast):
    application = cast.internship()
    pupil_view = selectors.questionnaire_of(cast.pupil, "internship", application.pk, now=NOW)
    assert (pupil_view.state, pupil_view.role, pupil_view.detail) == (
        State.OPEN,
        "pupil",
        "Stage chez Hôpital Delafontaine",
    )
    for person in (cast.employer, cast.professional):
        view = selectors.questionnaire_of(person, "internship", application.pk, now=NOW)
        assert (view.state, view.role, view.detail) == (State.OPEN, "host", "Stagiaire : Inès B.")
        assert pending_keys(person) == {("internship", application.pk)}
    pending_member = factories.OrganisationMembershipFactory(organisation=cast.organisation, pending=True).user
    for person in (cast.other_pupil, cast.teacher, cast.staff, pending_member):
        assert state_of(person, "internship", application) is None


def test_an_internship_opens_when_its_friday_is_over(cast):
    week_start = monday_before(NOW, weeks=0)  # this week: Monday 17 May 2027
    application = cast.internship(week_start=week_start)
    friday_evening = datetime.datetime(2027, 5, 21, 21, 59, tzinfo=datetime.UTC)  # 23:59 in Paris
    assert state_of(cast.pupil, "internship", application, now=friday_evening) == State.NOT_YET
    assert pending_keys(cast.employer, now=friday_evening) == set()
    saturday = datetime.datetime(2027, 5, 21, 22, 0, tzinfo=datetime.UTC)
    assert state_of(cast.pupil, "internship", application, now=saturday) == State.OPEN
    assert pending_keys(cast.employer, now=saturday) == {("internship", application.pk)}


def test_an_internship_abroad_in_time_zones_ends_in_the_offer_s_zone(cast):
    tahiti = factories.CommuneFactory(insee_code="98735", name="Papeete", time_zone="Pacific/Tahiti")
    application = cast.internship(week_start=monday_before(NOW, weeks=0), commune=tahiti)
    friday_in_tahiti = datetime.datetime(2027, 5, 22, 9, 59, tzinfo=datetime.UTC)  # 23:59 on Friday in Papeete
    assert state_of(cast.pupil, "internship", application, now=friday_in_tahiti) == State.NOT_YET
    assert state_of(cast.pupil, "internship", application, now=friday_in_tahiti + datetime.timedelta(minutes=1)) == (
        State.OPEN
    )


def test_an_internship_not_confirmed_has_no_questionnaire(cast):
    application = cast.internship(status=ApplicationStatus.ACCEPTED)
    assert state_of(cast.pupil, "internship", application) == State.NOT_HELD
    assert state_of(cast.employer, "internship", application) == State.NOT_HELD
    assert pending_keys(cast.pupil) == pending_keys(cast.employer) == set()


def test_an_internship_closes_sixty_days_after_its_week(cast):
    application = cast.internship(week_start=datetime.date(2027, 3, 8))  # ended Saturday 13 March, Paris
    assert (
        state_of(
            cast.pupil, "internship", application, now=datetime.datetime(2027, 5, 11, 22, 59, tzinfo=datetime.UTC)
        )
        == State.OPEN
    )
    assert state_of(cast.pupil, "internship", application) == State.CLOSED
    assert pending_keys(cast.pupil) == set()


# --- Everything at once ----------------------------------------------------------------------------------------------


def test_a_person_with_several_roles_sees_each_questionnaire_once(cast):
    # The professional is also a facilitator of the session, a tutor with an appointment, and a member of the host
    # organisation whose intern finished last week.
    session = cast.session()
    session.facilitators.add(cast.professional)
    factories.TutorProfileFactory(user=cast.professional)
    booking = cast.tutoring(tutor=cast.professional)
    application = cast.internship()
    pending = selectors.pending_questionnaires(cast.professional, now=NOW)
    assert [(q.kind, q.target_id, q.role) for q in pending] == [
        ("internship", application.pk, "host"),
        ("tutoring", booking.pk, "host"),
        ("session", session.pk, "host"),
    ]  # the one that closes first comes first
    assert len({q.key for q in pending}) == 3
    # The pupil has three too, and each agrees with the questionnaire read on its own.
    for questionnaire in selectors.pending_questionnaires(cast.pupil, now=NOW):
        alone = selectors.questionnaire_of(cast.pupil, questionnaire.kind, questionnaire.target_id, now=NOW)
        assert alone.state == State.OPEN
        assert alone.role == questionnaire.role == "pupil"
    assert len(selectors.pending_questionnaires(cast.pupil, now=NOW)) == 3


def test_unknown_kinds_and_events_and_anonymous_people_have_nothing(cast):
    session = cast.session()
    assert selectors.questionnaire_of(cast.pupil, "webinar", session.pk, now=NOW) is None
    assert selectors.questionnaire_of(cast.pupil, "session", session.pk + 1000, now=NOW) is None
    from django.contrib.auth.models import AnonymousUser

    assert selectors.questionnaire_of(AnonymousUser(), "session", session.pk, now=NOW) is None
    assert selectors.pending_questionnaires(AnonymousUser(), now=NOW) == []


def _queries(user) -> int:
    with CaptureQueriesContext(connection) as captured:
        selectors.pending_questionnaires(user, now=NOW)
    return len(captured.captured_queries)


def test_the_list_costs_the_same_queries_for_one_event_or_many(cast):
    cast.session()
    cast.tutoring()
    cast.internship()
    pupil, professional = cast.pupil, cast.professional
    one_each = (_queries(pupil), _queries(professional))
    for days in (4, 5, 6, 7):
        cast.session(ended_ago=days * DAY)
        cast.tutoring(ended_ago=days * DAY + datetime.timedelta(hours=3))
        cast.internship(week_start=monday_before(NOW, weeks=days - 2))
    assert len(selectors.pending_questionnaires(pupil, now=NOW)) == 15
    assert len(selectors.pending_questionnaires(professional, now=NOW)) == 10
    assert (_queries(pupil), _queries(professional)) == one_each
    assert max(one_each) <= 5
