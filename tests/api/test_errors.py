"""Every error has the same shape: {"code": ..., "detail": ...}, plus "fields" for validation errors."""

import pytest
from django.core.signals import got_request_exception
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.request import Request
from rest_framework.test import APIClient

from backend.api.errors import exception_handler

ME = reverse("api:me")
SCHOOLS = reverse("api:school-list")


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


def test_401_without_credentials_with_a_challenge(api_client, db):
    response = api_client.get(ME)

    body = assert_error(response, 401, "not_authenticated")
    assert set(body) == {"code", "detail"}
    assert response["WWW-Authenticate"] == "Token"


def test_401_with_an_unknown_token(api_client, db):
    assert_error(api_client.get(ME, HTTP_AUTHORIZATION="Token nope"), 401, "authentication_failed")


def test_403_when_a_session_write_lacks_its_csrf_token(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world["users"]["teacher"])

    assert_error(client.delete(reverse("api:auth-token")), 403, "permission_denied")


def test_404_for_an_unknown_object(client_for, world):
    body = assert_error(
        client_for(world["users"]["teacher"]).get(reverse("api:class-detail", args=[999999])), 404, "not_found"
    )
    # Not Django's English message naming the model.
    assert "SchoolClass" not in body["detail"]
    assert "matches" not in body["detail"]


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/", "/api/v1/schools/0931234X/extra/"])
def test_404_for_an_unknown_api_address(api_client, db, path):
    body = assert_error(api_client.get(path), 404, "not_found")
    assert set(body) == {"code", "detail"}


def test_404_hints_at_the_missing_trailing_slash(api_client, db):
    body = assert_error(api_client.get("/api/v1/me"), 404, "not_found")

    assert "/api/v1/me/" in body["detail"]


def test_405_for_a_method_the_endpoint_does_not_have(client_for, world):
    body = assert_error(client_for(world["users"]["teacher"]).post(ME, {}), 405, "method_not_allowed")

    assert "POST" in body["detail"]


def test_400_carries_the_messages_per_field(api_client, db):
    response = api_client.post(reverse("api:auth-token"), {}, format="json")

    body = assert_error(response, 400, "invalid")
    assert body["detail"] == "Les données envoyées ne sont pas valides."
    assert set(body["fields"]) == {"username", "password"}
    assert all(isinstance(message, str) for messages in body["fields"].values() for message in messages)


def test_400_for_malformed_json(api_client, db):
    response = api_client.generic("POST", reverse("api:auth-token"), "{not json", content_type="application/json")

    assert_error(response, 400, "parse_error")


def test_messages_follow_the_callers_language(api_client, db):
    response = api_client.post(reverse("api:auth-token"), {}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.json()["fields"]["username"] == ["This field is required."]


def test_429_when_throttled_with_retry_after(client_for, world, throttle_rates):
    throttle_rates(user="2/minute")
    client = client_for(world["users"]["teacher"])
    for _ in range(2):
        assert client.get(ME).status_code == 200

    response = client.get(ME)

    body = assert_error(response, 429, "throttled")
    assert set(body) == {"code", "detail"}
    assert 0 < int(response["Retry-After"]) <= 60


def test_429_for_anonymous_callers_per_address(api_client, db, throttle_rates):
    throttle_rates(anon="1/minute")
    schema = reverse("api:schema")
    api_client.get(schema)

    response = api_client.get(schema)

    assert_error(response, 429, "throttled")
    assert "Retry-After" in response


def test_an_unexpected_error_is_shaped_too_and_reported(settings, caplog):
    settings.DEBUG = False
    request = Request(RequestFactory().get("/api/v1/me/"))
    reported = []

    def listener(**kwargs):
        reported.append(kwargs["request"])

    got_request_exception.connect(listener)
    try:
        try:
            raise RuntimeError("a bug")  # the handler runs inside an except block, as in DRF
        except RuntimeError as exc:
            response = exception_handler(exc, {"request": request})
    finally:
        got_request_exception.disconnect(listener)

    assert response.status_code == 500
    assert response.data["code"] == "server_error"
    assert reported == [request._request]
    assert "a bug" in caplog.text


def test_an_unexpected_error_is_left_to_django_in_debug(settings):
    settings.DEBUG = True

    assert exception_handler(RuntimeError("a bug"), {"request": None}) is None
