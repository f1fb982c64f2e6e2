"""The live session tools' rules, below the socket: questions and their pre-moderation, polls, pins, hands,
reports, presence, roles, and the per-person message rate. Refused input writes nothing."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import override_settings

from realtime import permissions, ratelimit, selectors, services
from realtime.enums import ModerationKind, QuestionStatus, ReportResolution
from realtime.models import PRESENCE_TTL, ModerationAction, Poll, PollOption, Question, RaisedHand, Report
from tests import factories
from tests.realtime.factories import MessageFactory, RoomFactory
from tests.scheduling.factories import SeatedBookingFactory, SlotFactory

UTC = datetime.UTC
START = datetime.datetime(2027, 3, 3, 13, 0, tzinfo=UTC)
END = START + datetime.timedelta(hours=1)
DURING = START + datetime.timedelta(minutes=10)
AFTER = END + datetime.timedelta(minutes=1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def room():
    return RoomFactory(session__starts_at=START, session__ends_at=END)


@pytest.fixture
def pupil():
    return factories.UserFactory(pupil=True)


@pytest.fixture
def adult():
    return factories.UserFactory()


def _ask(room, author, body="Vous travaillez le week-end ?", client_id="q-1", now=DURING):
    return services.question_ask(room=room, author=author, body=body, client_id=client_id, now=now)


# --- Questions -----------------------------------------------------------------------------------------------


def test_a_pupils_question_waits_when_the_room_premoderates_an_adults_does_not(room, pupil, adult):
    question, created = _ask(room, pupil)
    assert created
    assert question.status == QuestionStatus.PENDING
    assert _ask(room, adult)[0].status == QuestionStatus.APPROVED
    services.premoderation_set(room=room, actor=adult, enabled=False, now=DURING)
    assert _ask(room, pupil, client_id="q-2")[0].status == QuestionStatus.APPROVED
    assert ModerationAction.objects.filter(action=ModerationKind.PREMODERATION).count() == 1
    # Switching to the same value logs nothing.
    services.premoderation_set(room=room, actor=adult, enabled=False, now=DURING)
    assert ModerationAction.objects.filter(action=ModerationKind.PREMODERATION).count() == 1


def test_a_resent_question_is_stored_once_and_contact_details_are_masked(room, pupil):
    first, created = _ask(room, pupil, body="Écris-moi à ines@example.org")
    again, created_again = _ask(room, pupil, body="Écris-moi à ines@example.org")
    assert created
    assert not created_again
    assert again.pk == first.pk
    assert "example.org" not in first.body
    assert first.masked == ["email"]
    assert Question.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "code"), [("", "empty"), ("   ", "empty"), ("x" * 1001, "too_long"), (None, "empty")]
)
def test_a_bad_question_is_refused_and_nothing_is_stored(room, pupil, body, code):
    with pytest.raises(ValidationError) as error:
        _ask(room, pupil, body=body)
    assert error.value.code == code
    assert not Question.objects.exists()


def test_no_question_outside_the_rooms_hours_nor_from_a_muted_pupil(room, pupil, adult):
    with pytest.raises(ValidationError) as error:
        _ask(room, pupil, now=AFTER)
    assert error.value.code == "closed"
    services.participant_restrict(room=room, actor=adult, user=pupil, action=ModerationKind.MUTE, now=DURING)
    with pytest.raises(ValidationError) as error:
        _ask(room, pupil)
    assert error.value.code == "muted"
    assert not Question.objects.exists()


def test_a_question_is_decided_once_and_answered_only_once_approved(room, pupil, adult):
    question, _ = _ask(room, pupil)
    with pytest.raises(ValidationError):
        services.question_answered(question=question, actor=adult)
    question = services.question_decide(question=question, actor=adult, approve=True, now=DURING)
    assert question.status == QuestionStatus.APPROVED
    assert question.decided_by == adult
    with pytest.raises(ValidationError):
        services.question_decide(question=question, actor=adult, approve=False, now=DURING)
    assert services.question_answered(question=question, actor=adult).status == QuestionStatus.ANSWERED
    # Marking it answered again changes nothing.
    assert services.question_answered(question=question, actor=adult).status == QuestionStatus.ANSWERED


def test_who_sees_which_question(room, pupil, adult):
    other_pupil = factories.UserFactory(pupil=True)
    waiting, _ = _ask(room, pupil, client_id="q-1")
    approved, _ = _ask(room, pupil, client_id="q-2")
    services.question_decide(question=approved, actor=adult, approve=True, now=DURING)
    set_aside, _ = _ask(room, other_pupil, client_id="q-3")
    services.question_decide(question=set_aside, actor=adult, approve=False, now=DURING)
    assert selectors.visible_questions(room, pupil, moderator=False) == [waiting, approved]
    assert selectors.visible_questions(room, other_pupil, moderator=False) == [approved, set_aside]
    assert selectors.visible_questions(room, adult, moderator=True) == [waiting, approved, set_aside]


# --- Polls ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "options"),
    [
        ("", ["Oui", "Non"]),
        ("Q ?", ["Oui"]),
        ("Q ?", ["Oui", "oui"]),
        ("Q ?", ["a", "b", "c", "d", "e", "f", "g"]),
        ("Q ?", ["a", "x" * 101]),
        ("x" * 201, ["Oui", "Non"]),
        ("Q ?", "Oui, Non"),
        ("Q ?", ["Oui", 3]),
        (None, ["Oui", "Non"]),
    ],
)
def test_a_bad_poll_is_refused_with_a_message_and_nothing_is_stored(room, adult, question, options):
    with pytest.raises(ValidationError) as error:
        services.poll_open(room=room, actor=adult, question=question, options=options, now=DURING)
    assert error.value.messages[0]
    assert not Poll.objects.exists()
    assert not PollOption.objects.exists()


def test_votes_count_once_per_person_and_stop_when_the_poll_closes(room, pupil, adult):
    poll = services.poll_open(
        room=room, actor=adult, question="Ton secteur ?", options=[" Soin ", "BTP", ""], now=DURING
    )
    soin, btp = poll.options.all()
    assert (soin.label, btp.label) == ("Soin", "BTP")
    services.poll_vote(poll=poll, voter=pupil, option_id=soin.pk, now=DURING)
    services.poll_vote(poll=poll, voter=pupil, option_id=btp.pk, now=DURING)
    services.poll_vote(poll=poll, voter=adult, option_id=btp.pk, now=DURING)
    [(_poll, results)] = selectors.polls_with_results(room)
    assert [(option.label, votes) for option, votes in results] == [("Soin", 0), ("BTP", 2)]
    other = services.poll_open(room=room, actor=adult, question="Autre ?", options=["a", "b"], now=DURING)
    with pytest.raises(ValidationError) as error:
        services.poll_vote(poll=poll, voter=pupil, option_id=other.options.first().pk, now=DURING)
    assert error.value.code == "not_found"
    services.poll_close(poll=poll, actor=adult)
    with pytest.raises(ValidationError) as error:
        services.poll_vote(poll=poll, voter=pupil, option_id=soin.pk, now=DURING)
    assert error.value.code == "closed"
    assert poll.votes.count() == 2


# --- Pins and hands ------------------------------------------------------------------------------------------


def test_pinning_is_logged_and_a_deleted_message_is_unpinned(room, adult):
    message = MessageFactory(room=room, author=adult)
    room = services.message_pin(room=room, actor=adult, message=message, now=DURING)
    assert room.pinned_message == message
    services.message_delete(message=message, actor=adult, now=DURING)
    room.refresh_from_db()
    assert room.pinned_message is None
    with pytest.raises(ValidationError):
        services.message_pin(room=room, actor=adult, message=message, now=DURING)
    other_room_message = MessageFactory()
    with pytest.raises(ValidationError) as error:
        services.message_pin(room=room, actor=adult, message=other_room_message, now=DURING)
    assert error.value.code == "not_found"
    assert ModerationAction.objects.filter(action=ModerationKind.PIN_MESSAGE).count() == 1


def test_hands_are_raised_once_and_a_removed_participants_hand_goes_down(room, pupil, adult):
    assert services.hand_set(room=room, user=pupil, raised=True, now=DURING)
    assert not services.hand_set(room=room, user=pupil, raised=True, now=DURING)
    assert [hand.user for hand in selectors.raised_hands(room)] == [pupil]
    services.participant_restrict(room=room, actor=adult, user=pupil, action=ModerationKind.REMOVE, now=DURING)
    assert not RaisedHand.objects.exists()
    with pytest.raises(ValidationError):
        services.hand_set(room=room, user=adult, raised=True, now=AFTER)


# --- Reports -------------------------------------------------------------------------------------------------


def test_a_report_is_made_once_per_person_and_never_on_ones_own_message(room, pupil, adult):
    message = MessageFactory(room=room, author=pupil)
    first = services.report_create(message=message, reporter=adult, reason="Insulte")
    assert services.report_create(message=message, reporter=adult, reason="Encore").pk == first.pk
    with pytest.raises(ValidationError):
        services.report_create(message=message, reporter=pupil)
    with pytest.raises(ValidationError):
        services.report_create(message=message, reporter=adult, reason="x" * 501)
    assert Report.objects.count() == 1


def test_deleting_a_reported_message_closes_all_its_reports_dismissing_closes_one(room, pupil, adult):
    message = MessageFactory(room=room, author=pupil)
    reports = [services.report_create(message=message, reporter=factories.UserFactory(pupil=True)) for _ in range(2)]
    other = services.report_create(message=MessageFactory(room=room, author=pupil), reporter=adult)
    services.report_resolve(report=other, actor=adult, resolution=ReportResolution.DISMISSED, reason="Rien")
    assert ModerationAction.objects.filter(action=ModerationKind.DISMISS_REPORT, reason="Rien").count() == 1
    resolved = services.report_resolve(report=reports[0], actor=adult, resolution=ReportResolution.DELETED)
    assert resolved.resolution == ReportResolution.DELETED
    assert set(Report.objects.filter(message=message).values_list("resolution", flat=True)) == {"deleted"}
    message.refresh_from_db()
    assert message.is_deleted
    with pytest.raises(ValidationError):
        services.report_resolve(report=reports[1], actor=adult, resolution=ReportResolution.DISMISSED)
    with pytest.raises(ValidationError):
        services.report_resolve(report=other, actor=adult, resolution="burn")
    with pytest.raises(ValidationError):
        services.report_create(message=message, reporter=adult)


# --- Presence and roles --------------------------------------------------------------------------------------


def test_presence_counts_a_person_once_and_forgets_stale_connections(room, pupil):
    assert services.presence_join(room=room, user=pupil, channel_name="a", role="pupil", now=DURING)
    assert not services.presence_join(room=room, user=pupil, channel_name="b", role="pupil", now=DURING)
    assert [row.user for row in selectors.present(room, now=DURING)] == [pupil]
    assert not services.presence_leave(room=room, user=pupil, channel_name="a", now=DURING)
    assert services.presence_leave(room=room, user=pupil, channel_name="b", now=DURING)
    services.presence_join(room=room, user=pupil, channel_name="c", role="pupil", now=DURING)
    later = DURING + PRESENCE_TTL + datetime.timedelta(seconds=1)
    assert selectors.present(room, now=later) == []
    # A process that died left its row: the person counts as newly arrived.
    assert services.presence_join(room=room, user=pupil, channel_name="d", role="pupil", now=later)


def test_roles_in_a_tutoring_room():
    slot = SlotFactory(starts_at=START, ends_at=END)
    booking = SeatedBookingFactory(slot=slot)
    room = services.room_for_booking(booking)
    assert permissions.role_of(booking.pupil, room) == "pupil"
    assert permissions.role_of(slot.tutor, room) == "tutor"
    assert permissions.is_speaker(slot.tutor, room)
    assert not permissions.is_speaker(booking.pupil, room)
    assert permissions.role_of(factories.UserFactory(), room) == "adult"
    assert permissions.role_of(factories.UserFactory(is_staff=True), room) == "staff"


# --- Rate ----------------------------------------------------------------------------------------------------


def test_the_rate_allows_five_in_ten_seconds_then_says_how_long_to_wait():
    start = 1_000_000.0  # the start of a ten-second window
    for n in range(5):
        assert ratelimit.hit(1, 2, now=start + n) is None
    wait = ratelimit.hit(1, 2, now=start + 5)
    assert 0 < wait <= 5.1
    # Another person, or another room, has its own allowance.
    assert ratelimit.hit(1, 3, now=start + 5) is None
    assert ratelimit.hit(9, 2, now=start + 5) is None
    # Refused attempts are not counted: later, as the window slides, sending works again.
    assert ratelimit.hit(1, 2, now=start + 19) is None


@override_settings(REALTIME_MESSAGE_RATE="ten per minute")
def test_a_malformed_rate_setting_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured):
        ratelimit.rate()
