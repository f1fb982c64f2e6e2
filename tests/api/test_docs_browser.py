"""The interactive documentation in a real browser, under the site's Content-Security-Policy."""

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from tests import browser_support

pytestmark = pytest.mark.browser


def schema_operations() -> list[tuple[str, str]]:
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return [
        (path, method)
        for path, item in paths.items()
        for method in item
        if method in ("get", "put", "delete", "post", "patch")
    ]


def test_swagger_ui_runs_offline_without_breaking_the_csp(live_server):
    with browser_support.chromium() as browser, browser_support.watched_page(browser, live_server.url) as watched:
        watched.page.goto(watched.url(reverse("api:console")))
        watched.page.wait_for_selector(".opblock", timeout=20_000)
        # One block per operation of the schema.
        assert watched.page.locator(".opblock").count() == len(schema_operations())
        # No CSP violation, console or script error, request outside the site. No axe check: the page is
        # Swagger UI's own markup, not ours.
        watched.assert_no_errors()
