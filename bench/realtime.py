"""Live rooms: fan-out latency, saturation and losses with two daphne processes sharing Redis (pub/sub channel layer)
and PostgreSQL, against a naive baseline served the same way (bench/realtime_naive.py).

Cases, each run on Passerelle (`daphne backend.asgi:application` ×2) and then on the naive baseline
(`daphne bench.realtime_naive:application` ×2), with the clients spread over both processes:
- room_30, room_100, room_300: one room with 30, 100, 300 clients; 4 messages a second in total, from senders
  taking turns, for REALTIME_BENCH_SECONDS (6 by default);
- burst_300: in the room of 300, 50 messages sent at once by 50 clients — the deliveries per second at saturation;
- rooms_10x30: 10 rooms of 30 clients, 4 messages a second in each.

Figures per case: fan-out latency p50/p99 in ms (from the send to the receipt by the last client of the room, the
sender included; only messages that reached everybody within the drain time count, `fanout_complete` says how
many), latency per delivery p50/p99 (every delivery received live), deliveries per second (deliveries / time from
the first send to the last receipt), deliveries missed live (not received within the drain time after the last
send) and lost (Passerelle: still missing 30 s after each late client asked with `resume` — must be 0; the naive
baseline cannot resume, so its losses are what it missed), error frames, and the servers' CPU (% of one core, both
processes together, over the case) and resident memory (MB, both together, at the end of the case), read from
/proc. Flat figures `<mode>.<case>.<figure>` in bench/results/realtime.json, everything in
bench/results/realtime-details.json, the servers' error log in bench/results/realtime-*.log.
Summary: `p50_ms_300`, `p99_ms_300` (room_300), `lost` (all Passerelle cases), `deliveries_per_s` and
`naive_deliveries_per_s` (burst_300), `saturation_vs_naive` (their ratio).

The clients run in a process of their own (bench/_realtime_clients.py: asyncio + websockets) so that they do not
starve the servers; on a 2-core machine they still share the cores with daphne, Redis and PostgreSQL, so the
figures describe the whole machine (`load_average_at_start` says how busy it already was).

Needs PostgreSQL and Redis: REALTIME_BENCH_REDIS_URL (redis://127.0.0.1:6379/13 by default; a fresh channel
prefix per run), and the harness's database when it is PostgreSQL, else REALTIME_BENCH_DATABASE_URL
(postgres://postgres@127.0.0.1:5432/passerelle_bench_realtime, created and migrated when missing). The message
rate limit is raised on the servers for the run (REALTIME_MESSAGE_RATE=1000/10).

Run alone: `python -m bench realtime`.
"""

import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench import _postgres as postgres

ROOT = Path(__file__).resolve().parent.parent
DAPHNE = Path(sys.executable).parent / "daphne"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/passerelle_bench_realtime"
REDIS_URL = os.environ.get("REALTIME_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
STEADY_SECONDS = float(os.environ.get("REALTIME_BENCH_SECONDS", "6"))
RATE = 4  # messages a second, in a room
BURST = 50
ORIGIN = "http://localhost"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def progress(message: str) -> None:
    print(f"  realtime: {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# --- Data ----------------------------------------------------------------------------------------------------------


def generate() -> dict:
    """Ten classes of 30 pupils; one session under way with all ten classes (the room of 300) and ten sessions under
    way with one class each (the rooms of 30); a signed-in session cookie per pupil."""
    import datetime

    from django.conf import settings
    from django.test import Client, override_settings
    from django.utils import timezone

    from realtime import services
    from tests import factories
    from tests.scheduling.factories import SessionBookingFactory, SessionsWorldFactory

    started = time.monotonic()
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        world = SessionsWorldFactory()
        starts_at = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=10)
        big = world.session(starts_at=starts_at, duration_minutes=120, capacity=10)
        classes, cookies, small_rooms = [], [], []
        for _ in range(10):
            school_class = factories.SchoolClassFactory(school=world.school, teachers=[world.teacher])
            pupils = [factories.EnrolmentFactory(school_class=school_class).pupil for _ in range(30)]
            SessionBookingFactory(session=big, school_class=school_class, places=30)
            small = world.session(starts_at=starts_at, duration_minutes=120)
            SessionBookingFactory(session=small, school_class=school_class, places=30)
            small_rooms.append(services.room_for_session(small).pk)
            classes.append(pupils)
        for pupils in classes:
            for pupil in pupils:
                client = Client()
                client.force_login(pupil)
                cookies.append(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")
    return {
        "big_room": services.room_for_session(big).pk,
        "small_rooms": small_rooms,
        "cookies": cookies,  # 300, class by class
        "generate_seconds": round(time.monotonic() - started, 2),
    }


# --- Servers -------------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Servers:
    """Two daphne processes serving `application` on free ports."""

    def __init__(self, application: str, env: dict[str, str]):
        self.application, self.env = application, env
        self.ports = [_free_port(), _free_port()]
        self.processes: list[subprocess.Popen] = []

    def __enter__(self):
        # What the servers log (errors only) goes to bench/results/realtime-<application>.log.
        log_path = ROOT / "bench" / "results" / f"realtime-{self.application.split(':')[0]}.log"
        log_path.parent.mkdir(exist_ok=True)
        with log_path.open("w") as log:
            self._start(log)
        return self

    def _start(self, log) -> None:
        for port in self.ports:
            self.processes.append(
                subprocess.Popen(  # noqa: S603 - our virtualenv's daphne, fixed arguments
                    [str(DAPHNE), "-b", "127.0.0.1", "-p", str(port), self.application],
                    cwd=ROOT,
                    env=self.env,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )
            )
        deadline = time.monotonic() + 60
        for port, process in zip(self.ports, self.processes, strict=True):
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"daphne {self.application} exited with {process.returncode}")
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"daphne {self.application} did not listen on {port}")
                time.sleep(0.05)

    def __exit__(self, *exc):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def url(self, index: int, room: int) -> str:
        return f"ws://127.0.0.1:{self.ports[index % 2]}/ws/rooms/{room}/"

    def cpu_seconds(self) -> float:
        return sum(_cpu_seconds(process.pid) for process in self.processes)

    def rss_mb(self) -> float:
        total = 0
        for process in self.processes:
            for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return round(total / 1024, 1)


# --- Cases -----------------------------------------------------------------------------------------------------------


def _steady(clients: list[int], nonce: str, case: str, offset: float = 0.0) -> list:
    count = round(RATE * STEADY_SECONDS)
    step = max(1, len(clients) // 7)
    return [
        [offset + n / RATE, clients[(n * step + n // 7) % len(clients)], f"{case}-{nonce}-{n}"] for n in range(count)
    ]


def _burst(clients: list[int], nonce: str, case: str) -> list:
    step = max(1, len(clients) // BURST)
    return [[0.0, clients[(n * step) % len(clients)], f"{case}-{nonce}-{n}"] for n in range(BURST)]


def _client_sets(data: dict, servers: Servers) -> dict:
    cookies, big = data["cookies"], data["big_room"]
    room = [{"url": servers.url(n, big), "cookie": cookies[n], "room": str(big)} for n in range(300)]
    rooms = [
        {"url": servers.url(n, room_id), "cookie": cookies[r * 30 + n], "room": str(room_id)}
        for r, room_id in enumerate(data["small_rooms"])
        for n in range(30)
    ]
    return {"room": room, "rooms": rooms}


# (client set, its cases): the big room grows from 30 to 100 to 300 clients, then takes the burst.
PLANS = [("room", ["room_30", "room_100", "room_300", "burst_300"]), ("rooms", ["rooms_10x30"])]
ACTIVE = {"room_30": 30, "room_100": 100, "room_300": 300, "burst_300": 300, "rooms_10x30": 300}


def _phase(case: str, nonce: str) -> dict:
    active = ACTIVE[case]
    if case == "burst_300":
        return {"active": active, "sends": _burst(list(range(active)), nonce, case), "drain": 30}
    if case == "rooms_10x30":
        sends = []
        for r in range(10):
            members = list(range(r * 30, r * 30 + 30))
            sends += _steady(members, nonce, f"{case}-r{r}", offset=r / (RATE * 10))
        return {"active": active, "sends": sorted(sends), "drain": 15}
    return {"active": active, "sends": _steady(list(range(active)), nonce, case), "drain": 15}


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def _summarise(result: dict, cpu: float, client_cpu: float, wall: float, rss: float) -> dict:
    complete = [m for m in result["messages"] if m["heard"] >= m["audience"] and m["last"] is not None]
    fanout = [(m["last"] - m["sent"]) * 1000 for m in complete]
    heard = [m for m in result["messages"] if m["last"] is not None]
    span = (max(m["last"] for m in heard) - min(m["sent"] for m in result["messages"])) if heard else 0
    return {
        "messages": len(result["messages"]),
        "fanout_p50_ms": round(percentile(fanout, 0.5), 1) if fanout else None,
        "fanout_p99_ms": round(percentile(fanout, 0.99), 1) if fanout else None,
        "fanout_mean_ms": round(statistics.mean(fanout), 1) if fanout else None,
        "fanout_complete": len(complete),
        "delivery_p50_ms": round(result["delivery_ms"][0], 1) if result["delivery_ms"][0] is not None else None,
        "delivery_p99_ms": round(result["delivery_ms"][1], 1) if result["delivery_ms"][1] is not None else None,
        "deliveries": result["deliveries"],
        "deliveries_per_s": round(result["deliveries"] / span, 1) if span else None,
        "missed_live": result["live_missed"],
        "lost": result["lost"],
        "errors": result["errors"],
        "closed_sockets": result["closed"],
        "server_cpu_percent": round(100 * cpu / wall, 1) if wall else None,
        "server_rss_mb": rss,
        "clients_cpu_percent": round(100 * client_cpu / wall, 1) if wall else None,
    }


def run_cases(mode: str, application: str, data: dict, database_url: str) -> dict:
    prefix = f"bench-rt-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "CHANNEL_PREFIX": prefix,
        "CACHE_KEY_PREFIX": prefix,
        "REALTIME_MESSAGE_RATE": "1000/10",
        "LOG_LEVEL": "ERROR",
    }
    nonce = uuid.uuid4().hex[:8]
    cases = {}
    with Servers(application, env) as servers:
        sets = _client_sets(data, servers)
        for set_name, phases in PLANS:
            clients = sets[set_name]
            spec = {"mode": mode, "origin": ORIGIN, "clients": clients, "phases": [_phase(c, nonce) for c in phases]}
            process = subprocess.Popen(
                [sys.executable, "-m", "bench._realtime_clients"],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            try:
                process.stdin.write(json.dumps(spec) + "\n")
                process.stdin.flush()
                for case in phases:
                    progress(f"{mode}: {ACTIVE[case]} clients connected for {case}…")
                    ready = json.loads(process.stdout.readline() or "{}")
                    if not ready.get("ready"):
                        raise RuntimeError(f"{mode}: the clients of {case} could not connect")
                    cpu, client_cpu, wall = servers.cpu_seconds(), _cpu_seconds(process.pid), time.monotonic()
                    process.stdin.write(f"go {time.monotonic() + 0.3}\n")
                    process.stdin.flush()
                    result = json.loads(process.stdout.readline())
                    figures = _summarise(
                        result,
                        servers.cpu_seconds() - cpu,
                        _cpu_seconds(process.pid) - client_cpu,
                        time.monotonic() - wall,
                        servers.rss_mb(),
                    )
                    figures["clients"] = ACTIVE[case]
                    figures["connect_seconds"] = ready["connect_seconds"]
                    cases[case] = figures
                    progress(f"{mode} {case}: {figures}")
            finally:
                process.stdin.close()
                process.wait(timeout=60)
    return cases


def measure(database_url: str, *, fresh: bool = False) -> dict:
    """`fresh`: empty the database first (its own database, in the child process: the factories' names restart
    at each run)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as error:
        return {"skipped": f"Redis unavailable at {REDIS_URL}: {error}"}
    if fresh:
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)
    load = os.getloadavg()[0]
    progress("generating 10 classes of 30 pupils, 11 rooms…")
    data = generate()
    passerelle = run_cases("passerelle", "backend.asgi:application", data, database_url)
    naive = run_cases("naive", "bench.realtime_naive:application", data, database_url)
    ours, theirs = passerelle["burst_300"]["deliveries_per_s"], naive["burst_300"]["deliveries_per_s"]
    figures = {
        "p50_ms_300": passerelle["room_300"]["fanout_p50_ms"],
        "p99_ms_300": passerelle["room_300"]["fanout_p99_ms"],
        "lost": sum(case["lost"] for case in passerelle.values()),
        "deliveries_per_s": ours,
        "naive_deliveries_per_s": theirs,
        "saturation_vs_naive": round(ours / theirs, 2) if ours and theirs else None,
        "naive_p50_ms_300": naive["room_300"]["fanout_p50_ms"],
        "naive_p99_ms_300": naive["room_300"]["fanout_p99_ms"],
        "naive_lost": sum(case["lost"] for case in naive.values()),
        "load_average_at_start": round(load, 2),
        "generate_seconds": data["generate_seconds"],
    }
    keys = ("fanout_p50_ms", "fanout_p99_ms", "delivery_p50_ms", "delivery_p99_ms", "deliveries_per_s", "missed_live")
    keys += ("lost", "error_frames")
    keys += ("server_cpu_percent", "server_rss_mb", "clients_cpu_percent", "connect_seconds")
    for mode, cases in (("passerelle", passerelle), ("naive", naive)):
        for case, values in cases.items():
            values["error_frames"] = sum(values["errors"].values())
            for key in keys:
                figures[f"{mode}.{case}.{key}"] = values[key]
    # Everything, errors by code included, next to the figures.
    details = ROOT / "bench" / "results" / "realtime-details.json"
    details.write_text(json.dumps({"passerelle": passerelle, "naive": naive}, indent=2) + "\n")
    return figures


def run() -> dict:
    """Called by `python -m bench`."""
    return postgres.run(
        "bench.realtime", measure, url_variable="REALTIME_BENCH_DATABASE_URL", default_url=DEFAULT_DATABASE_URL
    )


def main(argv: list[str]) -> int:
    return postgres.main(
        argv, lambda database_url: measure(database_url, fresh=True), name="realtime", default_url=DEFAULT_DATABASE_URL
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
