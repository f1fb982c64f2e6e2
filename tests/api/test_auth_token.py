import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories

TOKEN = reverse("api:auth-token")
ME = reverse("api:me")


@pytest.fixture
def teacher(world):
    return world["users"]["teacher"]


def obtain(client, username, password=factories.PASSWORD):
    return client.post(TOKEN, {"username": username, "password": password}, format="json")


def test_an_adult_obtains_a_token_and_uses_it(api_client, teacher):
    response = obtain(api_client, teacher.email.upper())

    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=teacher).key == key
    me = APIClient().get(ME, HTTP_AUTHORIZATION=f"Token {key}")
    assert me.status_code == 200
    assert me.json()["id"] == teacher.pk
    teacher.refresh_from_db()
    assert teacher.last_login is not None


def test_the_same_token_is_given_until_revoked(api_client, teacher):
    first = obtain(api_client, teacher.email).json()["token"]

    assert obtain(api_client, teacher.email).json()["token"] == first


def test_a_form_encoded_request_works_too(api_client, teacher):
    response = api_client.post(TOKEN, {"username": teacher.email, "password": factories.PASSWORD})

    assert response.status_code == 200


def test_a_stale_token_does_not_prevent_obtaining_a_new_one(api_client, teacher):
    response = api_client.post(
        TOKEN,
        {"username": teacher.email, "password": factories.PASSWORD},
        format="json",
        HTTP_AUTHORIZATION="Token revoked-long-ago",
    )

    assert response.status_code == 200


def test_pupils_get_no_token(api_client, world):
    pupil = world["users"]["pupil"]

    response = obtain(api_client, pupil.username)

    assert response.status_code == 403
    assert response.json()["code"] == "pupil_token_refused"
    assert "élèves" in response.json()["detail"]
    assert not Token.objects.filter(user=pupil).exists()


def test_a_pupil_token_made_elsewhere_is_refused(api_client, world):
    token = Token.objects.create(user=world["users"]["pupil"])

    response = api_client.get(ME, HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_wrong_password_is_refused(api_client, teacher):
    response = obtain(api_client, teacher.email, "not-the-password")

    assert response.status_code == 400
    assert response.json() == {"code": "invalid_credentials", "detail": "Adresse e-mail ou mot de passe incorrect."}


def test_an_unknown_account_gets_the_same_answer(api_client, db):
    response = obtain(api_client, "nobody@example.org", "whatever")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_an_inactive_account_is_refused(api_client, teacher):
    teacher.is_active = False
    teacher.save()

    assert obtain(api_client, teacher.email).json()["code"] == "invalid_credentials"


def test_missing_fields_are_a_validation_error(api_client, db):
    response = api_client.post(TOKEN, {"username": "someone@example.org"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["password"]


def test_five_failures_lock_the_account_from_that_address(api_client, teacher):
    for _ in range(4):
        assert obtain(api_client, teacher.email, "wrong").json()["code"] == "invalid_credentials"

    fifth = obtain(api_client, teacher.email, "wrong")
    with_the_right_password = obtain(api_client, teacher.email)

    for response in (fifth, with_the_right_password):
        assert response.status_code == 429
        assert response.json()["code"] == "locked_out"
        assert response["Retry-After"] == str(15 * 60)
    assert not Token.objects.filter(user=teacher).exists()
    assert AccessAttempt.objects.filter(username=teacher.email).exists()
    # Elsewhere, the account still works.
    elsewhere = APIClient(REMOTE_ADDR="203.0.113.7")
    assert obtain(elsewhere, teacher.email).status_code == 200


def test_a_success_forgets_earlier_failures(api_client, teacher):
    for _ in range(4):
        obtain(api_client, teacher.email, "wrong")

    assert obtain(api_client, teacher.email).status_code == 200
    assert not AccessAttempt.objects.filter(username=teacher.email).exists()
    assert obtain(api_client, teacher.email, "wrong").json()["code"] == "invalid_credentials"


def test_token_requests_are_throttled_per_address(api_client, teacher, throttle_rates):
    throttle_rates(auth_token="2/minute")
    obtain(api_client, teacher.email)
    obtain(api_client, "someone@example.org", "x")

    response = obtain(api_client, teacher.email)

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_revoking_a_token(api_client, teacher):
    key = obtain(api_client, teacher.email).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert api_client.delete(TOKEN).status_code == 204
    assert not Token.objects.filter(user=teacher).exists()
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_revoking_from_a_session_needs_the_csrf_token(world, teacher):
    Token.objects.create(user=teacher)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(teacher)

    refused = client.delete(TOKEN)
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"

    client.get(reverse("api:docs"))  # any page that hands out the CSRF cookie
    accepted = client.delete(TOKEN, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    assert accepted.status_code == 204
    assert not Token.objects.filter(user=teacher).exists()


def test_revoking_needs_an_account(api_client, db):
    response = api_client.delete(TOKEN)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
