"""Live rooms: who enters, when they take messages, per-room sequence numbers (also under 20 concurrent posts on
PostgreSQL), idempotent resends, resume and pages, moderation, and refused input that writes nothing."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from realtime import permissions, selectors, services
from realtime.enums import ModerationKind, RoomState
from realtime.models import ROOM_OPENS_BEFORE, FilteredWord, Message, ModerationAction, Room
from tests import factories
from tests.realtime.factories import MessageFactory, RoomFactory
from tests.scheduling.factories import (
    SeatedBookingFactory,
    SessionBookingFactory,
    SessionsWorldFactory,
    SlotFactory,
)

UTC = datetime.UTC
START = datetime.datetime(2027, 3, 3, 13, 0, tzinfo=UTC)
END = START + datetime.timedelta(hours=1)
DURING = START + datetime.timedelta(minutes=10)
MINUTE = datetime.timedelta(minutes=1)


def _session_room(**kwargs) -> Room:
    return RoomFactory(session__starts_at=START, session__ends_at=END, **kwargs)


def _booking_room() -> Room:
    slot = SlotFactory(starts_at=START, ends_at=END)
    return services.room_for_booking(SeatedBookingFactory(slot=slot))


def _post(room, author, body="Bonjour !", client_id="c-1", now=DURING, **kwargs):
    return services.message_post(room=room, author=author, body=body, client_id=client_id, now=now, **kwargs)


def _pupil():
    return factories.UserFactory(pupil=True)


# --- Rooms -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_room_per_session_and_per_booking():
    session_room = _session_room()
    assert services.room_for_session(session_room.session) == session_room
    assert Room.objects.count() == 1
    booking_room = _booking_room()
    assert services.room_for_booking(booking_room.booking) == booking_room
    assert booking_room.session is None
    assert Room.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("owners", ["both", "neither"])
def test_a_room_belongs_to_exactly_one_session_or_booking(owners):
    room = _booking_room()
    session = None if owners == "neither" else _session_room().session
    with pytest.raises(IntegrityError), transaction.atomic():
        Room.objects.create(session=session, booking=room.booking if owners == "both" else None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "state"),
    [
        (START - ROOM_OPENS_BEFORE - MINUTE, RoomState.NOT_YET_OPEN),
        (START - ROOM_OPENS_BEFORE, RoomState.OPEN),
        (START, RoomState.OPEN),
        (END - MINUTE, RoomState.OPEN),
        (END, RoomState.CLOSED),
        (END + datetime.timedelta(days=2), RoomState.CLOSED),
    ],
)
@pytest.mark.parametrize("kind", ["session", "booking"])
def test_a_room_opens_a_quarter_before_the_start_and_is_read_only_after_the_end(kind, moment, state):
    room = _session_room() if kind == "session" else _booking_room()
    assert room.state(moment) == state


@pytest.mark.django_db
def test_a_cancelled_session_or_booking_leaves_its_room_read_only():
    room = _session_room()
    room.session.status = "cancelled"
    room.session.save()
    booking_room = _booking_room()
    booking_room.booking.status = "cancelled"
    booking_room.booking.save()
    assert room.state(DURING) == booking_room.state(DURING) == RoomState.CLOSED


# --- Messages --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_messages_take_consecutive_numbers_per_room():
    room, other_room, author = _session_room(), _booking_room(), _pupil()
    numbers = [_post(room, author, client_id=f"c-{n}")[0].seq for n in range(3)]
    other = _post(other_room, author, client_id="c-0")[0]
    assert numbers == [1, 2, 3]
    assert other.seq == 1
    room.refresh_from_db()
    assert room.next_seq == 4
    assert selectors.last_seq(room) == 3


@pytest.mark.django_db
def test_a_pupils_message_is_stored_trimmed_with_contact_details_masked():
    room, author = _session_room(), _pupil()
    FilteredWord.objects.create(word="Bouffon")
    message, created = _post(room, author, body="  Appelle-moi au 06 12 34 56 78 ou lea.b@exemple.fr, bouffon  ")
    message.refresh_from_db()
    assert created
    assert message.body == "Appelle-moi au [masqué] ou [masqué], [masqué]"
    assert message.created_at == DURING
    assert message.masked == ["email", "phone", "word"]


@pytest.mark.django_db
def test_an_adults_message_is_stored_as_written():
    room, professional = _session_room(), factories.UserFactory()
    message, _created = _post(room, professional, body="Écrivez à contact@entreprise.fr pour un stage.")
    assert message.body == "Écrivez à contact@entreprise.fr pour un stage."
    assert message.masked == []


@pytest.mark.django_db
def test_a_resend_with_the_same_client_id_is_stored_once():
    room, author, other_author = _session_room(), _pupil(), _pupil()
    first, created = _post(room, author, client_id="abc")
    again, created_again = _post(room, author, client_id="abc", now=DURING + MINUTE)
    assert created
    assert not created_again
    assert again.pk == first.pk
    assert again.seq == 1
    # The same client_id from somebody else is another message.
    theirs, created_theirs = _post(room, other_author, client_id="abc")
    assert created_theirs
    assert theirs.seq == 2
    # After the end the room takes nothing new, but a late resend still gets its acknowledgement.
    late, late_created = _post(room, author, client_id="abc", now=END + MINUTE)
    assert late.pk == first.pk
    assert not late_created
    assert Message.objects.filter(room=room).count() == 2


@pytest.mark.django_db
def test_the_database_refuses_a_second_message_with_the_same_number_or_client_id():
    room, author = _session_room(), _pupil()
    _post(room, author, client_id="abc")
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(room=room, seq=1, author=author, body="x", client_id="other")
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(room=room, seq=2, author=author, body="x", client_id="abc")


def _refusals():
    """(label, arguments of the post, expected error code)."""
    return [
        ("empty", {"body": ""}, "empty"),
        ("blank", {"body": " \n\t "}, "empty"),
        ("not text", {"body": None}, "empty"),
        ("too long", {"body": "a" * 11}, "too_long"),
        ("no client_id", {"client_id": ""}, "client_id"),
        ("client_id not text", {"client_id": 12}, "client_id"),
        ("client_id too long", {"client_id": "x" * 65}, "client_id"),
        ("before opening", {"now": START - ROOM_OPENS_BEFORE - MINUTE}, "not_yet_open"),
        ("after the end", {"now": END}, "closed"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "arguments", "code"), _refusals(), ids=[r[0] for r in _refusals()])
def test_refused_posts_write_nothing(settings, label, arguments, code):
    settings.REALTIME_MAX_MESSAGE_LENGTH = 10
    room, author = _session_room(), _pupil()
    with pytest.raises(ValidationError) as refused:
        _post(room, author, **{"body": "Bonjour", **arguments})
    assert refused.value.code == code
    assert refused.value.messages[0]  # a sentence for the author
    assert not Message.objects.exists()
    room.refresh_from_db()
    assert room.next_seq == 1


@pytest.mark.django_db
def test_the_length_limit_defaults_to_a_thousand_characters(settings):
    del settings.REALTIME_MAX_MESSAGE_LENGTH
    room, author = _session_room(), _pupil()
    assert _post(room, author, body="a" * 1000)[1]
    with pytest.raises(ValidationError, match="1001 caractères pour 1000"):
        _post(room, author, body="a" * 1001, client_id="c-2")


@pytest.mark.django_db
def test_a_refused_post_leaves_no_gap_in_the_sequence():
    room, author = _session_room(), _pupil()
    _post(room, author, client_id="c-1")
    with pytest.raises(ValidationError):
        _post(room, author, body="", client_id="c-2")
    assert _post(room, author, client_id="c-3")[0].seq == 2


@pytest.mark.django_db
def test_the_refusal_messages_are_in_french():
    room, author = _session_room(), _pupil()
    with pytest.raises(ValidationError, match="Le salon ouvre à"):
        _post(room, author, now=START - datetime.timedelta(hours=1))
    with pytest.raises(ValidationError, match="plus en écrire"):
        _post(room, author, now=END)


# --- Resume and pages ------------------------------------------------------------------------------------------


@pytest.fixture
def room_of_ten(db):
    room, author = _session_room(), _pupil()
    for n in range(10):
        _post(room, author, body=f"message {n + 1}", client_id=f"c-{n}")
    return room


def _seqs(messages):
    return [message.seq for message in messages]


def test_a_client_resuming_gets_exactly_what_it_missed_in_order(room_of_ten):
    assert _seqs(selectors.messages_after(room_of_ten, 0)) == list(range(1, 11))
    assert _seqs(selectors.messages_after(room_of_ten, 7)) == [8, 9, 10]
    assert selectors.messages_after(room_of_ten, 10) == []
    assert _seqs(selectors.messages_after(room_of_ten, 2, limit=3)) == [3, 4, 5]
    assert _seqs(selectors.messages_after(room_of_ten, -5, limit=2)) == [1, 2]


def test_history_loads_in_pages_oldest_first(room_of_ten):
    assert _seqs(selectors.messages_page(room_of_ten, limit=4)) == [7, 8, 9, 10]
    assert _seqs(selectors.messages_page(room_of_ten, before_seq=7, limit=4)) == [3, 4, 5, 6]
    assert _seqs(selectors.messages_page(room_of_ten, before_seq=3, limit=4)) == [1, 2]
    assert selectors.messages_page(room_of_ten, before_seq=1) == []


def test_pages_are_bounded(room_of_ten):
    assert len(selectors.messages_after(room_of_ten, 0, limit=0)) == 1
    assert len(selectors.messages_page(room_of_ten, limit=10_000)) == 10
    assert selectors.MAX_PAGE == 200


def test_resume_reads_a_page_in_a_fixed_number_of_queries(room_of_ten, django_assert_num_queries):
    with django_assert_num_queries(1):
        messages = selectors.messages_after(room_of_ten, 0)
        assert all(message.author.display_name for message in messages)


def test_pages_only_hold_their_own_room(room_of_ten):
    MessageFactory(room=RoomFactory())
    assert len(selectors.messages_after(room_of_ten, 0)) == 10


# --- Moderation ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_deleted_message_keeps_its_number_and_the_log_says_who_when_and_why():
    room, author, moderator = _session_room(), _pupil(), factories.UserFactory()
    message, _created = _post(room, author)
    services.message_delete(message=message, actor=moderator, reason="Propos blessants", now=DURING + MINUTE)
    services.message_delete(message=message, actor=moderator, now=DURING + 2 * MINUTE)  # no second entry
    message.refresh_from_db()
    assert message.is_deleted
    assert message.deleted_by == moderator
    assert message.seq == 1
    assert _seqs(selectors.messages_after(room, 0)) == [1]
    [entry] = selectors.moderation_log(room)
    assert (entry.action, entry.actor, entry.target_message, entry.target_user, entry.reason, entry.created_at) == (
        ModerationKind.DELETE_MESSAGE,
        moderator,
        message,
        author,
        "Propos blessants",
        DURING + MINUTE,
    )


@pytest.mark.django_db
def test_a_locked_room_takes_no_message_until_unlocked():
    room, author, moderator = _session_room(), _pupil(), factories.UserFactory()
    services.room_lock(room=room, actor=moderator, reason="Trop d'agitation", now=DURING)
    room.refresh_from_db()
    assert room.state(DURING) == RoomState.LOCKED
    with pytest.raises(ValidationError) as refused:
        _post(room, author)
    assert refused.value.code == "locked"
    assert not Message.objects.exists()
    services.room_unlock(room=room, actor=moderator, now=DURING + MINUTE)
    assert _post(room, author)[0].seq == 1
    assert [entry.action for entry in selectors.moderation_log(room)] == [ModerationKind.LOCK, ModerationKind.UNLOCK]


@pytest.mark.django_db
def test_a_muted_participant_cannot_post_until_given_the_floor_back():
    room, author, moderator = _session_room(), _pupil(), factories.UserFactory()
    services.participant_restrict(room=room, actor=moderator, user=author, action=ModerationKind.MUTE, now=DURING)
    with pytest.raises(ValidationError) as refused:
        _post(room, author)
    assert refused.value.code == "muted"
    assert not Message.objects.exists()
    services.participant_restrict(
        room=room, actor=moderator, user=author, action=ModerationKind.UNMUTE, now=DURING + MINUTE
    )
    assert _post(room, author)[1]


@pytest.mark.django_db
def test_moderators_cannot_restrict_themselves_and_restrictions_are_checked():
    room, moderator = _session_room(), factories.UserFactory()
    with pytest.raises(ValidationError):
        services.participant_restrict(room=room, actor=moderator, user=moderator, action=ModerationKind.MUTE)
    with pytest.raises(TypeError):
        services.participant_restrict(room=room, actor=moderator, user=_pupil(), action=ModerationKind.LOCK)
    with pytest.raises(ValidationError):
        services.room_lock(room=room, actor=moderator, reason="x" * 501)
    assert not ModerationAction.objects.exists()


# --- Who enters ------------------------------------------------------------------------------------------------


@pytest.fixture
def session_cast(db):
    """A session with a confirmed class, a pending class, a pupil confirmed on her own, a facilitator."""
    world = SessionsWorldFactory()
    session = world.session(starts_at=START, ends_at=END)
    facilitator = factories.UserFactory()
    session.facilitators.add(facilitator)
    SessionBookingFactory(session=session, school_class=world.school_class)
    pending_teacher, pending_class = world.another_class()
    SessionBookingFactory(session=session, school_class=pending_class, status="pending")
    individual = _pupil()
    SessionBookingFactory(session=session, school_class=None, pupil=individual)
    declined = _pupil()
    SessionBookingFactory(session=session, school_class=None, pupil=declined, status="declined")
    other_staff = factories.AssociationMembershipFactory().user
    left_pupil = factories.EnrolmentFactory(
        school_class=world.school_class, left_at=timezone.now() - datetime.timedelta(days=1)
    ).pupil
    inactive_pupil = factories.EnrolmentFactory(school_class=world.school_class, pupil__is_active=False).pupil
    pending_staff = factories.SchoolStaffFactory(school=world.school, pending=True).user
    world.school_class.teachers.add(pending_staff)
    return {
        "room": services.room_for_session(session),
        "allowed": {
            "pupil of a confirmed class": world.pupils[0],
            "pupil confirmed on her own": individual,
            "teacher of a confirmed class": world.teacher,
            "professional": world.professional,
            "facilitator": facilitator,
            "association staff": world.staff,
            "platform staff": factories.UserFactory(staff=True),
        },
        "refused": {
            "pupil of a pending class": pending_class.enrolments.first().pupil,
            "teacher of a pending class": pending_teacher,
            "pupil whose booking was declined": declined,
            "pupil who left the class": left_pupil,
            "deactivated pupil": inactive_pupil,
            "teacher not confirmed by the school": pending_staff,
            "another association's staff": other_staff,
            "another pupil": _pupil(),
            "an adult with no role": factories.UserFactory(),
            "a tutor": factories.TutorProfileFactory().user,
        },
    }


def test_session_room_entry_per_role(session_cast):
    room = session_cast["room"]
    assert {
        name: permissions.can_enter(user, room) for name, user in session_cast["allowed"].items()
    } == dict.fromkeys(session_cast["allowed"], True)
    assert {
        name: permissions.can_enter(user, room) for name, user in session_cast["refused"].items()
    } == dict.fromkeys(session_cast["refused"], False)


def test_anonymous_visitors_never_enter(session_cast):
    from django.contrib.auth.models import AnonymousUser

    assert not permissions.can_enter(AnonymousUser(), session_cast["room"])
    assert not permissions.can_enter(None, session_cast["room"])


def test_a_removed_participant_no_longer_enters(session_cast):
    room, pupil = session_cast["room"], session_cast["allowed"]["pupil of a confirmed class"]
    services.participant_restrict(
        room=room, actor=session_cast["allowed"]["facilitator"], user=pupil, action=ModerationKind.REMOVE
    )
    assert not permissions.can_enter(pupil, room)
    assert permissions.can_enter(session_cast["allowed"]["pupil confirmed on her own"], room)


def test_session_room_moderators(session_cast):
    room, allowed = session_cast["room"], session_cast["allowed"]
    moderators = {"teacher of a confirmed class", "facilitator", "association staff", "platform staff"}
    assert {name for name, user in allowed.items() if permissions.can_moderate(user, room)} == moderators
    assert not any(permissions.can_moderate(user, room) for user in session_cast["refused"].values())


@pytest.fixture
def tutoring_cast(db):
    """A booking of a pupil of a class, with a tutor affiliated to an association."""
    school = factories.SchoolFactory()
    teacher = factories.SchoolStaffFactory(school=school).user
    school_class = factories.SchoolClassFactory(school=school, teachers=[teacher])
    pupil = factories.EnrolmentFactory(school_class=school_class).pupil
    tutor = factories.TutorProfileFactory().user
    tutor_membership = factories.AssociationMembershipFactory(user=tutor, role="tutor")
    staff = factories.AssociationMembershipFactory(association=tutor_membership.association).user
    slot = SlotFactory(tutor=tutor, starts_at=START, ends_at=END)
    booking = SeatedBookingFactory(slot=slot, pupil=pupil)
    other_teacher = factories.SchoolStaffFactory(school=school).user
    factories.SchoolClassFactory(school=school, teachers=[other_teacher])
    return {
        "room": services.room_for_booking(booking),
        "allowed": {"pupil": pupil, "tutor": tutor, "pupil's teacher": teacher, "tutor's association staff": staff},
        "refused": {
            "another pupil of the class": factories.EnrolmentFactory(school_class=school_class).pupil,
            "another teacher of the school": other_teacher,
            "another association's staff": factories.AssociationMembershipFactory().user,
            "another tutor": factories.TutorProfileFactory().user,
            "an adult with no role": factories.UserFactory(),
            "platform staff": factories.UserFactory(staff=True),
        },
    }


def test_tutoring_room_entry_per_role(tutoring_cast):
    room = tutoring_cast["room"]
    assert {name: permissions.can_enter(user, room) for name, user in tutoring_cast["allowed"].items()} == (
        dict.fromkeys(tutoring_cast["allowed"], True)
    )
    assert {name: permissions.can_enter(user, room) for name, user in tutoring_cast["refused"].items()} == (
        dict.fromkeys(tutoring_cast["refused"], False)
    )


def test_tutoring_room_moderators_are_the_supervising_adults(tutoring_cast):
    room, allowed = tutoring_cast["room"], tutoring_cast["allowed"]
    assert {name for name, user in allowed.items() if permissions.can_moderate(user, room)} == {
        "pupil's teacher",
        "tutor's association staff",
    }


# --- The sequence under concurrent posts (PostgreSQL) ----------------------------------------------------------

WRITERS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_posts_get_twenty_consecutive_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL's row locks (set DATABASE_URL)")
    room = _session_room()
    authors = [_pupil() for _ in range(WRITERS)]
    barrier = threading.Barrier(WRITERS)
    outcomes, lock = [], threading.Lock()

    def post(author, index):
        try:
            barrier.wait(timeout=60)
            # Half of the writers send twice with the same client_id, as a client that missed its acknowledgement.
            for _attempt in range(2 if index % 2 else 1):
                message, created = _post(room, author, body=f"message {index}", client_id=f"c-{index}")
                outcome = ("created" if created else "resent", message.seq)
                with lock:
                    outcomes.append(outcome)
        except Exception as error:  # reported by the assertions
            with lock:
                outcomes.append(("error", repr(error)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(author, n)) for n, author in enumerate(authors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    errors = [outcome for outcome in outcomes if outcome[0] == "error"]
    assert not errors
    created = sorted(seq for kind, seq in outcomes if kind == "created")
    assert created == list(range(1, WRITERS + 1))
    assert len([kind for kind, _seq in outcomes if kind == "resent"]) == WRITERS // 2
    assert sorted(Message.objects.filter(room=room).values_list("seq", flat=True)) == list(range(1, WRITERS + 1))
    room.refresh_from_db()
    assert room.next_seq == WRITERS + 1
