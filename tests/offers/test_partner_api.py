"""The partner API's contract: each endpoint, each error status, idempotency, isolation between associations,
and nothing written on a refused request."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from backend.geo.models import Postcode
from backend.offers.enums import ApplicationStatus, OfferEventKind, OfferStatus
from backend.offers.models import Offer, OfferEvent, OfferWeek
from backend.offers.rules import iso_week
from backend.organisations.models import HostOrganisation
from backend.organisations.tokens import partner_token_revoke
from tests import factories
from tests.offers.partner_helpers import SIRET, partner_client, payload

LIST = reverse("api:partner-offer-list")


def url(external_id="stage-2027-01"):
    return reverse("api:partner-offer", kwargs={"external_id": external_id})


def put(client, data, external_id="stage-2027-01", **extra):
    return client.put(url(external_id), data, format="json", **extra)


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert body["detail"]
    return body


def counts():
    return {model.__name__: model.objects.count() for model in (Offer, OfferWeek, OfferEvent, HostOrganisation)}


@pytest.fixture
def association(db):
    return factories.AssociationFactory()


@pytest.fixture
def client(association):
    return partner_client(association)


# --- PUT: create, replace, idempotency ---------------------------------------------------------------------------


def test_put_creates_a_published_offer_then_the_same_payload_changes_nothing(client, association):
    data = payload()

    first = put(client, data)

    assert first.status_code == 201, first.content
    body = first.json()
    offer = Offer.objects.get(association=association, external_id="stage-2027-01")
    assert body["id"] == offer.pk
    assert body["external_id"] == "stage-2027-01"
    assert body["status"] == "published" == offer.status
    assert offer.published_at is not None
    assert body["organisation"] == {"siret": SIRET, "name": "Électricité du Canal", "kind": "company"}
    assert body["commune"]["insee_code"] == "93066"
    assert body["latitude"] == pytest.approx(48.9362)
    assert [week["week"] for week in body["weeks"]] == [week["week"] for week in data["weeks"]]
    assert body["weeks"][0] == {"week": data["weeks"][0]["week"], "seats": 2, "seats_taken": 0, "seats_left": 2}
    assert body["schedule"] == data["schedule"]
    kinds = list(offer.events.values_list("kind", flat=True))
    assert kinds[0] == OfferEventKind.CREATED
    assert kinds[-1] == OfferEventKind.PUBLISHED
    before, updated_at = counts(), offer.updated_at

    second = put(client, data)

    assert second.status_code == 200, second.content
    assert second.json() == body
    assert counts() == before
    offer.refresh_from_db()
    assert offer.updated_at == updated_at


def test_put_replaces_the_offer_and_logs_what_changed(client, association):
    put(client, payload())
    offer = Offer.objects.get(association=association)
    events = offer.events.count()
    later = iso_week(factories.next_monday(8))

    response = put(
        client, payload(title="Électricienne : une semaine sur les chantiers", weeks=[{"week": later, "seats": 3}])
    )

    assert response.status_code == 200, response.content
    offer.refresh_from_db()
    assert offer.title == "Électricienne : une semaine sur les chantiers"
    assert [week.iso_week for week in offer.weeks.all()] == [later]
    assert offer.events.count() > events
    assert set(offer.events.values_list("kind", flat=True)[events:]) == {OfferEventKind.EDITED}


def test_the_organisation_is_found_by_siret_and_keeps_its_name(client, association):
    existing = factories.HostOrganisationFactory(siret=SIRET, name="Électricité du Canal SA")

    put(client, payload())

    offer = Offer.objects.get(association=association)
    assert offer.organisation == existing
    assert HostOrganisation.objects.filter(siret=SIRET).count() == 1
    existing.refresh_from_db()
    assert existing.name == "Électricité du Canal SA"


def test_status_unpublished_takes_the_offer_out_and_published_brings_it_back(client, association):
    assert put(client, payload(status="unpublished")).json()["status"] == "unpublished"
    offer = Offer.objects.get(association=association)
    assert offer.published_at is None

    assert put(client, payload()).json()["status"] == "published"
    assert put(client, payload(status="unpublished")).json()["status"] == "unpublished"
    kinds = list(offer.events.values_list("kind", flat=True))
    assert kinds.count(OfferEventKind.PUBLISHED) == 1
    assert kinds.count(OfferEventKind.UNPUBLISHED) == 1


def test_a_commune_by_postcode_and_city(client, association):
    commune = factories.CommuneFactory()
    Postcode.objects.create(code="93200", commune=commune)
    data = payload(postcode="93200", city="Saint-Denis")
    del data["commune"]

    response = put(client, data)

    assert response.status_code == 201, response.content
    assert response.json()["commune"]["insee_code"] == "93066"


def test_a_remote_offer_needs_no_commune_and_has_no_coordinates(client):
    data = payload(format="remote", address="")
    del data["commune"]

    body = put(client, data).json()

    assert body["format"] == "remote"
    assert body["latitude"] is None
    assert body["longitude"] is None


def test_a_pfmp_and_an_offer_reserved_to_schools(client, association):
    school = factories.SchoolFactory()
    data = payload(
        track="pfmp",
        specialties=["Métiers de l'électricité et de ses environnements connectés"],
        reservation="schools",
        schools=[school.uai.lower()],
    )

    body = put(client, data).json()

    assert body["specialties"] == ["Métiers de l'électricité et de ses environnements connectés"]
    assert body["schools"] == [school.uai]
    assert list(Offer.objects.get(association=association).reserved_schools.all()) == [school]


def test_past_weeks_already_on_the_offer_may_be_sent_again_unchanged(client, association):
    put(client, payload())
    offer = Offer.objects.get(association=association)
    past = factories.next_monday(-2)
    OfferWeek.objects.create(offer=offer, week_start=past, seats=2, seats_taken=1)
    data = payload()
    data["weeks"].insert(0, {"week": iso_week(past), "seats": 2})

    assert put(client, data).status_code == 200
    assert put(client, payload()).status_code == 200  # left out, it stays in the history
    assert offer.weeks.filter(week_start=past).exists()

    data["weeks"][0]["seats"] = 5
    body = assert_error(put(client, data), 422, "invalid")
    assert "weeks" in body["fields"]


# --- Reads ---------------------------------------------------------------------------------------------------------


def test_get_one_offer_and_the_paginated_list(client, association):
    put(client, payload(), external_id="a-1")
    put(client, payload(title="Deuxième offre"), external_id="a-2")
    by_hand = factories.OfferFactory(association=association)

    one = client.get(url("a-1"))
    listing = client.get(LIST, {"page_size": 2})

    assert one.status_code == 200
    assert one.json()["external_id"] == "a-1"
    assert listing.status_code == 200
    body = listing.json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"]
    following = client.get(body["next"]).json()["results"]
    ids = {item["id"] for item in body["results"] + following}
    assert by_hand.pk in ids
    assert next(item for item in client.get(LIST).json()["results"] if item["id"] == by_hand.pk)["external_id"] is None


def test_a_partner_never_sees_nor_touches_another_associations_offers(client, association):
    put(client, payload())
    mine = Offer.objects.get(association=association)
    other = partner_client(factories.AssociationFactory())

    assert_error(other.get(url()), 404, "not_found")
    assert_error(other.delete(url()), 404, "not_found")
    assert other.get(LIST).json()["count"] == 0
    response = put(other, payload(title="Leur offre"))

    assert response.status_code == 201  # their own offer under the same external id
    assert response.json()["id"] != mine.pk
    mine.refresh_from_db()
    assert mine.title == "Découvrir le métier d'électricienne"
    assert client.get(LIST).json()["count"] == 1


# --- DELETE ----------------------------------------------------------------------------------------------------------


def test_delete_removes_an_offer_nobody_applied_to(client, association):
    put(client, payload())

    assert client.delete(url()).status_code == 204

    assert not Offer.objects.filter(association=association).exists()
    assert_error(client.get(url()), 404, "not_found")
    assert_error(client.delete(url()), 404, "not_found")


def test_delete_archives_an_offer_with_applications(client, association):
    put(client, payload())
    offer = Offer.objects.get(association=association)
    factories.ApplicationFactory(offer=offer)

    assert client.delete(url()).status_code == 204

    offer.refresh_from_db()
    assert offer.status == OfferStatus.ARCHIVED
    assert offer.archived_at is not None
    assert offer.events.last().kind == OfferEventKind.ARCHIVED
    assert client.delete(url()).status_code == 204  # again: nothing more to do
    assert client.get(url()).json()["status"] == "archived"
    assert_error(put(client, payload()), 409, "offer_archived")


# --- Authentication and permissions -----------------------------------------------------------------------------


def test_401_without_a_token_or_with_a_wrong_one(db):
    anonymous = APIClient()

    response = anonymous.get(LIST)
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")

    for header in ("Bearer pas_nothing-like-a-real-token", "Bearer", "Bearer a b", "Bearer é"):
        anonymous.credentials(HTTP_AUTHORIZATION=header)
        assert anonymous.get(LIST).status_code == 401, header


def test_a_revoked_token_stops_working_at_once(client):
    assert client.get(LIST).status_code == 200

    partner_token_revoke(token=client.partner_token, by=None)

    assert_error(client.get(LIST), 401, "authentication_failed")
    assert_error(put(client, payload()), 401, "authentication_failed")


def test_a_person_signed_in_on_the_site_is_not_a_partner(world):
    staff = APIClient()
    staff.force_login(world["users"]["association_staff"])

    assert_error(staff.get(LIST), 403, "partner_token_required")
    assert_error(staff.get(url()), 403, "partner_token_required")


def test_last_use_is_noted_at_most_once_a_minute(client):
    token = client.partner_token
    assert token.last_used_at is None

    client.get(LIST)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get(LIST)
    token.refresh_from_db()
    assert token.last_used_at == first

    type(token).objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    client.get(LIST)
    token.refresh_from_db()
    assert token.last_used_at > first - datetime.timedelta(minutes=1)


def test_429_per_token_with_retry_after(client, association, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "partner": "2/minute"},
    }
    assert client.get(LIST).status_code == 200
    assert client.get(LIST).status_code == 200

    response = client.get(LIST)

    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    assert partner_client(association).get(LIST).status_code == 200  # another token has its own allowance


# --- 404, 409 ------------------------------------------------------------------------------------------------------


def test_404_for_an_unknown_external_id(client):
    assert_error(client.get(url("nothing-here")), 404, "not_found")
    assert_error(client.delete(url("nothing-here")), 404, "not_found")


def test_409_when_the_moderation_hid_the_offer(client, association):
    put(client, payload())
    Offer.objects.filter(association=association).update(hidden_at=timezone.now())
    before = counts()

    assert_error(put(client, payload(title="Autre titre")), 409, "offer_hidden")

    assert counts() == before
    assert client.get(url()).json()["hidden"] is True


def test_409_when_an_offer_with_applications_would_change_organisation(client, association):
    put(client, payload())
    factories.ApplicationFactory(offer=Offer.objects.get(association=association))
    other = {"siret": factories.valid_siret(123_456), "name": "Autre structure", "kind": "administration"}

    assert_error(put(client, payload(organisation=other)), 409, "organisation_change")


def test_an_offer_nobody_applied_to_may_change_organisation(client, association):
    put(client, payload())
    other = {"siret": factories.valid_siret(123_456), "name": "Autre structure", "kind": "administration"}

    response = put(client, payload(organisation=other))

    assert response.status_code == 200
    assert response.json()["organisation"]["name"] == "Autre structure"


# --- 422 and other refusals: a clear message, nothing written ------------------------------------------------------


def _weeks(*labels_and_seats):
    return [{"week": label, "seats": seats} for label, seats in labels_and_seats]


INVALID = {
    "malformed week": ({"weeks": _weeks(("2027-W60", 2))}, "weeks.0.week"),
    "not a week": ({"weeks": _weeks(("janvier", 2))}, "weeks.0.week"),
    "past week": ({"weeks": _weeks(("2020-W10", 2))}, "weeks"),
    "negative seats": ({"weeks": [{"week": "2099-W10", "seats": -1}]}, "weeks.0.seats"),
    "no week": ({"weeks": []}, "weeks"),
    "unknown sector": ({"sector": "Z"}, "sector"),
    "unknown domain": ({"domain": "H99"}, "domain"),
    "domain of another sector": ({"domain": "A11"}, "domain"),
    "malformed ROME code": ({"rome_code": "H26"}, "rome_code"),
    "too many hours a day": ({"schedule": {"1": [["08:00", "12:00"], ["13:00", "17:00"]]}}, "schedule"),
    "on a Saturday": ({"schedule": {"6": [["09:00", "12:00"]]}}, "schedule"),
    "at night": ({"schedule": {"1": [["05:00", "07:00"]]}}, "schedule"),
    "empty schedule": ({"schedule": {}}, "schedule"),
    "unknown commune": ({"commune": "99999"}, "commune"),
    "no commune on site": ({"commune": ""}, "commune"),
    "postcode without city": ({"commune": "", "postcode": "93200"}, "commune"),
    "invalid SIRET": (
        {"organisation": {"siret": "12345678901234", "name": "X", "kind": "company"}},
        "organisation.siret",
    ),
    "PFMP without specialties": ({"track": "pfmp"}, "specialties"),
    "schools without schools": ({"reservation": "schools"}, "schools"),
    "unknown school": ({"reservation": "schools", "schools": ["0000000A"]}, "schools"),
    "zero pupils per group": ({"group_size": 0}, "group_size"),
    "unknown status": ({"status": "archived"}, "status"),
    "missing title": ({"title": ""}, "title"),
}


@pytest.mark.parametrize(("changes", "field"), INVALID.values(), ids=INVALID.keys())
def test_422_names_the_field_and_writes_nothing(client, changes, field):
    data = payload(**changes)
    before = counts()

    body = assert_error(put(client, data), 422, "invalid")

    assert field in body["fields"], body
    assert all(isinstance(message, str) and message for message in body["fields"][field])
    assert counts() == before


def test_422_for_a_week_given_twice(client):
    week = iso_week(factories.next_monday(6))
    body = assert_error(put(client, payload(weeks=_weeks((week, 1), (week, 2)))), 422, "invalid")
    assert "deux fois" in body["fields"]["weeks"][0]


def test_the_rules_speak_plainly(client):
    body = put(client, payload(weeks=_weeks(("2027-W60", 2)))).json()
    assert body["fields"]["weeks.0.week"] == ["L'année 2027 n'a pas de semaine n° 60."]

    body = put(client, payload(schedule={"1": [["08:00", "12:00"], ["13:00", "17:00"]]})).json()
    assert body["fields"]["schedule"] == ["Le lundi : 8 h de présence, au-delà des 7 h permises par jour."]


def test_errors_follow_accept_language(client):
    french = put(client, payload(sector="Z"), HTTP_ACCEPT_LANGUAGE="fr").json()
    english = put(client, payload(sector="Z"), HTTP_ACCEPT_LANGUAGE="en").json()

    assert french["fields"]["sector"] == ["«\xa0Z\xa0» n'est pas un choix valide."]
    assert english["fields"]["sector"] == ['"Z" is not a valid choice.']


def test_seats_never_below_those_taken_nor_a_week_removed_after_applications(client, association):
    put(client, payload())
    offer = Offer.objects.get(association=association)
    first, second = offer.weeks.all()
    first.seats_taken = 2
    first.save()
    factories.ApplicationFactory(offer=offer, weeks=[second], status=ApplicationStatus.SUBMITTED)
    before = counts()

    fewer = payload()
    fewer["weeks"][0]["seats"] = 1
    body = assert_error(put(client, fewer), 422, "invalid")
    assert "au moins 2 place(s)" in body["fields"]["weeks"][0]

    without_second = payload(weeks=payload()["weeks"][:1])
    body = assert_error(put(client, without_second), 422, "invalid")
    assert "déjà des candidatures" in body["fields"]["weeks"][0]
    assert counts() == before


def test_422_for_an_external_id_the_api_does_not_take(client):
    body = assert_error(client.put(url("-leading-dash"), payload(), format="json"), 422, "invalid")
    assert "external_id" in body["fields"]
    assert_error(client.get(url("-leading-dash")), 404, "not_found")


def test_400_for_a_body_that_is_not_json_and_415_for_another_type(client):
    before = counts()

    broken = client.put(url(), "{not json", content_type="application/json")
    assert_error(broken, 400, "parse_error")
    surrogate = client.put(url(), '{"title": "\\ud800"}', content_type="application/json")
    assert_error(surrogate, 400, "parse_error")
    form = client.put(url(), "title=x", content_type="application/x-www-form-urlencoded")
    assert_error(form, 415, "unsupported_media_type")
    assert counts() == before


def test_a_json_list_is_refused_with_422(client):
    body = assert_error(client.put(url(), json.dumps([1, 2]), content_type="application/json"), 422, "invalid")
    assert "non_field_errors" in body["fields"]


# --- Races -----------------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_puts_of_a_new_offer_create_it_once():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL's row locks (SQLite runs one writer at a time anyway)")
    association = factories.AssociationFactory()
    # One token each: requests with the same token would queue behind its last-use update anyway.
    secrets = [partner_client(association).partner_secret for _n in range(6)]
    data = payload()

    def send(secret):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        try:
            return put(client, data).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = sorted(pool.map(send, secrets))

    assert statuses == [200] * 5 + [201]
    offer = Offer.objects.get(association=association)
    assert offer.weeks.count() == 2
    assert offer.events.filter(kind=OfferEventKind.CREATED).count() == 1


def test_the_list_needs_the_same_queries_for_many_offers(client, association, django_assert_max_num_queries):
    school = factories.SchoolFactory()
    for _n in range(12):
        offer = factories.OfferFactory(association=association, reservation="schools")
        offer.reserved_schools.add(school)
    client.get(LIST)  # the token's last use is noted once

    with django_assert_max_num_queries(8):
        response = client.get(LIST)

    assert response.json()["count"] == 12
