"""Shared machinery of the browser tests: Debian's Chromium driven by Playwright, and a watched page.

A `WatchedPage` records, on every page it reaches, console errors, uncaught script errors, violations of the
Content-Security-Policy and requests to other hosts; `check()` runs axe-core on the current page and fails on
any of those or on a single accessibility violation. `assert_clean()` also fails if a page was reached
without being checked, so a journey cannot skip a page by accident; the `ui` fixture of tests/browser calls it
after each test that passed.
"""

import contextlib
import mimetypes
import os
import re
import shutil
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    # The machines have no network: Chromium's own background traffic would only fill the logs with errors.
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000

# Injected before any script of the page: the violations reach Python through an exposed binding, so that
# none is lost when the page navigates away before we look.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__passerelleCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || document.location.href}:${event.lineNumber}`);
});
"""

_axe = Axe()


def require_chromium() -> None:
    """Skips without Debian's Chromium on a workstation; in CI (`CI` set) its absence is a failure."""
    if shutil.which(CHROMIUM) is None:
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(message)
        pytest.skip(message)


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Playwright and one Chromium for the duration of the block.

    Playwright's synchronous API keeps an asyncio loop current in the main thread, and Django then refuses
    ORM calls from it (SynchronousOnlyOperation). The tests do query the database between browser steps,
    sequentially and never from a coroutine, so DJANGO_ALLOW_ASYNC_UNSAFE is set for the block only.
    """
    require_chromium()
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def axe_summary(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}  <{violation['helpUrl']}>")
        for node in violation["nodes"][:10]:
            lines.append(f"    {' '.join(str(part) for part in node['target'])}: {node['html'][:200]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    … and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


class WatchedPage:
    """A Playwright page on the live server, with the records every check looks at."""

    def __init__(self, page: Page, base_url: str):
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.csp_violations: list[str] = []
        self.outside_requests: list[str] = []
        self.unchecked: list[str] = []  # pages reached since the last check
        self.checked: list[str] = []
        page.set_default_timeout(TIMEOUT_MS)
        page.expose_function("__passerelleCspViolation", self._on_csp_violation)
        page.add_init_script(REPORT_CSP_VIOLATIONS)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(f"{self.page.url}: {error}"))
        page.on("request", self._on_request)
        page.on("framenavigated", self._on_navigated)

    def _on_csp_violation(self, description: str) -> None:
        self.csp_violations.append(f"{self.page.url}: {description}")

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            self.console_errors.append(f"{self.page.url}: [{message.type}] {message.text}")

    def _on_request(self, request: Request) -> None:
        if not request.url.startswith((self.base_url + "/", "data:", "blob:")):
            self.outside_requests.append(request.url)

    def _on_navigated(self, frame) -> None:
        if frame == self.page.main_frame:
            self.unchecked.append(frame.url)

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def goto(self, path: str) -> None:
        self.page.goto(self.url(path))
        self.check()

    def check(self) -> None:
        """axe-core on the page as it is now, then the error records; fails with a readable summary."""
        self.page.wait_for_load_state("load")
        violations = _axe.run(self.page).response["violations"]
        assert violations == [], axe_summary(self.page.url, violations)
        self.checked.append(self.page.url)
        self.unchecked.clear()
        self.assert_no_errors()

    def assert_no_errors(self) -> None:
        assert self.csp_violations == [], "Content-Security-Policy violations:\n" + "\n".join(self.csp_violations)
        assert self.console_errors == [], "Console errors:\n" + "\n".join(self.console_errors)
        assert self.page_errors == [], "Uncaught script errors:\n" + "\n".join(self.page_errors)
        assert self.outside_requests == [], "Requests outside the site:\n" + "\n".join(self.outside_requests)

    def print_state(self) -> None:
        """Where the browser stood, for the report of a failed test."""
        with contextlib.suppress(Exception):
            print(f"Browser at {self.page.url}; pages checked: {self.checked}; not yet: {self.unchecked}")
            print(self.page.locator("main").inner_text(timeout=1_000))

    def assert_clean(self) -> None:
        self.assert_no_errors()
        assert self.unchecked == [], f"Pages reached without an accessibility check: {self.unchecked}"


@contextlib.contextmanager
def watched_page(browser: Browser, base_url: str, **context_options) -> Iterator[WatchedPage]:
    """A fresh browser context (no cookies) with one watched page. The caller ends with `assert_clean()`
    (or `assert_no_errors()` for a page that is not ours to check with axe)."""
    context = browser.new_context(locale="fr-FR", **context_options)
    try:
        yield WatchedPage(context.new_page(), base_url)
    finally:
        context.close()


PASSWORD_LABEL = re.compile(r"^\s*Mot de passe")


def log_in(ui: WatchedPage, identifier: str, password: str, *, lands_on: str) -> None:
    """Signs in through the sign-in page, as a person does, and checks the page she lands on."""
    page = ui.page
    ui.goto("/connexion/")
    page.get_by_label("Adresse e-mail ou identifiant d'élève").fill(identifier)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page).to_have_url(ui.url(lands_on))
    ui.check()


def log_out(ui: WatchedPage) -> None:
    ui.page.get_by_role("button", name="Se déconnecter").click()
    expect(ui.page).to_have_url(ui.url("/"))
    expect(ui.page.get_by_role("link", name="Se connecter").first).to_be_visible()
    ui.check()


def tick(page: Page, label: str) -> None:
    """Ticks a DSFR radio button or checkbox as a person does: on its label, which covers the input."""
    page.locator("label").filter(has_text=label).first.click()


def focus_with_tab(page: Page, selector: str, *, presses: int = 60) -> None:
    """Presses Tab until the element has the focus, as a keyboard user does."""
    for _ in range(presses):
        if page.evaluate("(selector) => document.activeElement === document.querySelector(selector)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus with Tab")


def serve_public_media(page: Page, root) -> None:
    """Posters and thumbnails from `root`, as the web server serves MEDIA_ROOT in production (the test server
    does not)."""
    from django.conf import settings

    def fulfil(route):
        name = re.sub(r"^https?://[^/]+", "", route.request.url).removeprefix(settings.MEDIA_URL)
        path = (root / name).resolve()
        if root.resolve() in path.parents and path.is_file():
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            route.fulfill(status=200, body=path.read_bytes(), content_type=content_type)
        else:
            route.fulfill(status=404, body="")

    page.route(re.compile(rf"^https?://[^/]+{re.escape(settings.MEDIA_URL)}"), fulfil)
