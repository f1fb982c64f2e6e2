"""Container healthcheck of a web process: GET /healthz on the local daphne, exit 0 only on HTTP 200.

Used by docker-compose.yml (`python deploy/healthcheck.py`); the image has no curl. The request carries the
first public host name as Host header, otherwise Django would answer 400 (ALLOWED_HOSTS), and says it came
over HTTPS, as nginx would, so that nothing redirects. Usage: healthcheck.py [URL], default below.
"""

import os
import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/healthz"
TIMEOUT_SECONDS = 5


def host_header() -> str:
    """The first concrete name of ALLOWED_HOSTS (".example.fr" allows any subdomain; "*" any host)."""
    for name in os.environ.get("ALLOWED_HOSTS", "").split(","):
        name = name.strip().lstrip(".")
        if name and name != "*":
            return name
    return "localhost"


def main(url: str) -> int:
    request = urllib.request.Request(url, headers={"Host": host_header(), "X-Forwarded-Proto": "https"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as error:  # 503 carries the name of the failing dependency
        print(error.read().decode(errors="replace")[:500], file=sys.stderr)
        return 1
    except OSError as error:
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_URL))
