"""The live-room WebSocket consumer through the real ASGI stack (origin check, session cookie, routing): entry
refused with 4403, messages acknowledged and broadcast once, idempotent resends, resume, the pupils' contact
filter, and malformed frames answered without dropping the socket. Runs on the in-memory layer and SQLite, or on
Redis pub/sub and PostgreSQL when REDIS_URL and DATABASE_URL are set."""

import pytest
from asgiref.sync import async_to_sync

from realtime import services
from tests import factories
from tests.realtime.factories import OpenSessionRoomCast
from tests.realtime.ws import TIMEOUT, RoomClient, close_all, headers_for

pytestmark = pytest.mark.django_db(transaction=True)

_headers = headers_for


async def _open(room_id: int, headers) -> RoomClient:
    return await RoomClient.open(room_id, headers)


async def _close(*clients: RoomClient) -> None:
    await close_all(*clients)


def _run(scenario, *args):
    async_to_sync(scenario)(*args)


@pytest.fixture
def cast():
    return OpenSessionRoomCast()


# --- Entry ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "stranger", "unknown room"])
def test_refused_entries_close_with_4403(cast, who):
    room_id = cast.room.pk + 1000 if who == "unknown room" else cast.room.pk
    headers = _headers(
        None if who == "anonymous" else factories.UserFactory() if who == "stranger" else cast.pupils[0]
    )

    async def scenario():
        client = RoomClient(room_id, headers)
        connected, _subprotocol = await client.communicator.connect(timeout=TIMEOUT)
        if connected:
            assert await client.communicator.receive_output(timeout=TIMEOUT) == {
                "type": "websocket.close",
                "code": 4403,
            }
        await client.communicator.wait()

    _run(scenario)


# --- Messages ------------------------------------------------------------------------------------------------


def test_a_message_reaches_everybody_once_and_its_author_gets_the_ack(cast):
    pupil, professional, room_id = cast.pupils[0], cast.professional, cast.room.pk
    pupil_headers, professional_headers = _headers(pupil), _headers(professional)

    async def scenario():
        a = await _open(room_id, professional_headers)
        b = await _open(room_id, pupil_headers)
        await a.send({"type": "message", "body": "  Bonjour à toutes et à tous ! ", "client_id": "a-1"})
        assert await a.next() == {"type": "ack", "client_id": "a-1", "id": 1}
        frame = await a.next()
        assert await b.next() == frame
        assert frame["type"] == "message"
        assert frame["id"] == 1
        assert frame["author"] == {"id": professional.pk, "name": professional.display_name, "role": "professional"}
        assert frame["body"] == "Bonjour à toutes et à tous !"
        assert frame["client_id"] == "a-1"
        assert frame["created_at"].endswith("+00:00")

        # The pupil answers: her display name, never her surname.
        await b.send({"type": "message", "body": "Bonjour !", "client_id": "b-1"})
        assert (await b.next())["type"] == "ack"
        reply = await a.next()
        assert reply["id"] == 2
        assert reply["author"] == {"id": pupil.pk, "name": pupil.display_name, "role": "pupil"}
        assert pupil.last_name not in reply["author"]["name"]
        assert await b.next() == reply

        # A resend (the ack was lost): the same ack, nothing stored nor broadcast a second time.
        await a.send({"type": "message", "body": "Bonjour à toutes et à tous !", "client_id": "a-1"})
        assert await a.next() == {"type": "ack", "client_id": "a-1", "id": 1}
        assert await a.nothing()
        assert await b.nothing()
        await _close(a, b)

    _run(scenario)
    assert cast.room.messages.count() == 2


def test_resume_sends_exactly_the_missed_messages_in_order_to_this_socket_only(cast):
    pupil, professional, room = cast.pupils[1], cast.professional, cast.room
    for n in range(1, 6):
        services.message_post(room=room, author=professional if n % 2 else pupil, body=f"n°{n}", client_id=f"c-{n}")
    pupil_headers, professional_headers = _headers(pupil), _headers(professional)

    async def scenario():
        a = await _open(room.pk, pupil_headers)
        b = await _open(room.pk, professional_headers)
        await a.send({"type": "resume", "after": 2})
        frames = [await a.next() for _ in range(3)]
        assert [frame["id"] for frame in frames] == [3, 4, 5]
        assert [frame["body"] for frame in frames] == ["n°3", "n°4", "n°5"]
        assert [frame["author"]["role"] for frame in frames] == ["professional", "pupil", "professional"]
        assert await a.nothing()
        assert await b.nothing()
        await a.send({"type": "resume", "after": 5})
        assert await a.nothing()
        await _close(a, b)

    _run(scenario)


def test_resume_pages_through_a_long_history(cast, monkeypatch):
    from realtime import selectors

    monkeypatch.setattr(selectors, "MAX_PAGE", 2)
    pupil = cast.pupils[0]
    for n in range(1, 6):
        services.message_post(room=cast.room, author=pupil, body=f"n°{n}", client_id=f"c-{n}")
    headers = _headers(pupil)

    async def scenario():
        a = await _open(cast.room.pk, headers)
        await a.send({"type": "resume", "after": 0})
        assert [(await a.next())["id"] for _ in range(5)] == [1, 2, 3, 4, 5]
        assert await a.nothing()
        await _close(a)

    _run(scenario)


def test_a_pupils_phone_number_arrives_masked_and_the_ack_says_why(cast):
    pupil, teacher = cast.pupils[0], cast.teacher
    pupil_headers, teacher_headers = _headers(pupil), _headers(teacher)

    async def scenario():
        a = await _open(cast.room.pk, pupil_headers)
        b = await _open(cast.room.pk, teacher_headers)
        await a.send({"type": "message", "body": "Appelle-moi au 06 12 34 56 78", "client_id": "p-1"})
        ack = await a.next()
        assert ack["type"] == "ack"
        assert ack["masked"] == ["phone"]
        assert "numéro de téléphone" in ack["notice"]
        frame = await b.next()
        assert frame["body"] == "Appelle-moi au [masqué]"
        assert "06" not in frame["body"]
        assert await a.next() == frame
        await _close(a, b)

    _run(scenario)


# --- Refused and malformed frames ----------------------------------------------------------------------------


def test_refused_and_malformed_frames_get_an_error_and_the_socket_keeps_working(cast):
    pupil = cast.pupils[0]
    headers = _headers(pupil)

    async def scenario():
        a = await _open(cast.room.pk, headers)
        bad = [
            "{not json",
            "[1, 2]",
            '"message"',
            '{"type": "dance"}',
            '{"body": "sans type"}',
            '{"type": "message", "body": 12, "client_id": "x"}',
            '{"type": "message", "body": "ok", "client_id": 3}',
            '{"type": "resume", "after": "dix"}',
            '{"type": "resume", "after": -1}',
        ]
        for text in bad:
            await a.send_text(text)
            error = await a.next()
            assert error["type"] == "error", text
            assert error["code"] == "bad_frame", text
            assert error["detail"]
        await a.communicator.send_to(bytes_data=b"\x00\x01")
        assert (await a.next())["code"] == "bad_frame"

        await a.send({"type": "message", "body": "x" * 1001, "client_id": "long"})
        error = await a.next()
        assert error["type"] == "error"
        assert error["code"] == "too_long"
        assert "trop long" in error["detail"]
        await a.send({"type": "message", "body": "   ", "client_id": "empty"})
        assert (await a.next())["code"] == "empty"

        # Still there: a ping and a real message go through.
        await a.send({"type": "ping"})
        assert await a.next() == {"type": "pong", "last_id": 0}
        await a.send({"type": "message", "body": "Toujours là", "client_id": "ok-1"})
        assert await a.next() == {"type": "ack", "client_id": "ok-1", "id": 1}
        assert (await a.next())["body"] == "Toujours là"
        await _close(a)

    _run(scenario)
    assert list(cast.room.messages.values_list("client_id", flat=True)) == ["ok-1"]
