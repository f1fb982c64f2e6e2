"""A live ASGI server for browser journeys that need WebSockets (pytest-django's `live_server` speaks WSGI only):
one daphne process serving `backend.asgi:application` on the test database, with the test process's Redis for
its cache and channel layer.

The server is another process, so it must read what the test wrote: the database is the test's PostgreSQL
database (tests using it need `transactional_db`), never the embedded mode's in-memory SQLite, which no other
process can open — there the fixture skips, saying why. People are signed in by a session cookie made here
(`sign_in`), as `Client.force_login` does; the sessions live in the shared database.
"""

import uuid
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.realtime.servers import Daphne, database_url, server_env


@dataclass
class AsgiServer:
    base_url: str

    def url(self, path: str) -> str:
        return self.base_url + path

    def cookie_for(self, user) -> dict:
        """A Playwright cookie that signs `user` in on this server."""
        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        return {"name": name, "value": client.cookies[name].value, "url": self.base_url}


def requires_shared_database() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "the ASGI server runs in its own process and must share the test database: set DATABASE_URL to a "
            "PostgreSQL server (the embedded mode's in-memory SQLite cannot be shared)"
        )


@pytest.fixture
def asgi_server(transactional_db):
    """daphne on a free port for the duration of one test."""
    requires_shared_database()
    redis = settings.CACHES["default"].get("LOCATION", "") if settings.REDIS_URL else ""
    env = server_env(
        database=database_url(connection.settings_dict),
        redis=redis,
        prefix=f"test-journey-{uuid.uuid4().hex[:12]}",
        # Accounts made by the tests carry fast MD5 hashes (tests/conftest.py); the server must read them.
        PASSWORD_HASHERS="django.contrib.auth.hashers.MD5PasswordHasher",
        DEBUG="false",
    )
    if not redis:
        env.pop("REDIS_URL", None)
    server = Daphne(env)
    try:
        server.start()
        yield AsgiServer(base_url=f"http://127.0.0.1:{server.port}")
    finally:
        server.close()
