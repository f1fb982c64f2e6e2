"""Real server processes for the scale-out tests: daphne serving `backend.asgi:application` on a free port, a private
redis-server that a test may stop and start again, and a WebSocket client of the live-room protocol that keeps
what it received, asks for the holes (`gap`) and resumes after a reconnection, as the room page does."""

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import websockets
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

ROOT = Path(__file__).resolve().parents[2]
DAPHNE = ROOT / ".venv" / "bin" / "daphne"
REDIS_SERVER = Path("/usr/bin/redis-server")
ORIGIN = "http://localhost"
STARTUP_TIMEOUT = 30
# How long a client waits before asking for a hole in the numbers: broadcasts relayed by two processes may
# arrive slightly out of order.
GAP_DELAY = 0.3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port} within {STARTUP_TIMEOUT} s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL naming the database this process uses (the test database once pytest-django made it)."""
    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


class RedisServer:
    """A throw-away redis-server on a free port, nothing saved; `stop()` and `start()` keep the port."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - Debian's redis-server, fixed arguments
            [str(REDIS_SERVER), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, self.process, "redis-server")

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
            self.process = None


class Daphne:
    """`daphne backend.asgi:application` on a free port with the given environment."""

    def __init__(self, env: dict[str, str]):
        self.port = free_port()
        self.env = env
        self.process: subprocess.Popen | None = None
        # What the server logs (errors only, LOG_LEVEL=ERROR), for the failure messages.
        self._folder = tempfile.TemporaryDirectory(prefix="daphne-")
        self.log_path = Path(self._folder.name) / "daphne.log"

    def url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def start(self, wait: bool = True) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our virtualenv's daphne, fixed arguments
                [str(DAPHNE), "-b", "127.0.0.1", "-p", str(self.port), "backend.asgi:application"],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        if wait:
            self.wait()

    def wait(self) -> None:
        """Until it listens (after `start(wait=False)`: several processes start side by side)."""
        _wait_for_port(self.port, self.process, "daphne")

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
            self.process = None

    def close(self) -> None:
        self.stop()
        self._folder.cleanup()

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def server_env(*, database: str, redis: str, prefix: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        "CHANNEL_PREFIX": prefix,
        "CACHE_KEY_PREFIX": prefix,
        "DATABASE_POOL_SIZE": "4",
        "LOG_LEVEL": "ERROR",
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    env.update(extra)
    return env


class RoomClient:
    """One participant's socket on `ws/rooms/<id>/`, reconnecting when the server drops it.

    It keeps every message it received by number, asks for the missing numbers (`gap`) as soon as it sees a
    hole, sends `resume` after the last number it holds on every (re)connection, and ignores frames it does not
    know. `handshake_statuses` records the HTTP status of refused handshakes (a 500 must never appear)."""

    def __init__(self, url: str, cookie: str, name: str):
        self.url, self.cookie, self.name = url, cookie, name
        self.messages: dict[int, dict] = {}
        self.acks: dict[str, int] = {}
        self.errors: list[dict] = []
        self.closes: list[int | None] = []
        self.handshake_statuses: list[int] = []
        self.connections = 0
        self.pongs = 0
        self.state: dict | None = None
        self._socket = None
        self._task: asyncio.Task | None = None
        self._connected = asyncio.Event()
        self._stopping = False
        self._changed = asyncio.Event()
        self._gap_check: asyncio.Task | None = None

    # --- What it holds ---------------------------------------------------------------------------------------

    def contiguous(self) -> int:
        """The highest n such that it holds every message 1..n."""
        n = 0
        while n + 1 in self.messages:
            n += 1
        return n

    def holds(self, last: int) -> bool:
        return self.contiguous() >= last

    async def wait_until(self, condition, timeout: float) -> bool:
        """Wait (at most `timeout` seconds) until `condition(self)` holds."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition(self):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return False
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.5))
        return True

    # --- Connection ------------------------------------------------------------------------------------------

    async def start(self, timeout: float = 10) -> None:
        self._task = asyncio.create_task(self._run(), name=f"client {self.name}")
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def stop(self) -> None:
        self._stopping = True
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await self._socket.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def ready(self, timeout: float = 10) -> bool:
        """Ping and wait for the pong: the server has handled every frame sent before (the first `resume`)."""
        pongs = self.pongs
        return await self.send({"type": "ping"}) and await self.wait_until(lambda c: c.pongs > pongs, timeout)

    async def send(self, frame: dict) -> bool:
        """Send a frame if connected; False when the socket is down (the caller may try again)."""
        socket_ = self._socket
        if socket_ is None:
            return False
        try:
            await socket_.send(json.dumps(frame))
        except ConnectionClosed:
            return False
        return True

    async def _run(self) -> None:
        backoff = 0.1
        while not self._stopping:
            try:
                async with connect(
                    self.url,
                    origin=ORIGIN,
                    additional_headers={"Cookie": self.cookie},
                    open_timeout=5,
                    max_queue=None,
                ) as socket_:
                    self._socket = socket_
                    self.connections += 1
                    backoff = 0.1
                    await self.catch_up()
                    self._connected.set()
                    try:
                        async for text in socket_:
                            await self._receive(json.loads(text))
                    except ConnectionClosed:
                        pass
                    if not self._stopping:
                        self.closes.append(socket_.close_code)
            except InvalidStatus as error:
                self.handshake_statuses.append(error.response.status_code)
            except (OSError, TimeoutError, ConnectionClosed, websockets.InvalidHandshake):
                pass
            finally:
                self._socket = None
                self._changed.set()
            if not self._stopping:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 1.0)

    async def _receive(self, frame: dict) -> None:
        kind = frame.get("type")
        if kind == "message" and isinstance(frame.get("id"), int):
            self._hold(frame)
        elif kind == "history":
            for message in frame.get("messages", []):
                self._hold(message)
        elif kind == "ack" and "id" in frame:
            self.acks[frame["client_id"]] = frame["id"]
        elif kind == "error":
            self.errors.append(frame)
        elif kind == "pong":
            self.pongs += 1
        elif kind == "state":
            self.state = frame
        self._changed.set()

    def _hold(self, frame: dict) -> None:
        number = frame["id"]
        self.messages[number] = frame
        if number > self.contiguous() + 1 and self._gap_check is None:
            # A hole, or only broadcasts from two processes arriving out of order: look again shortly and ask
            # once for what is still missing (a page must not flood the server with `gap` frames).
            self._gap_check = asyncio.get_running_loop().create_task(self._ask_for_gap())

    async def _ask_for_gap(self) -> None:
        await asyncio.sleep(GAP_DELAY)
        self._gap_check = None
        first, highest = self.contiguous() + 1, max(self.messages, default=0)
        if first < highest:
            last = min(next(n for n in range(first, highest) if n + 1 in self.messages), first + 199)
            await self.send({"type": "gap", "from": first, "to": last})

    async def catch_up(self) -> bool:
        """`resume` after the last number held without a hole (what the page does after reconnecting)."""
        return await self.send({"type": "resume", "after": self.contiguous()})


async def handshake(url: str, cookie: str, listen: float = 2.0) -> tuple[int, list[dict], int | None]:
    """One connection attempt: `(HTTP status, frames received within `listen` seconds, close code)`; 101 when the
    server accepted the WebSocket."""
    frames: list[dict] = []
    try:
        async with connect(url, origin=ORIGIN, additional_headers={"Cookie": cookie}, open_timeout=10) as socket_:
            with contextlib.suppress(TimeoutError, ConnectionClosed):
                async with asyncio.timeout(listen):
                    async for text in socket_:
                        frames.append(json.loads(text))
            await socket_.close()
            return 101, frames, socket_.close_code
    except InvalidStatus as error:
        return error.response.status_code, frames, None
