"""Video playback with HTTP Range, against a plain static server, and thumbnail generation (issue 6).

The file: 200 MiB (209 715 200 bytes) in a temporary MEDIA_VIDEO_ROOT — a real one-second H.264 MP4 made with PyAV
(tests/media/samples.py) followed by pseudo-random padding bytes, so the bytes served are not compressible and
the file is not a playable 200 MiB video (the view never decodes it). It is written just before the run, so it is
in the page cache for both servers: the figures are about serving, not about the disk.

The rows: a published video of a host organisation (tests/media/factories.py) whose VideoFile points at that
file, and an adult signed in (a session cookie); they are written in the harness's database. The server, one
`daphne backend.asgi:application` process (the embedded mode's ASGI entry point), reads that database: the same
PostgreSQL test database when the harness runs on PostgreSQL, else a copy of the harness's in-memory SQLite
database in a temporary file (SQLite's backup API). `MEDIA_ACCEL_REDIRECT_PREFIX` is emptied: the application
itself streams the bytes (media.views.playback.video_file, 256 KiB blocks read in a thread).

The load, the same on both servers: 16 clients (threads with a keep-alive http.client connection each, in this
process) asking for random 1 MiB ranges (`Range: bytes=a-(a+1 MiB-1)`, `a` uniform over the file) for
MEDIA_BENCH_SECONDS (10 by default), after a short warm-up. The comparison is the same ranges served by
bench/_media_static.py: a standard-library ThreadingHTTPServer with one-range support sending with sendfile (nginx
is not installed; `http.server`'s own handler knows no Range). Only 206 answers of exactly 1 MiB count.

Figures: `range_mb_s` and `static_mb_s` (MB = 10^6 bytes of body received per second of wall time, all clients
together), `range_mb_s_vs_static` (their ratio), `first_byte_p50_ms`/`first_byte_p95_ms` (from sending the
request to receiving the first body byte, range view) and the same for the static server, `requests`, `errors`
(non-206 answers, short bodies, connection errors) and the server's CPU (% of one core, read from /proc) for
each, and `thumbnail_ms` (median over 5 images of
media.images.thumbnail_set on a 1920×1080 picture: 320, 640 and 1280 px wide in WebP and JPEG, as processing does
for a poster) with `poster_check_ms` (media.images.load_checked on the same picture as an uploaded JPEG).

The machine is shared: clients, daphne and the static server run on the same cores (`cpus` says how many), so
both figures are lower than on a dedicated server, and the ratio is what to read. The daphne error log goes to
bench/results/media-daphne.log. Run alone: `python -m bench media`.
"""

import contextlib
import http.client
import io
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAPHNE = Path(sys.executable).parent / "daphne"
FILE_SIZE = 200 * 1024 * 1024
CHUNK = 1024 * 1024
CLIENTS = 16
SECONDS = float(os.environ.get("MEDIA_BENCH_SECONDS", "10"))
WARM_UP_SECONDS = 1.0
THUMBNAIL_ROUNDS = 5
STORAGE_NAME = "bench/video.mp4"


def progress(message: str) -> None:
    print(f"  media: {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# --- Data ----------------------------------------------------------------------------------------------------------


def write_file(video_root: Path) -> Path:
    from tests.media import samples

    path = video_root / STORAGE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    samples.h264_mp4(path)
    padding = FILE_SIZE - path.stat().st_size
    generator = random.Random(6)
    with path.open("ab") as handle:
        while padding > 0:
            block = min(padding, 8 * CHUNK)
            handle.write(generator.randbytes(block))
            padding -= block
    return path


def create_rows() -> tuple[int, str]:
    """A published video whose file is the big one, and the session cookie of a signed-in adult."""
    from django.conf import settings
    from django.test import Client, override_settings

    from tests.factories import UserFactory
    from tests.media.factories import VideoFactory, VideoFileFactory

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        video = VideoFactory(published=True)
        VideoFileFactory(video=video, storage_name=STORAGE_NAME, size=FILE_SIZE, original_name="metiers.mp4")
        client = Client()
        client.force_login(UserFactory())
    return video.pk, f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def database_url_for_server(folder: Path) -> str:
    """The harness's PostgreSQL database, or a file copy of its SQLite one."""
    from django.db import connection

    from bench._postgres import database_url_of

    if connection.vendor == "postgresql":
        return database_url_of(connection.settings_dict)
    connection.ensure_connection()
    copy = folder / "media-bench.sqlite3"
    target = sqlite3.connect(copy)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    return f"sqlite:///{copy}"


# --- Servers -------------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving(command: list[str], port: int, env: dict[str, str], log_path: Path | None = None):
    """Start a server process that listens on `port`, wait for it, stop it at the end."""
    with log_path.open("w") if log_path else open(os.devnull, "w") as log:
        process = subprocess.Popen(  # noqa: S603 - our interpreter or our virtualenv's daphne, fixed arguments
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"{command[0]} exited with {process.returncode}")
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{command[0]} did not listen on {port}")
                time.sleep(0.05)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def measured_load(process: subprocess.Popen, port: int, path: str, cookie: str) -> dict:
    """`load` for SECONDS, with the server's CPU over it (% of one core, threads included)."""
    before, started = cpu_seconds(process.pid), time.monotonic()
    result = load(port, path, cookie, SECONDS)
    result["server_cpu_percent"] = round(100 * (cpu_seconds(process.pid) - before) / (time.monotonic() - started))
    return result


# --- Clients -------------------------------------------------------------------------------------------------------


def _client(port: int, path: str, cookie: str, until: float, seed: int, out: dict) -> None:
    generator = random.Random(seed)
    buffer = memoryview(bytearray(CHUNK))
    connection = None
    while time.monotonic() < until:
        start = generator.randrange(0, FILE_SIZE - CHUNK + 1)
        headers = {"Range": f"bytes={start}-{start + CHUNK - 1}", "Cookie": cookie}
        try:
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            sent = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            first = response.read1(64 * 1024)
            first_byte = time.perf_counter() - sent
            received = len(first)
            while received < CHUNK:
                count = response.readinto(buffer[: CHUNK - received])
                if not count:
                    break
                received += count
            response.read()  # anything past what was asked: the connection stays usable
            if response.status == 206 and received == CHUNK:
                out["bytes"] += received
                out["first_byte_ms"].append(first_byte * 1000)
            else:
                out["errors"] += 1
        except (OSError, http.client.HTTPException):
            out["errors"] += 1
            if connection is not None:
                connection.close()
            connection = None
    if connection is not None:
        connection.close()


def load(port: int, path: str, cookie: str, seconds: float) -> dict:
    results = [{"bytes": 0, "errors": 0, "first_byte_ms": []} for _ in range(CLIENTS)]
    started = time.monotonic()
    threads = [
        threading.Thread(target=_client, args=(port, path, cookie, started + seconds, n, results[n]))
        for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    first_byte = [value for result in results for value in result["first_byte_ms"]]
    total = sum(result["bytes"] for result in results)
    return {
        "mb_s": round(total / wall / 1e6, 1),
        "requests": len(first_byte),
        "errors": sum(result["errors"] for result in results),
        "first_byte_p50_ms": round(percentile(first_byte, 0.5), 1) if first_byte else None,
        "first_byte_p95_ms": round(percentile(first_byte, 0.95), 1) if first_byte else None,
    }


def check_access(port: int, path: str, cookie: str) -> None:
    """One ranged request and one without the cookie: the view must answer 206, and not serve strangers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Range": "bytes=0-99", "Cookie": cookie})
        response = connection.getresponse()
        body = response.read()
        if response.status != 206 or len(body) != 100:
            raise RuntimeError(f"the range view answered {response.status} with {len(body)} bytes")
        connection.request("GET", path, headers={"Range": "bytes=0-99"})
        response = connection.getresponse()
        response.read()
        if response.status == 206:
            raise RuntimeError("the range view served an anonymous client")
    finally:
        connection.close()


# --- Thumbnails ----------------------------------------------------------------------------------------------------


def thumbnails() -> dict:
    from PIL import Image, ImageDraw

    from media import images

    set_ms, check_ms = [], []
    for round_number in range(THUMBNAIL_ROUNDS):
        # A picture with gradients, shapes and some noise, closer to a video frame than a flat colour.
        picture = Image.merge(
            "RGB",
            (
                Image.linear_gradient("L").resize((1920, 1080)),
                Image.radial_gradient("L").resize((1920, 1080)),
                Image.effect_noise((1920, 1080), 40 + round_number),
            ),
        )
        draw = ImageDraw.Draw(picture)
        for n in range(20):
            draw.ellipse((n * 90, n * 40, n * 90 + 300, n * 40 + 200), fill=(n * 12, 200 - n * 8, 90))
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=90)
        data = buffer.getvalue()
        started = time.perf_counter()
        checked = images.load_checked(data)
        check_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        produced = images.thumbnail_set(checked)
        set_ms.append((time.perf_counter() - started) * 1000)
    return {
        "thumbnail_ms": round(statistics.median(set_ms), 1),
        "thumbnail_files_per_image": len(produced),
        "poster_check_ms": round(statistics.median(check_ms), 1),
    }


# --- Run -----------------------------------------------------------------------------------------------------------


def run() -> dict:
    figures = {"cpus": os.cpu_count(), "load_average_at_start": round(os.getloadavg()[0], 2)}
    with tempfile.TemporaryDirectory(prefix="media-bench-") as folder_name:
        folder = Path(folder_name)
        video_root = folder / "videos"
        started = time.monotonic()
        path = write_file(video_root)
        video_id, cookie = create_rows()
        database_url = database_url_for_server(folder)
        figures["prepare_seconds"] = round(time.monotonic() - started, 2)
        progress(f"{FILE_SIZE} bytes at {path}; server database {database_url.split(':', 1)[0]}")

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "backend.settings",
            "DATABASE_URL": database_url,
            "MEDIA_VIDEO_ROOT": str(video_root),
            "MEDIA_ACCEL_REDIRECT_PREFIX": "",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
        url_path = f"/videos/{video_id}/fichier"
        log_path = ROOT / "bench" / "results" / "media-daphne.log"
        log_path.parent.mkdir(exist_ok=True)
        port = _free_port()
        daphne = [str(DAPHNE), "-b", "127.0.0.1", "-p", str(port), "backend.asgi:application"]
        with serving(daphne, port, env, log_path) as process:
            check_access(port, url_path, cookie)
            load(port, url_path, cookie, WARM_UP_SECONDS)
            progress(f"range view, {CLIENTS} clients, {SECONDS:g} s")
            ranged = measured_load(process, port, url_path, cookie)

        port = _free_port()
        static = [sys.executable, "-m", "bench._media_static", str(port), str(path)]
        with serving(static, port, env) as process:
            load(port, "/video.mp4", "", WARM_UP_SECONDS)
            progress(f"static server, {CLIENTS} clients, {SECONDS:g} s")
            plain = measured_load(process, port, "/video.mp4", "")

    progress("thumbnails")
    figures.update(
        {
            "range_mb_s": ranged["mb_s"],
            "static_mb_s": plain["mb_s"],
            "range_mb_s_vs_static": round(ranged["mb_s"] / plain["mb_s"], 3) if plain["mb_s"] else None,
            "first_byte_p50_ms": ranged["first_byte_p50_ms"],
            "first_byte_p95_ms": ranged["first_byte_p95_ms"],
            "static_first_byte_p50_ms": plain["first_byte_p50_ms"],
            "static_first_byte_p95_ms": plain["first_byte_p95_ms"],
            "range_server_cpu_percent": ranged["server_cpu_percent"],
            "static_server_cpu_percent": plain["server_cpu_percent"],
            "range_requests": ranged["requests"],
            "range_errors": ranged["errors"],
            "static_requests": plain["requests"],
            "static_errors": plain["errors"],
            "clients": CLIENTS,
            "range_bytes": CHUNK,
            "file_bytes": FILE_SIZE,
            "seconds": SECONDS,
        }
    )
    figures.update(thumbnails())
    for key in ("range_mb_s", "static_mb_s", "range_mb_s_vs_static", "first_byte_p95_ms", "thumbnail_ms"):
        progress(f"{key} = {figures[key]}")
    return figures
