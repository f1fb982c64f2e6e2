"""The interactive documentation in a real browser, under the site's Content-Security-Policy."""

import pytest
from django.urls import reverse
from playwright.sync_api import sync_playwright

pytestmark = pytest.mark.browser

CHROMIUM = {"executable_path": "/usr/bin/chromium", "args": ["--headless", "--no-sandbox", "--disable-gpu"]}
RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def test_swagger_ui_runs_offline_without_breaking_the_csp(live_server):
    outside_requests = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**CHROMIUM)
        try:
            page = browser.new_page()
            page.add_init_script(RECORD_CSP_VIOLATIONS)

            def record_outside(request):
                if not request.url.startswith((live_server.url, "data:")):
                    outside_requests.append(request.url)

            page.on("request", record_outside)
            page.goto(live_server.url + reverse("api:docs"))
            page.wait_for_selector(".opblock", timeout=20_000)

            operations = page.locator(".opblock").count()
            violations = page.evaluate("window.cspViolations")
        finally:
            browser.close()

    assert operations == 7
    assert violations == []
    assert outside_requests == []
