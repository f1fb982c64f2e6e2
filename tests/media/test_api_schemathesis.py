"""Schemathesis over the library's API: requests generated from the OpenAPI document, sent through Django's WSGI
handler with a real maker's token. No answer may be a server error, and every answer must be one the document
announces: its status, its content type, its body's schema."""

import json

import pytest
import schemathesis
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories
from tests.media.factories import CaptionFactory, UploadSessionFactory, VideoFactory, VideoFileFactory

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def videos_schema():
    document = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), cls=DjangoJSONEncoder))
    document["paths"] = {path: item for path, item in document["paths"].items() if path.startswith("/api/v1/videos/")}
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = get_wsgi_application()
    return loaded


@pytest.fixture
def connections_kept():
    """The WSGI handler closes the database connection around each request, which would end the test's
    transaction (see tests/offers/test_partner_api_schemathesis.py)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, settings):
    """A maker's token; her organisation has videos 1 and 2 in several states (ids vary: most generated ids miss,
    which is a 404 the document announces), with files and captions; no throttling in the way."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "user": "100000/minute",
            "anon": "100000/minute",
        },
    }
    maker = factories.OrganisationMembershipFactory()
    draft = VideoFactory(host_organisation=maker.organisation, processed=True)
    VideoFileFactory(video=draft)
    CaptionFactory(video=draft)
    VideoFactory(host_organisation=maker.organisation, published=True)
    UploadSessionFactory(video=draft, owner=maker.user)
    return Token.objects.create(user=maker.user).key


schema = videos_schema()


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_videos_api_keeps_its_contract(case, token, connections_kept):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
