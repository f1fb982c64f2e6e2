import pytest

from tests import browser_support

CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module; each test gets its own context, so no cookie leaks between tests."""
    with browser_support.chromium() as chromium:
        yield chromium


def _watched(request, browser, base_url, **context_options):
    with browser_support.watched_page(browser, base_url, **context_options) as watched:
        yield watched
        if request.node.stash.get(CALL_FAILED, True):
            watched.print_state()  # reported with the failure; the records would only repeat it
        else:
            watched.assert_clean()


@pytest.fixture
def ui(request, browser, live_server):
    """A watched page on the live server: `ui.goto(path)`, `ui.check()`, and `ui.page` for Playwright itself.
    After a test that passed, it fails on any error recorded or any page left without an axe check."""
    yield from _watched(request, browser, live_server.url)


@pytest.fixture
def mobile_ui(request, browser, live_server):
    """The same on a phone's screen."""
    yield from _watched(
        request, browser, live_server.url, viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )
