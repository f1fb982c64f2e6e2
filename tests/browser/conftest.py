import pytest

from tests import browser_support


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module; each test gets its own context, so no cookie leaks between tests."""
    with browser_support.chromium() as chromium:
        yield chromium


@pytest.fixture
def ui(browser, live_server):
    """A watched page on the live server: `ui.goto(path)`, `ui.check()`, and `ui.page` for Playwright itself."""
    with browser_support.watched_page(browser, live_server.url) as watched:
        yield watched


@pytest.fixture
def mobile_ui(browser, live_server):
    with browser_support.watched_page(
        browser, live_server.url, viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    ) as watched:
        yield watched
