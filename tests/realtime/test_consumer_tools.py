"""The live session tools over the socket: the state frame, presence, typing, hands, questions with
pre-moderation, polls, pins, reports and moderation, rate limits, history and gaps, closing. Runs on the in-memory
layer and SQLite, or on Redis pub/sub and PostgreSQL when REDIS_URL and DATABASE_URL are set."""

import datetime

import pytest
from asgiref.sync import async_to_sync
from django.test import override_settings
from django.utils import timezone

from realtime import services
from realtime.enums import ModerationKind, QuestionStatus, ReportResolution
from realtime.models import ModerationAction, PollVote, Question, Report
from tests import factories
from tests.realtime.factories import MessageFactory, OpenSessionRoomCast
from tests.realtime.ws import TIMEOUT, RoomClient, close_all, headers_for

pytestmark = pytest.mark.django_db(transaction=True)


def _run(scenario):
    async_to_sync(scenario)()


class Cast(OpenSessionRoomCast):
    def __init__(self):
        super().__init__()
        self.facilitator = factories.UserFactory()
        self.session.facilitators.add(self.facilitator)
        self.headers = {
            "pupil": headers_for(self.pupils[0]),
            "pupil2": headers_for(self.pupils[1]),
            "professional": headers_for(self.professional),
            "teacher": headers_for(self.teacher),
            "facilitator": headers_for(self.facilitator),
            "staff": headers_for(self.staff),
        }

    async def open(self, *who: str) -> list[RoomClient]:
        return [await RoomClient.open(self.room.pk, self.headers[name]) for name in who]


@pytest.fixture
def cast():
    return Cast()


# --- Arriving ------------------------------------------------------------------------------------------------


def test_the_state_frame_tells_each_person_what_they_may_do_and_what_is_going_on(cast):
    MessageFactory(room=cast.room, author=cast.professional, body="Bienvenue")
    poll = services.poll_open(room=cast.room, actor=cast.professional, question="Vous aimez ?", options=["Oui", "Non"])

    async def scenario():
        pupil, teacher, professional, staff = await cast.open("pupil", "teacher", "professional", "staff")
        state = pupil.state
        assert state["room"]["title"] == cast.session.title
        assert state["room"]["state"] == "open"
        assert state["room"]["video"]["url"] == cast.session.video_url
        assert state["room"]["premoderation"] is True
        assert state["last_id"] == 1
        assert state["you"] == {
            "id": cast.pupils[0].pk,
            "name": cast.pupils[0].display_name,
            "role": "pupil",
            "moderator": False,
            "speaker": False,
            "muted": False,
        }
        assert [p["id"] for p in state["presence"]] == [cast.pupils[0].pk]
        assert state["polls"][0]["id"] == poll.pk
        assert [o["label"] for o in state["polls"][0]["options"]] == ["Oui", "Non"]
        assert teacher.state["you"]["role"] == "teacher"
        assert teacher.state["you"]["moderator"] is True
        assert professional.state["you"]["role"] == "professional"
        assert professional.state["you"]["speaker"] is True
        assert professional.state["you"]["moderator"] is False
        assert staff.state["you"]["role"] == "staff"
        assert staff.state["you"]["moderator"] is True
        assert {p["role"] for p in staff.state["presence"]} == {"pupil", "teacher", "professional", "staff"}
        await close_all(pupil, teacher, professional, staff)

    _run(scenario)


def test_presence_says_who_comes_and_goes_once_per_person(cast):
    async def scenario():
        [teacher] = await cast.open("teacher")
        assert (await teacher.next("presence"))["joined"]["id"] == cast.teacher.pk
        [pupil] = await cast.open("pupil")
        joined = await teacher.next("presence")
        assert joined == {
            "type": "presence",
            "joined": {"id": cast.pupils[0].pk, "name": cast.pupils[0].display_name, "role": "pupil"},
        }
        # A second tab of the same pupil: nobody is told again; closing one tab of two: still here.
        [second_tab] = await cast.open("pupil")
        await second_tab.close()
        assert await teacher.communicator.receive_nothing(timeout=0.3)
        await pupil.close()
        left = await teacher.next("presence")
        assert left["left"]["id"] == cast.pupils[0].pk
        await close_all(teacher)

    _run(scenario)


def test_typing_is_passed_on_to_the_room(cast):
    async def scenario():
        pupil, teacher = await cast.open("pupil", "teacher")
        await pupil.send({"type": "typing"})
        frame = await teacher.next("typing")
        assert frame["participant"]["id"] == cast.pupils[0].pk
        await close_all(pupil, teacher)

    _run(scenario)


# --- Hands ---------------------------------------------------------------------------------------------------


def test_hands_are_raised_lowered_and_lowered_by_a_moderator(cast):
    async def scenario():
        pupil, pupil2, teacher = await cast.open("pupil", "pupil2", "teacher")
        await pupil.send({"type": "hand", "raised": True})
        hands = await teacher.next("hands")
        assert [hand["participant"]["id"] for hand in hands["hands"]] == [cast.pupils[0].pk]
        await pupil2.send({"type": "hand", "raised": True})
        assert len((await teacher.next("hands"))["hands"]) == 2
        await pupil.send({"type": "hand", "raised": False})
        assert [h["participant"]["id"] for h in (await teacher.next("hands"))["hands"]] == [cast.pupils[1].pk]
        # A pupil cannot lower somebody else's hand; the teacher can, and it is logged.
        await pupil.send({"type": "moderate", "action": "lower_hand", "participant": cast.pupils[1].pk})
        assert (await pupil.next("error"))["code"] == "forbidden"
        await teacher.send({"type": "moderate", "action": "lower_hand", "participant": cast.pupils[1].pk})
        assert (await teacher.next("hands"))["hands"] == []
        moderation = await pupil2.next("moderation")
        assert moderation["action"] == "lower_hand"
        assert moderation["participant"]["id"] == cast.pupils[1].pk
        await close_all(pupil, pupil2, teacher)

    _run(scenario)
    assert ModerationAction.objects.filter(action=ModerationKind.LOWER_HAND, actor=cast.teacher).count() == 1


# --- Questions -----------------------------------------------------------------------------------------------


def test_a_pupils_question_waits_for_approval_then_reaches_the_professional_who_answers_it(cast):
    async def scenario():
        pupil, pupil2, professional, facilitator = await cast.open("pupil", "pupil2", "professional", "facilitator")
        await pupil.send({"type": "question", "body": "Combien gagne un électricien ?", "client_id": "q-1"})
        ack = await pupil.next("ack")
        assert ack["client_id"] == "q-1"
        assert ack["status"] == "pending"
        pending = await pupil.next("question")
        assert pending["status"] == "pending"
        assert pending["id"] == ack["question"]
        assert (await facilitator.next("question"))["status"] == "pending"
        # Neither the professional nor the class see it yet.
        assert await professional.nothing()
        assert await pupil2.nothing()

        # A pupil cannot approve; the facilitator can.
        await pupil2.send({"type": "question_decide", "question": ack["question"], "decision": "approve"})
        assert (await pupil2.next("error"))["code"] == "forbidden"
        await facilitator.send({"type": "question_decide", "question": ack["question"], "decision": "approve"})
        for client in (pupil, pupil2, professional, facilitator):
            assert (await client.next("question"))["status"] == "approved"

        await professional.send({"type": "question_answered", "question": ack["question"]})
        for client in (pupil, pupil2, professional, facilitator):
            assert (await client.next("question"))["status"] == "answered"
        await close_all(pupil, pupil2, professional, facilitator)

    _run(scenario)
    question = Question.objects.get()
    assert question.status == QuestionStatus.ANSWERED
    assert question.decided_by == cast.facilitator
    assert ModerationAction.objects.filter(action=ModerationKind.APPROVE_QUESTION, target_question=question).exists()


def test_a_rejected_question_stays_between_its_author_and_the_moderators(cast):
    async def scenario():
        pupil, pupil2, teacher, professional = await cast.open("pupil", "pupil2", "teacher", "professional")
        await pupil.send({"type": "question", "body": "Tu habites où ? 06 12 34 56 78", "client_id": "q-1"})
        ack = await pupil.next("ack")
        assert ack["masked"] == ["phone"]
        assert ack["notice"]
        question = await teacher.next("question")
        assert "06 12" not in question["body"]
        await teacher.send({"type": "question_decide", "question": question["id"], "decision": "reject"})
        assert (await teacher.next("question"))["status"] == "rejected"
        assert (await pupil.next("question"))["status"] == "pending"
        assert (await pupil.next("question"))["status"] == "rejected"
        assert await pupil2.nothing()
        assert await professional.nothing()
        # Deciding twice is refused.
        await teacher.send({"type": "question_decide", "question": question["id"], "decision": "approve"})
        assert (await teacher.next("error"))["code"] == "invalid"
        await close_all(pupil, pupil2, teacher, professional)

    _run(scenario)


def test_without_premoderation_a_question_goes_to_everyone_at_once(cast):
    async def scenario():
        teacher, pupil, professional = await cast.open("teacher", "pupil", "professional")
        await pupil.send({"type": "premoderation", "enabled": False})
        assert (await pupil.next("error"))["code"] == "forbidden"
        await teacher.send({"type": "premoderation", "enabled": False})
        frame = await professional.next("moderation")
        assert frame["action"] == "premoderation"
        assert frame["enabled"] is False
        await pupil.send({"type": "question", "body": "Vous avez fait quelles études ?", "client_id": "q-2"})
        assert (await pupil.next("ack"))["status"] == "approved"
        assert (await professional.next("question"))["body"] == "Vous avez fait quelles études ?"
        await close_all(teacher, pupil, professional)

    _run(scenario)


# --- Polls ---------------------------------------------------------------------------------------------------


def test_a_poll_is_opened_voted_with_live_results_and_closed(cast):
    async def scenario():
        professional, pupil, pupil2 = await cast.open("professional", "pupil", "pupil2")
        await pupil.send({"type": "poll_open", "question": "Et toi ?", "options": ["Oui", "Non"]})
        assert (await pupil.next("error"))["code"] == "forbidden"
        await professional.send({"type": "poll_open", "question": "Métier préféré ?", "options": ["Soin", "BTP"]})
        await professional.send({"type": "poll_open", "question": "Une seule réponse", "options": ["Oui"]})
        poll = await pupil.next("poll")
        assert poll["question"] == "Métier préféré ?"
        assert poll["total"] == 0
        assert poll["closed"] is False
        assert (await professional.next("error"))["code"] == "invalid"
        soin, btp = (option["id"] for option in poll["options"])
        assert (await pupil2.next("poll"))["id"] == poll["id"]

        await pupil.send({"type": "vote", "poll": poll["id"], "option": soin})
        assert await pupil.next("ack") == {"type": "ack", "poll": poll["id"], "option": soin}
        results = await pupil2.next("poll")
        assert [o["votes"] for o in results["options"]] == [1, 0]
        # Voting again changes the answer; a stranger option is refused.
        await pupil.send({"type": "vote", "poll": poll["id"], "option": btp})
        await pupil.next("ack")
        assert [o["votes"] for o in (await pupil2.next("poll"))["options"]] == [0, 1]
        await pupil2.send({"type": "vote", "poll": poll["id"], "option": 999999})
        assert (await pupil2.next("error"))["code"] == "not_found"
        await professional.send({"type": "poll_close", "poll": poll["id"]})
        final = await pupil.until("poll", lambda frame: frame["closed"])
        assert final["closed"] is True
        assert final["total"] == 1
        await pupil2.send({"type": "vote", "poll": poll["id"], "option": soin})
        assert (await pupil2.next("error"))["code"] == "closed"
        await close_all(professional, pupil, pupil2)

    _run(scenario)
    assert PollVote.objects.count() == 1


# --- Pins, reports and moderation -----------------------------------------------------------------------------


def test_the_facilitator_pins_a_message_and_a_pupil_cannot(cast):
    MessageFactory(room=cast.room, author=cast.professional, body="Le lien du questionnaire")

    async def scenario():
        facilitator, pupil = await cast.open("facilitator", "pupil")
        await pupil.send({"type": "pin", "message": 1})
        assert (await pupil.next("error"))["code"] == "forbidden"
        await facilitator.send({"type": "pin", "message": 1})
        pinned = await pupil.next("pinned")
        assert pinned["message"]["body"] == "Le lien du questionnaire"
        [late] = await cast.open("pupil2")
        assert late.state["room"]["pinned"]["id"] == 1
        await facilitator.send({"type": "pin", "message": None})
        assert (await pupil.next("pinned"))["message"] is None
        await close_all(facilitator, pupil, late)

    _run(scenario)


def test_a_reported_message_reaches_the_moderators_and_its_deletion_reaches_everyone(cast):
    async def scenario():
        pupil, pupil2, teacher, professional = await cast.open("pupil", "pupil2", "teacher", "professional")
        await pupil.send({"type": "message", "body": "T'es nul", "client_id": "m-1"})
        await pupil.next("ack")
        for client in (pupil, pupil2, teacher, professional):
            await client.next("message")
        await pupil2.send({"type": "report", "message": 1, "reason": "Moquerie"})
        ack = await pupil2.next("ack")
        assert ack["message"] == 1
        report = await teacher.next("report")
        assert report["message"]["body"] == "T'es nul"
        assert report["reason"] == "Moquerie"
        assert report["reporter"]["id"] == cast.pupils[1].pk
        assert await professional.nothing()
        await pupil.send({"type": "report", "message": 1})
        assert (await pupil.next("error"))["code"] == "invalid"  # one's own message

        await teacher.send({"type": "moderate", "action": "delete", "message": 1, "reason": "Moquerie"})
        for client in (pupil, pupil2, teacher, professional):
            removed = await client.next("message")
            assert removed["id"] == 1
            assert removed["deleted"] is True
            assert removed["body"] == ""
            moderation = await client.next("moderation")
            assert moderation["action"] == "delete"
            assert moderation["message"] == 1
            assert moderation["by"]["role"] == "teacher"
        await close_all(pupil, pupil2, teacher, professional)

    _run(scenario)
    report = Report.objects.get()
    assert report.resolution == ReportResolution.DELETED
    assert report.resolved_by == cast.teacher
    assert ModerationAction.objects.filter(action=ModerationKind.DELETE_MESSAGE, reason="Moquerie").count() == 1


def test_a_muted_pupil_cannot_write_until_given_the_floor_back(cast):
    stranger = factories.UserFactory()

    async def scenario():
        teacher, pupil, pupil2 = await cast.open("teacher", "pupil", "pupil2")
        await teacher.send({"type": "moderate", "action": "mute", "participant": cast.pupils[0].pk})
        frame = await pupil.next("moderation")
        assert frame["action"] == "mute"
        assert frame["participant"]["id"] == cast.pupils[0].pk
        await pupil.send({"type": "message", "body": "Coucou", "client_id": "x-1"})
        assert (await pupil.next("error"))["code"] == "muted"
        await pupil.send({"type": "hand", "raised": True})
        assert (await pupil.next("error"))["code"] == "muted"
        # A moderator arriving now learns who is muted; a pupil is not told.
        [staff] = await cast.open("staff")
        assert staff.state["muted"] == [cast.pupils[0].pk]
        assert "muted" not in pupil2.state
        await staff.close()
        await pupil2.send({"type": "moderate", "action": "unmute", "participant": cast.pupils[0].pk})
        assert (await pupil2.next("error"))["code"] == "forbidden"
        await teacher.send({"type": "moderate", "action": "unmute", "participant": cast.pupils[0].pk})
        await pupil.next("moderation")
        await pupil.send({"type": "message", "body": "Merci", "client_id": "x-2"})
        assert (await pupil.next("ack"))["id"] == 1
        # Moderators cannot be muted by one another; strangers to the room are unknown.
        await teacher.send({"type": "moderate", "action": "mute", "participant": cast.staff.pk})
        assert (await teacher.next("error"))["code"] == "forbidden"
        await teacher.send({"type": "moderate", "action": "mute", "participant": stranger.pk})
        assert (await teacher.next("error"))["code"] == "not_found"
        await close_all(teacher, pupil, pupil2)

    _run(scenario)


def test_a_removed_participant_is_disconnected_and_cannot_come_back(cast):
    async def scenario():
        staff, pupil = await cast.open("staff", "pupil")
        await staff.send({"type": "moderate", "action": "remove", "participant": cast.pupils[0].pk, "reason": "x"})
        assert await pupil.closed_with() == 4403
        assert (await staff.next("moderation"))["action"] == "remove"
        again = RoomClient(cast.room.pk, cast.headers["pupil"])
        connected, _ = await again.communicator.connect(timeout=TIMEOUT)
        assert not connected or await again.closed_with() == 4403
        await close_all(staff)

    _run(scenario)


def test_a_locked_room_refuses_messages_until_unlocked(cast):
    async def scenario():
        facilitator, pupil = await cast.open("facilitator", "pupil")
        await facilitator.send({"type": "moderate", "action": "lock"})
        assert (await pupil.next("moderation"))["action"] == "lock"
        await pupil.send({"type": "message", "body": "Allô ?", "client_id": "l-1"})
        assert (await pupil.next("error"))["code"] == "locked"
        await facilitator.send({"type": "moderate", "action": "unlock"})
        assert (await pupil.next("moderation"))["action"] == "unlock"
        await pupil.send({"type": "message", "body": "Allô ?", "client_id": "l-1"})
        assert (await pupil.next("ack"))["id"] == 1
        await close_all(facilitator, pupil)

    _run(scenario)


# --- Abuse ---------------------------------------------------------------------------------------------------


def test_the_rate_limit_refuses_the_sixth_message_in_ten_seconds_without_storing_it(cast):
    async def scenario():
        [pupil] = await cast.open("pupil")
        for n in range(5):
            await pupil.send({"type": "message", "body": f"n°{n}", "client_id": f"r-{n}"})
            assert (await pupil.next("ack"))["id"] == n + 1
            await pupil.next("message")
        await pupil.send({"type": "message", "body": "encore", "client_id": "r-5"})
        error = await pupil.next("error")
        assert error["code"] == "rate_limited"
        assert 0 < error["retry_after"] <= 10.1
        assert "5 messages" in error["detail"]
        # A resend of a stored message is not a new message: acknowledged again.
        await pupil.send({"type": "message", "body": "n°0", "client_id": "r-0"})
        assert (await pupil.next("ack"))["id"] == 1
        # Insisting closes the connection with 4429.
        for n in range(6, 20):
            await pupil.send({"type": "message", "body": "encore", "client_id": f"r-{n}"})
        assert await pupil.closed_with() == 4429

    _run(scenario)
    assert cast.room.messages.count() == 5


@override_settings(REALTIME_MESSAGE_RATE="1000/10")
def test_a_flood_of_frames_closes_the_connection(cast):
    async def scenario():
        [pupil] = await cast.open("pupil")
        for _ in range(45):
            await pupil.send({"type": "ping"})
        assert await pupil.closed_with() == 4429

    _run(scenario)


def test_a_socket_from_another_origin_is_refused(cast):
    headers = headers_for(cast.pupils[0], origin=b"https://evil.example")

    async def scenario():
        client = RoomClient(cast.room.pk, headers)
        connected, _ = await client.communicator.connect(timeout=TIMEOUT)
        assert not connected

    _run(scenario)


# --- History and gaps ----------------------------------------------------------------------------------------


def test_history_pages_and_gap_requests_send_exactly_what_is_asked(cast):
    for n in range(1, 8):
        MessageFactory(room=cast.room, author=cast.pupils[0], body=f"n°{n}")

    async def scenario():
        [pupil] = await cast.open("pupil2")
        await pupil.send({"type": "history", "limit": 3})
        page = await pupil.next("history")
        assert [m["id"] for m in page["messages"]] == [5, 6, 7]
        assert page["more"] is True
        await pupil.send({"type": "history", "before": 3, "limit": 50})
        page = await pupil.next("history")
        assert [m["id"] for m in page["messages"]] == [1, 2]
        assert page["more"] is False
        await pupil.send({"type": "gap", "from": 3, "to": 4})
        assert [(await pupil.next("message"))["id"] for _ in range(2)] == [3, 4]
        assert await pupil.nothing()
        for bad in (
            {"type": "gap", "from": 4, "to": 3},
            {"type": "gap", "from": 0, "to": 2},
            {"type": "history", "limit": 0},
        ):
            await pupil.send(bad)
            assert (await pupil.next("error"))["code"] == "bad_frame"
        await close_all(pupil)

    _run(scenario)


# --- Opening and closing -------------------------------------------------------------------------------------


def test_a_room_not_yet_open_or_ended_closes_with_4410_and_says_why(cast):
    session = cast.session
    for starts_at, code in (
        (timezone.now() + datetime.timedelta(hours=2), "not_yet_open"),
        (timezone.now() - datetime.timedelta(hours=3), "closed"),
    ):
        session.starts_at, session.ends_at = starts_at, starts_at + datetime.timedelta(hours=1)
        session.save(update_fields=["starts_at", "ends_at"])

        async def scenario():
            client = RoomClient(cast.room.pk, cast.headers["pupil"])
            connected, _ = await client.communicator.connect(timeout=TIMEOUT)
            assert connected
            assert (await client.next("error"))["code"] == code  # noqa: B023
            assert await client.closed_with() == 4410

        _run(scenario)


def test_cancelling_the_session_closes_its_room_for_everyone(cast):
    from scheduling import session_services

    async def scenario():
        pupil, teacher = await cast.open("pupil", "teacher")
        from asgiref.sync import sync_to_async

        await sync_to_async(session_services.session_cancel)(session=cast.session, by=cast.staff, reason="Grève")
        assert (await pupil.next("closed"))["type"] == "closed"
        assert await pupil.closed_with() == 4410
        assert await teacher.closed_with() == 4410

    _run(scenario)
