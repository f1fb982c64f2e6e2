"""Scale-out and faults with real server processes (issue 5, §8): two daphne processes share PostgreSQL and the
Redis pub/sub channel layer, as in production.

- A message sent through one process reaches a client connected to the other.
- Storm: 30 clients spread over both processes each send 10 messages at once; after catch-up every client holds
  the complete, gap-free sequence 1..300.
- Redis outage: a private redis-server (never the machine's) is stopped mid-chat; every message sent meanwhile is
  answered (acknowledged, or refused with `relay_unavailable`), no handshake answers HTTP 500; once it is back on
  the same port, within 10 s every client holds everything stored.

The clients (tests/realtime/servers.py) behave like the room page: `resume` on each connection, `gap` for a hole,
reconnection with backoff. Waits have deadlines; nothing here measures speed (see bench/realtime.py).
PostgreSQL and Redis only: skipped in the embedded mode."""

import asyncio
import contextlib
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from realtime.models import Message
from scheduling.models import SessionBooking
from tests import factories
from tests.realtime.factories import OpenSessionRoomCast
from tests.realtime.servers import Daphne, RedisServer, RoomClient, database_url, handshake, server_env

pytestmark = pytest.mark.django_db(transaction=True)

# Deadlines for the waits, so that a broken server fails the test instead of hanging it.
WAIT = 60
# The promise once Redis is back.
RECOVERY = 10


@pytest.fixture(autouse=True)
def _postgresql_and_redis():
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("two server processes need a shared PostgreSQL and Redis (set DATABASE_URL and REDIS_URL)")


@pytest.fixture
def cast():
    return OpenSessionRoomCast()


def _redis_url() -> str:
    """The Redis database this test process uses (conftest gives each xdist worker its own)."""
    return settings.CACHES["default"]["LOCATION"]


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _participants(cast, count: int) -> list:
    """`count` people allowed in the room: the cast, then more pupils of the confirmed class."""
    people = [*cast.pupils, cast.teacher, cast.professional, cast.staff]
    school_class = SessionBooking.objects.get(session=cast.session).school_class
    people += [factories.EnrolmentFactory(school_class=school_class).pupil for _ in range(count - len(people))]
    return people[:count]


@contextlib.contextmanager
def _servers(redis_url: str, count: int = 2, **env):
    """`count` daphne processes on the test database, sharing one Redis under a channel prefix of their own."""
    prefix = f"test-scale-{uuid.uuid4().hex[:12]}"
    base = server_env(database=database_url(connection.settings_dict), redis=redis_url, prefix=prefix, **env)
    servers = [Daphne(base) for _ in range(count)]
    try:
        for server in servers:
            server.start(wait=False)
        for server in servers:
            server.wait()
        yield servers
    except BaseException:
        for server in servers:
            print(f"--- daphne on port {server.port}, last lines logged:\n{server.log_tail()}")
        raise
    finally:
        for server in servers:
            server.close()


def _clients(servers, room, cookies) -> list[RoomClient]:
    path = f"/ws/rooms/{room.pk}/"
    return [RoomClient(servers[n % len(servers)].url(path), cookie, f"c{n}") for n, cookie in enumerate(cookies)]


async def _connect(clients) -> None:
    await asyncio.gather(*(client.start(WAIT) for client in clients))
    assert all(await asyncio.gather(*(client.ready(WAIT) for client in clients)))


async def _stop(clients) -> None:
    await asyncio.gather(*(client.stop() for client in clients))


async def _all(clients, condition, timeout: float = WAIT) -> bool:
    return all(await asyncio.gather(*(client.wait_until(condition, timeout) for client in clients)))


def _stored(room) -> list[tuple[int, str]]:
    return list(Message.objects.filter(room=room).order_by("seq").values_list("seq", "client_id"))


# --- Two processes ---------------------------------------------------------------------------------------------


def test_a_message_sent_through_one_process_reaches_a_client_of_the_other(cast):
    cookies = [_cookie(cast.pupils[0]), _cookie(cast.teacher)]
    with _servers(_redis_url()) as servers:

        async def scenario():
            sender, reader = clients = _clients(servers, cast.room, cookies)
            try:
                await _connect(clients)
                assert await sender.send({"type": "message", "body": "Bonjour à tous !", "client_id": "cross-1"})
                # The reader asked for nothing after its first `resume` (answered before the ping): it hears of the
                # message through the other process and Redis.
                assert await reader.wait_until(lambda client: 1 in client.messages, WAIT)
                assert await sender.wait_until(lambda client: "cross-1" in client.acks, WAIT)
            finally:
                await _stop(clients)
            return sender, reader

        sender, reader = asyncio.run(scenario())

    assert sender.acks == {"cross-1": 1}
    frame = reader.messages[1]
    assert (frame["body"], frame["client_id"], frame["author"]["role"]) == ("Bonjour à tous !", "cross-1", "pupil")
    assert reader.connections == 1
    assert reader.errors == sender.errors == []


# --- Storm -------------------------------------------------------------------------------------------------------


def test_after_a_storm_every_client_holds_the_complete_sequence(cast):
    cookies = [_cookie(user) for user in _participants(cast, 30)]
    with _servers(_redis_url(), REALTIME_MESSAGE_RATE="1000/10") as servers:

        async def scenario():
            clients = _clients(servers, cast.room, cookies)
            try:
                await _connect(clients)
                frames = [
                    (
                        client,
                        {
                            "type": "message",
                            "body": f"Message {n} de {client.name}",
                            "client_id": f"{client.name}-{n}",
                        },
                    )
                    for client in clients
                    for n in range(10)
                ]
                assert all(await asyncio.gather(*(client.send(frame) for client, frame in frames)))
                assert await _all(clients, lambda client: len(client.acks) == 10)
                await asyncio.gather(*(client.catch_up() for client in clients))
                assert await _all(clients, lambda client: client.holds(300))
            finally:
                await _stop(clients)
            return clients

        clients = asyncio.run(scenario())

    acks = {client_id: number for client in clients for client_id, number in client.acks.items()}
    assert sorted(acks.values()) == list(range(1, 301))
    assert _stored(cast.room) == sorted((number, client_id) for client_id, number in acks.items())
    for client in clients:
        assert sorted(client.messages) == list(range(1, 301))
        assert all(client.messages[number]["client_id"] == client_id for client_id, number in acks.items())
        assert client.errors == []
        assert client.connections == 1


# --- Redis outage --------------------------------------------------------------------------------------------------


async def _answer(client: RoomClient, client_id: str, body: str) -> dict:
    """Send one message and wait for its answer: the ack, an error frame, or the socket dropping."""
    errors, connections, closes = len(client.errors), client.connections, len(client.closes)
    sent = await client.send({"type": "message", "body": body, "client_id": client_id})
    await client.wait_until(
        lambda c: client_id in c.acks or len(c.errors) > errors or len(c.closes) > closes,
        WAIT,
    )
    # The `relay_unavailable` error, when there is one, follows the ack.
    await client.wait_until(lambda c: len(c.errors) > errors, 1.0)
    return {
        "sent": sent,
        "acked": client_id in client.acks,
        "errors": [error["code"] for error in client.errors[errors:]],
        "dropped": len(client.closes) > closes or client.connections > connections,
    }


def test_a_redis_outage_loses_nothing_stored_and_never_answers_500(cast):
    *people, newcomer = _participants(cast, 7)
    cookies = [_cookie(user) for user in people]
    newcomer_cookie = _cookie(newcomer)
    redis = RedisServer()
    redis.start()
    try:
        with _servers(redis.url) as servers, asyncio.Runner() as runner:
            clients = _clients(servers, cast.room, cookies)
            try:
                outage = runner.run(_outage_until_restart(clients, redis, servers, cast.room, newcomer_cookie))
                stored = _stored(cast.room)
                holding = runner.run(_recovery(clients, len(stored)))
            finally:
                runner.run(_stop(clients))
            _check_outage(outage, clients, stored, holding)
    finally:
        redis.stop()


async def _outage_until_restart(clients, redis, servers, room, newcomer_cookie) -> dict:
    await _connect(clients)
    # Chatting: one message each, heard by all.
    before = await asyncio.gather(
        *(_answer(client, f"{client.name}-before", f"Avant la coupure, {client.name}") for client in clients)
    )
    heard = await _all(clients, lambda client: client.holds(len(clients)))
    await asyncio.to_thread(redis.stop)
    during = await asyncio.gather(
        *(_answer(client, f"{client.name}-during", f"Pendant la coupure, {client.name}") for client in clients)
    )
    newcomer = await handshake(servers[0].url(f"/ws/rooms/{room.pk}/"), newcomer_cookie)
    await asyncio.to_thread(redis.start)
    return {"before": before, "heard": heard, "during": during, "newcomer": newcomer}


def _check_outage(outage, clients, stored, holding) -> None:
    # Before the outage, everybody heard everything live.
    assert all(answer["acked"] for answer in outage["before"]), outage["before"]
    assert outage["heard"]
    # Each message sent while Redis was down was answered: stored and acknowledged (the sender told that the live
    # relay is down), or refused with `relay_unavailable`; never another error, never a dropped socket instead.
    for answer in outage["during"]:
        assert answer["sent"], answer
        assert answer["acked"] or "relay_unavailable" in answer["errors"], answer
        assert set(answer["errors"]) <= {"relay_unavailable"}, answer
        assert answer["acked"] or not answer["dropped"], answer
    # A handshake during the outage may be turned away, never with HTTP 500; nor any reconnection afterwards.
    status, frames, close_code = outage["newcomer"]
    assert status < 500, (status, frames, close_code)
    assert all(status < 500 for client in clients for status in client.handshake_statuses)
    # Nothing acknowledged is missing from the database, and the numbers have no hole.
    acks = {client_id: number for client in clients for client_id, number in client.acks.items()}
    assert set(acks.items()) <= {(client_id, seq) for seq, client_id in stored}
    assert [seq for seq, _client_id in stored] == list(range(1, len(stored) + 1))
    # Within 10 s of Redis coming back, every client held the complete sequence of what was stored.
    assert holding == [True] * len(clients), [(client.name, client.contiguous(), len(stored)) for client in clients]
    for client in clients:
        assert [client.messages[seq]["client_id"] for seq, _client_id in stored] == [c for _s, c in stored]


async def _recovery(clients, stored: int) -> list[bool]:
    """Every client catches up (connected ones `resume`; dropped ones reconnect, then resume) within RECOVERY s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RECOVERY
    while loop.time() < deadline and not all(client.holds(stored) for client in clients):
        late = [client for client in clients if not client.holds(stored)]
        await asyncio.gather(*(client.catch_up() for client in late))
        await asyncio.gather(*(client.wait_until(lambda c: c.holds(stored), 1.0) for client in late))
    return [client.holds(stored) for client in clients]
