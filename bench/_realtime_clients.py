"""The clients of bench/realtime.py, in a process of their own so that they do not starve the servers: asyncio and
the websockets library, no Django.

Protocol with the parent (one JSON document a line): the parent writes the spec on stdin; for each phase this
process connects the clients the phase adds (`active`: the first n clients take part), prints `{"ready": …}`,
waits for a line `go <monotonic start time>` (CLOCK_MONOTONIC is shared by the processes of a machine), sends
the phase's messages on schedule, waits until every client heard them all (or the phase's drain time passes),
asks the server for what is missing (`resume`, Passerelle only), and prints the phase's figures.

Spec: `{"mode": "passerelle"|"naive", "origin": …, "clients": [{"url", "cookie", "room"}],
"phases": [{"active": n, "sends": [[seconds after start, client index, client_id], …], "drain": seconds}]}`.
A naive server has no numbers, no state frame and no resume: its losses are the deliveries it missed.
"""

import asyncio
import contextlib
import json
import sys
import time
from collections import Counter

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

RESUME_WAIT = 30.0


class Client:
    def __init__(self, index: int, url: str, cookie: str, room: str, origin: str, mode: str):
        self.index, self.url, self.cookie, self.room, self.origin, self.mode = index, url, cookie, room, origin, mode
        self.socket = None
        self.base = 0  # the room's last number when this client arrived (Passerelle's state frame)
        self.heard: dict[str, float] = {}  # client_id → when this client first received it live
        self.numbers: set[int] = set()
        self.errors: Counter = Counter()
        self.closed: int | None = None
        self.live = True
        self.changed = asyncio.Event()
        self.arrived = asyncio.Event()
        self.task: asyncio.Task | None = None

    async def open(self) -> None:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.socket = await connect(
            self.url,
            origin=self.origin,
            additional_headers=headers,
            max_queue=None,
            open_timeout=60,
            ping_interval=None,
        )
        self.task = asyncio.create_task(self.read())
        if self.mode == "passerelle":
            await asyncio.wait_for(self.arrived.wait(), 60)

    async def read(self) -> None:
        try:
            async for text in self.socket:
                now = time.monotonic()
                frame = json.loads(text)
                kind = frame.get("type")
                if kind == "message":
                    client_id = frame.get("client_id")
                    if self.live and client_id not in self.heard:
                        self.heard[client_id] = now
                    if isinstance(frame.get("id"), int):
                        self.numbers.add(frame["id"])
                elif kind == "state":
                    self.base = frame.get("last_id") or 0
                    self.arrived.set()
                elif kind == "error":
                    self.errors[frame.get("code")] += 1
                self.changed.set()
        except ConnectionClosed:
            pass
        self.closed = self.socket.close_code
        self.changed.set()

    async def wait(self, condition, deadline: float) -> bool:
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.closed is not None:
                return condition()
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), min(remaining, 0.5))
        return True


async def _send_at(client: Client, at: float, client_id: str, sent: dict) -> None:
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    sent[client_id] = time.monotonic()
    body = f"Message de charge {client_id}"
    with contextlib.suppress(ConnectionClosed):
        await client.socket.send(json.dumps({"type": "message", "body": body, "client_id": client_id}))


async def run_phase(clients: list[Client], phase: dict, start: float, mode: str) -> dict:
    for client in clients:
        client.heard.clear()
        client.live = True
    sends = phase["sends"]
    per_room = Counter(clients[index].room for _at, index, _client_id in sends)
    room_ids = {}
    for _at, index, client_id in sends:
        room_ids.setdefault(clients[index].room, set()).add(client_id)
    sent: dict[str, float] = {}
    await asyncio.gather(*(_send_at(clients[index], start + at, client_id, sent) for at, index, client_id in sends))
    deadline = time.monotonic() + phase["drain"]
    await asyncio.gather(
        *(client.wait(lambda c=client: room_ids.get(c.room, set()) <= c.heard.keys(), deadline) for client in clients)
    )
    live_missed = sum(len(room_ids.get(client.room, set()) - client.heard.keys()) for client in clients)
    # What a live client would do on noticing holes: ask for them; what is still missing after that is lost.
    lost = live_missed
    if mode == "passerelle":
        for client in clients:
            client.live = False
        behind = [
            client
            for client in clients
            if not set(range(client.base + 1, client.base + per_room[client.room] + 1)) <= client.numbers
        ]
        for client in behind:
            with contextlib.suppress(ConnectionClosed):
                await client.socket.send(json.dumps({"type": "resume", "after": client.base}))
        deadline = time.monotonic() + RESUME_WAIT
        await asyncio.gather(
            *(
                client.wait(
                    lambda c=client: set(range(c.base + 1, c.base + per_room[c.room] + 1)) <= c.numbers, deadline
                )
                for client in behind
            )
        )
        lost = sum(
            len(set(range(client.base + 1, client.base + per_room[client.room] + 1)) - client.numbers)
            for client in clients
        )
        for client in clients:
            client.base += per_room[client.room]
    messages = {}
    for client_id, at in sent.items():
        messages[client_id] = {"sent": at, "heard": 0, "last": None}
    for client in clients:
        for client_id, at in client.heard.items():
            entry = messages.get(client_id)
            if entry is not None and client_id in room_ids.get(client.room, ()):
                entry["heard"] += 1
                entry["last"] = at if entry["last"] is None else max(entry["last"], at)
    room_sizes = Counter(client.room for client in clients)
    # Every live delivery's latency, also for a message that did not reach everybody within the drain time.
    latencies = sorted(
        (at - sent[client_id]) * 1000
        for client in clients
        for client_id, at in client.heard.items()
        if client_id in sent and client_id in room_ids.get(client.room, ())
    )
    return {
        "delivery_ms": [latencies[min(len(latencies) - 1, round(q * (len(latencies) - 1)))] for q in (0.5, 0.99)]
        if latencies
        else [None, None],
        "messages": [
            {**messages[client_id], "audience": room_sizes[clients[index].room]}
            for _at, index, client_id in sends
            if client_id in messages
        ],
        "deliveries": sum(len(room_ids.get(client.room, set()) & client.heard.keys()) for client in clients),
        "expected_deliveries": sum(per_room[client.room] for client in clients),
        "live_missed": live_missed,
        "lost": lost,
        "errors": dict(sum((client.errors for client in clients), Counter())),
        "closed": sum(client.closed is not None for client in clients),
    }


async def main() -> None:
    spec = json.loads(sys.stdin.readline())
    mode = spec["mode"]
    clients = [
        Client(index, entry["url"], entry.get("cookie", ""), entry["room"], spec["origin"], mode)
        for index, entry in enumerate(spec["clients"])
    ]
    loop = asyncio.get_running_loop()
    connected = 0
    for phase in spec["phases"]:
        # Connect the phase's newcomers in small waves, as a class arriving would (a stampede of handshakes only
        # measures the accept queue), then say so and wait for the start.
        started = time.monotonic()
        active = phase.get("active", len(clients))
        for first in range(connected, active, 25):
            await asyncio.gather(*(client.open() for client in clients[first : min(first + 25, active)]))
        connected = max(connected, active)
        print(json.dumps({"ready": True, "connect_seconds": round(time.monotonic() - started, 2)}), flush=True)
        line = await loop.run_in_executor(None, sys.stdin.readline)
        start = float(line.split()[1])
        figures = await run_phase(clients[:active], phase, start, mode)
        print(json.dumps(figures), flush=True)
    for client in clients:
        with contextlib.suppress(Exception):
            await client.socket.close()


if __name__ == "__main__":
    asyncio.run(main())
