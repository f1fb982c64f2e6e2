"""GET /api/v1/offers/ and /api/v1/offers/<id>/: the catalogue's search as JSON, for anyone."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.geo.models import Postcode
from backend.offers.enums import Reservation
from backend.schools.enums import Priority
from tests import factories
from tests.offers.test_search import commune_at, offer

pytestmark = pytest.mark.django_db

URL = "/api/v1/offers/"
PUBLIC_FIELDS = {
    "id",
    "page_url",
    "title",
    "description",
    "organisation",
    "job_title",
    "rome_code",
    "sector",
    "domain",
    "track",
    "specialties",
    "format",
    "address",
    "commune",
    "latitude",
    "longitude",
    "distance_km",
    "group_size",
    "reservation",
    "disability_friendly",
    "schedule",
    "weeks",
    "published_at",
}


@pytest.fixture
def centre():
    commune = commune_at("38001", "Centreville")
    Postcode.objects.create(code="38100", commune=commune)
    return commune


def test_the_url_names():
    assert reverse("api:offer-list") == URL
    assert reverse("api:offer-detail", args=[3]) == "/api/v1/offers/3/"


def test_anyone_searches_and_gets_public_fields_only(client, centre):
    found = offer(
        title="Électricienne",
        commune=commune_at("38002", "Nordin", north_km=3),
        sector="F",
        domain="F16",
        external_id="secret-42",
        moderation_note="Note interne",
    )
    offer(title="Boulangère", commune=centre)
    response = client.get(URL, {"q": "electricienne", "commune": "38001", "radius": "5"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results", "search"}
    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    result = body["results"][0]
    assert set(result) == PUBLIC_FIELDS
    assert result["id"] == found.pk
    assert result["page_url"] == f"http://testserver/offres/{found.pk}/"
    assert result["organisation"] == {"name": found.organisation.name}
    assert result["sector"] == {"code": "F", "label": "Construction, bâtiment et travaux publics"}
    assert result["domain"] == {"code": "F16", "label": "Second oeuvre"}
    assert result["commune"] == {"insee_code": "38002", "name": "Nordin", "departement_code": "38"}
    assert result["distance_km"] == pytest.approx(3.0, abs=0.01)
    assert [week["seats_left"] for week in result["weeks"]] == [2, 2]
    assert result["weeks"][0]["week"].count("-W") == 1
    assert "secret-42" not in response.content.decode()
    assert "Note interne" not in response.content.decode()
    assert body["search"] == {
        "place": {"insee_code": "38001", "name": "Centreville", "departement_code": "38"},
        "place_is_default": False,
        "count_is_exact": True,
        "radius_km": 5,
        "sort": "relevance",
        "wider_radius_km": None,
        "wider_count": 0,
    }


def test_a_postcode_stands_for_its_commune(client, centre):
    offer(title="Ici", commune=centre)
    body = client.get(URL, {"postcode": "38100"}).json()
    assert body["search"]["place"]["insee_code"] == "38001"
    assert [result["title"] for result in body["results"]] == ["Ici"]


def test_pages_and_links(client, centre):
    now = timezone.now()
    for number in range(25):
        offer(title=f"Offre {number:02d}", commune=centre, published_at=now - datetime.timedelta(minutes=number))
    body = client.get(URL, {"sector": "M"}).json()
    assert body["count"] == 25
    assert len(body["results"]) == 20
    assert body["next"] in (
        "http://testserver/api/v1/offers/?sector=M&page=2",
        "http://testserver/api/v1/offers/?page=2&sector=M",
    )
    assert body["previous"] is None
    second = client.get(body["next"]).json()
    assert [result["title"] for result in second["results"]] == [f"Offre {n}" for n in range(20, 25)]
    assert second["previous"] == "http://testserver/api/v1/offers/?sector=M"
    assert second["next"] is None
    assert len(client.get(URL, {"page_size": "100"}).json()["results"]) == 25
    response = client.get(URL, {"page": "3"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_empty_result_proposes_a_wider_radius(client, centre):
    offer(title="À 45 km", commune=commune_at("38007", "Loin", north_km=45))
    body = client.get(URL, {"commune": "38001"}).json()
    assert body["count"] == 0
    assert (body["search"]["wider_radius_km"], body["search"]["wider_count"]) == (50, 1)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"radius": "500"}, "radius", "Choisissez un rayon entre 1 et 100 km."),
        ({"sector": "Z"}, "sector", "Ce secteur n'existe pas : choisissez-en un dans la liste."),
        ({"week": "2027-W60"}, "week", "L'année 2027 n'a pas de semaine n° 60."),
        ({"commune": "99999"}, "commune", "Aucune commune n'a le code INSEE « 99999 »."),
        ({"postcode": "00000"}, "postcode", "Aucune commune n'a le code postal « 00000 »."),
        ({"page_size": "1000"}, "page_size", "Le nombre d'offres par page va de 1 à 100."),
        ({"date_from": "demain"}, "date_from", "Saisissez une date valide, par exemple 2027-01-18."),
        ({"commune": "38001", "postcode": "38100"}, "non_field_errors", "Donnez une commune ou un code postal"),
    ],
)
def test_bad_criteria_are_refused_with_a_message_per_field(client, centre, params, field, message):
    response = client.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"] == "Les données envoyées ne sont pas valides."
    assert any(text.startswith(message) for text in body["fields"][field]), body


def test_an_ambiguous_postcode_lists_the_communes(client, centre):
    other = commune_at("38002", "Voisine", east_km=2)
    Postcode.objects.create(code="38100", commune=other)
    body = client.get(URL, {"postcode": "38100"}).json()
    assert "Centreville (38) : 38001" in body["fields"]["postcode"][0]


def test_reserved_offers_only_for_their_pupils(client, centre):
    school = factories.SchoolFactory(commune=centre, priority=Priority.REP, qpv=False)
    offer(title="Ouverte", commune=centre)
    reserved = offer(title="Prioritaire", commune=centre, reservation=Reservation.PRIORITY)
    assert [result["title"] for result in client.get(URL).json()["results"]] == ["Ouverte"]
    assert client.get(f"{URL}{reserved.pk}/").status_code == 404
    client.force_login(factories.EnrolmentFactory(school_class__school=school).pupil)
    body = client.get(URL, {"reserved": "true"}).json()
    assert [result["title"] for result in body["results"]] == ["Prioritaire"]
    assert body["search"]["place_is_default"] is True
    assert client.get(f"{URL}{reserved.pk}/").json()["reservation"] == "priority"


def test_one_offer(client, centre):
    published = offer(title="Publiée", commune=centre)
    draft = offer(title="Brouillon", commune=centre, draft=True)
    hidden = offer(title="Masquée", commune=centre, hidden_at=timezone.now())
    body = client.get(f"{URL}{published.pk}/").json()
    assert set(body) == PUBLIC_FIELDS
    assert body["title"] == "Publiée"
    assert body["distance_km"] is None
    for unseen in (draft, hidden):
        response = client.get(f"{URL}{unseen.pk}/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_documented_in_the_openapi_schema(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/offers/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"q", "commune", "postcode", "radius", "sector", "track", "format", "week", "sort", "page"} <= names
    assert {"200", "400", "404", "429"} <= set(operation["responses"])
    assert "security" not in operation or {} in operation["security"]
    assert "examples" in operation["responses"]["200"]["content"]["application/json"]
    assert "/api/v1/offers/{id}/" in schema["paths"]
