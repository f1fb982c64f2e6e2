"""The interactive documentation in a real browser, under the site's Content-Security-Policy."""

import pytest
from django.urls import reverse

from tests import browser_support

pytestmark = pytest.mark.browser


def test_swagger_ui_runs_offline_without_breaking_the_csp(live_server):
    # No accessibility check here (axe=False): the page is Swagger UI's own markup, not ours. Leaving the
    # block fails on any CSP violation, console error, script error or request outside the site.
    with (
        browser_support.chromium() as browser,
        browser_support.watched_page(browser, live_server.url, axe=False) as watched,
    ):
        watched.page.goto(watched.url(reverse("api:docs")))
        watched.page.wait_for_selector(".opblock", timeout=20_000)
        assert watched.page.locator(".opblock").count() == 7
