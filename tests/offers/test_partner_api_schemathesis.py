"""Schemathesis over the partner endpoints and the sectors: requests generated from the OpenAPI document, sent
through Django's WSGI handler with a real association token. No answer may be a server error, and every
answer must be one the document announces: its status, its content type, its body's schema."""

import json

import pytest
import schemathesis
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backend.offers.rules import iso_week
from tests import factories
from tests.offers.partner_helpers import partner_client, payload

PATHS = ("/api/v1/partner/offers/", "/api/v1/partner/offers/{external_id}", "/api/v1/sectors/")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def partner_schema():
    """The project's OpenAPI document, reduced to the partner and sectors operations, sent to the WSGI app."""
    document = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), cls=DjangoJSONEncoder))
    document["paths"] = {path: document["paths"][path] for path in PATHS}
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = get_wsgi_application()
    return loaded


@pytest.fixture
def connections_kept():
    """The WSGI handler closes the database connection around each request, which would end the test's
    transaction; Django's test client keeps it open the same way (and reconnects the handlers after each of its
    requests: this fixture comes after any use of it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def secret(db, settings):
    """A real token of an association that already has an offer, "stage-1", with an application; no throttling
    in the way of the generated requests."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "partner": "100000/minute",
            "anon": "100000/minute",
        },
    }
    association = factories.AssociationFactory()
    client = partner_client(association)
    response = client.put("/api/v1/partner/offers/stage-1", payload(), format="json")
    assert response.status_code == 201, response.content
    return client.partner_secret


schema = partner_schema()


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_partner_api_keeps_its_contract(case, secret, connections_kept):
    case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)


def test_the_documented_example_is_accepted(db):
    """The PUT example of the document, with weeks to come, creates an offer as it says."""
    from backend.offers.api.partner import EXAMPLE_OFFER

    factories.CommuneFactory()
    client = partner_client(factories.AssociationFactory())
    example = json.loads(json.dumps(EXAMPLE_OFFER))
    example["weeks"] = [{"week": iso_week(factories.next_monday(4)), "seats": 2}]

    response = client.put("/api/v1/partner/offers/stage-2027-elec-01", example, format="json")

    assert response.status_code == 201, response.content
