import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from drf_spectacular.validation import validate_schema

SCHEMA = reverse("api:schema")
DOCS = reverse("api:console")

OUR_PATHS = {
    "/api/v1/me/": ["get"],
    "/api/v1/schools/": ["get"],
    "/api/v1/schools/{uai}/": ["get"],
    "/api/v1/classes/": ["get"],
    "/api/v1/classes/{id}/": ["get"],
    "/api/v1/auth/token/": ["post", "delete"],
    # The partner API and the sectors (backend/offers/api/partner.py, sectors.py).
    "/api/v1/partner/offers/": ["get"],
    "/api/v1/partner/offers/{external_id}": ["get", "put", "delete"],
    "/api/v1/sectors/": ["get"],
    # The public offers search (backend/offers/api/public.py).
    "/api/v1/offers/": ["get"],
    "/api/v1/offers/{id}/": ["get"],
    # Tutoring and remote discovery sessions (scheduling/api/).
    "/api/v1/tutoring/slots/": ["get"],
    "/api/v1/tutoring/bookings/": ["get", "post"],
    "/api/v1/tutoring/bookings/{id}/cancel/": ["post"],
    "/api/v1/tutoring/bookings/{id}/reschedule/": ["post"],
    "/api/v1/tutoring/availability/rules/": ["get", "post"],
    "/api/v1/tutoring/availability/rules/{id}/": ["delete"],
    "/api/v1/sessions/": ["get"],
    "/api/v1/sessions/{id}/": ["get"],
    "/api/v1/sessions/{id}/bookings/": ["post"],
    "/api/v1/session-bookings/{id}/cancel/": ["post"],
    "/api/v1/videos/": ["post"],
    "/api/v1/videos/{id}/": ["delete", "get", "patch"],
    "/api/v1/videos/{id}/transitions/": ["post"],
    "/api/v1/videos/{id}/captions/": ["post"],
    "/api/v1/videos/{id}/poster/": ["post"],
    "/api/v1/videos/uploads/": ["post"],
    "/api/v1/videos/uploads/{id}/": ["get", "put"],
}


@pytest.fixture
def schema(api_client, db):
    response = api_client.get(SCHEMA, {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_public_and_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)
    assert {path: sorted(operations) for path, operations in schema["paths"].items()} == {
        path: sorted(methods) for path, methods in OUR_PATHS.items()
    }


def test_the_schema_is_yaml_by_default(api_client, db):
    response = api_client.get(SCHEMA)

    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3.")


def test_a_stale_token_does_not_hide_the_schema(api_client, db):
    assert api_client.get(SCHEMA, HTTP_AUTHORIZATION="Token stale").status_code == 200


def test_every_operation_documents_its_errors_with_the_shared_shape(schema):
    error_ref = {"$ref": "#/components/schemas/Error"}
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"code", "detail"}
    for path, operations in OUR_PATHS.items():
        for method in operations:
            responses = schema["paths"][path][method]["responses"]
            public = schema["paths"][path][method].get("security") == [{}]
            expected = {"429"} | ({"400"} if method == "post" else set() if public else {"401", "403"})
            if "{" in path:
                expected.add("404")
            assert expected <= set(responses), (path, method, sorted(responses))
            for status in expected:
                assert responses[status]["content"]["application/json"]["schema"] == error_ref
            assert "Retry-After" in responses["429"]["headers"]


def test_list_operations_document_their_filters_pagination_and_400(schema):
    operation = schema["paths"]["/api/v1/schools/"]["get"]

    parameters = {parameter["name"] for parameter in operation["parameters"]}
    assert {"academie", "departement", "priority", "kind", "q", "mine", "page", "page_size"} <= parameters
    assert {"400", "404"} <= set(operation["responses"])


def test_the_token_endpoint_is_documented_as_open(schema):
    assert schema["paths"]["/api/v1/auth/token/"]["post"]["security"] == [{}]
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_the_docs_page_is_public_offline_and_fit_for_a_strict_csp(client, db):
    response = client.get(DOCS)

    assert response.status_code == 200
    html = response.content.decode()
    for outside in ("cdn", "jsdelivr", "unpkg", "http://", "https://", "//"):
        assert outside not in html.replace("<!DOCTYPE html>", ""), outside
    # No inline script, no inline style: each script is a file of our own site.
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.DOTALL)
    assert scripts
    assert all('src="/' in attributes and not body.strip() for attributes, body in scripts)
    assert "<style" not in html
    assert "style=" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_docs_assets_are_served_by_our_site(client, db):
    html = client.get(DOCS).content.decode()
    init_script = client.get(reverse("api:docs-script"))

    assert init_script.status_code == 200
    assert init_script["Content-Type"].startswith("text/javascript")
    assert "SwaggerUIBundle" in init_script.content.decode()
    for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert finders.find(url.removeprefix("/static/")), f"{url}: add drf_spectacular_sidecar to INSTALLED_APPS"
    assert f'data-schema-url="{SCHEMA}?format=json"' in html


def test_the_reference_page_lists_every_operation_of_the_schema(client, db, schema):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    for path, item in schema["paths"].items():
        for method in ("get", "post", "put", "patch", "delete"):
            if method in item:
                assert f"{method.upper()} {path}" in html, (method, path)
    assert reverse("api:console") in html
    assert reverse("api:schema") in html
