"""GET /api/v1/sectors/: public reference data, the 14 ROME sectors and their professional domains."""

from django.urls import reverse
from rest_framework.test import APIClient

from backend.offers.taxonomy import domains
from backend.organisations.enums import Sector

URL = reverse("api:sector-list")


def test_the_fourteen_sectors_with_their_domains_for_anyone(db):
    response = APIClient().get(URL)

    assert response.status_code == 200
    body = response.json()
    assert [sector["code"] for sector in body] == list("ABCDEFGHIJKLMN")
    industry = next(sector for sector in body if sector["code"] == "H")
    assert industry["name"] == "Industrie"
    codes = {domain["code"] for sector in body for domain in sector["domains"]}
    assert codes == set(domains())
    assert all(domain["code"].startswith(sector["code"]) for sector in body for domain in sector["domains"])
    assert {"code": "H26", "name": domains()["H26"].name} in industry["domains"]


def test_labels_follow_accept_language(db):
    english = APIClient().get(URL, HTTP_ACCEPT_LANGUAGE="en").json()
    french = APIClient().get(URL, HTTP_ACCEPT_LANGUAGE="fr").json()

    assert french[7]["name"] == "Industrie"
    assert english[7]["name"] == "Industry"
    assert len(english) == len(Sector.choices)


def test_a_stale_token_or_a_session_does_not_stand_in_the_way(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer pas_revoked")
    assert client.get(URL).status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token stale")
    assert client.get(URL).status_code == 200
    client.force_login(world["users"]["pupil"])
    assert client.get(URL).status_code == 200


def test_anonymous_callers_are_throttled_per_address(db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "1/minute"},
    }
    client = APIClient()
    assert client.get(URL).status_code == 200

    response = client.get(URL)

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert "Retry-After" in response
