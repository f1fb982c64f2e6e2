"""The HTTP side of `backend.asgi.application`, as daphne serves it: Django's handler with the middleware chain run
synchronously in one worker thread per request (pytest-django's live server and test client speak WSGI, so they do
not go through it)."""

import asyncio

import pytest
from django.conf import settings
from django.test import Client

from backend.asgi import application, django_asgi_app
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)  # the view runs in another thread, with its own connection


def get(path: str, headers=None) -> dict:
    """One GET through the application as a server would make it; the response's status, headers and whole body."""
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"localhost"), *(headers or [])],
        "client": ("127.0.0.1", 40000),
        "server": ("localhost", 80),
    }
    messages, requested = [], []

    async def receive():
        if not requested:
            requested.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # no disconnection: the handler stops listening once it has answered

    async def send(message):
        messages.append(message)

    async def run():
        await asyncio.wait_for(application(scope, receive, send), timeout=10)

    asyncio.run(run())
    start = next(message for message in messages if message["type"] == "http.response.start")
    body = b"".join(message.get("body", b"") for message in messages if message["type"] == "http.response.body")
    return {"status": start["status"], "headers": start["headers"], "body": body}


def test_the_middleware_chain_is_synchronous():
    assert not asyncio.iscoroutinefunction(django_asgi_app._middleware_chain)


def test_a_page_goes_through_every_middleware():
    response = get("/offres/?q=boulanger")
    assert response["status"] == 200
    headers = {name.decode().lower(): value.decode() for name, value in response["headers"]}
    assert "Trouver un stage" in response["body"].decode()
    assert "content-security-policy" in headers  # CSP
    assert headers["x-frame-options"] == "DENY"  # clickjacking
    assert headers["content-language"] == "fr"  # the French-first locale


def test_errors_and_redirects():
    assert get("/nulle-part/")["status"] == 404
    redirect = get("/offres")
    assert redirect["status"] == 301
    assert dict(redirect["headers"])[b"Location"] == b"/offres/"


def test_a_streaming_response_with_an_asynchronous_iterator():
    staff = factories.UserFactory(staff=True)
    factories.OfferFactory(title="Observer une boulangerie")
    client = Client()
    client.force_login(staff)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()
    response = get("/offres/export.csv", headers=[(b"cookie", cookie)])
    assert response["status"] == 200
    body = response["body"].decode("utf-8")
    assert body.startswith("\ufeff")
    assert "Observer une boulangerie" in body
