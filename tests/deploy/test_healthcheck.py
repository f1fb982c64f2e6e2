"""deploy/healthcheck.py, the web containers' healthcheck, against a stand-in for daphne."""

import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .composefile import ROOT

SCRIPT = ROOT / "deploy" / "healthcheck.py"


class StandIn(BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []

    def do_GET(self):
        StandIn.seen.append({"path": self.path, "host": self.headers["Host"], **self.headers})
        status = 200 if self.path == "/healthz" else 503
        body = b'{"status": "ok"}' if status == 200 else b'{"status": "fail", "failed": ["redis"]}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # quiet
        pass


@pytest.fixture
def daphne():
    StandIn.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def run(url: str, allowed_hosts: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "ALLOWED_HOSTS": allowed_hosts}
    return subprocess.run(  # noqa: S603 - our interpreter, our script
        [sys.executable, "-W", "error", str(SCRIPT), url],
        env=environment,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_healthy_when_healthz_answers_200_to_the_public_host_name(daphne):
    result = run(f"{daphne}/healthz", ".passerelle.example.fr,www.passerelle.example.fr")
    assert result.returncode == 0, result.stderr
    (request,) = StandIn.seen
    assert request["host"] == "passerelle.example.fr"
    assert request["X-Forwarded-Proto"] == "https"


def test_unhealthy_when_a_dependency_fails(daphne):
    result = run(f"{daphne}/failing", "*")
    assert result.returncode == 1
    assert '"failed": ["redis"]' in result.stderr
    assert StandIn.seen[0]["host"] == "localhost"


def test_unhealthy_when_nothing_listens(daphne):
    port = daphne.rsplit(":", 1)[1]
    result = run(f"http://127.0.0.1:{int(port) + 1 if port != '65535' else 1}/healthz", "localhost")
    assert result.returncode == 1
