"""The autocomplete in a real browser (Debian's Chromium through Playwright): keyboard use, ARIA states, the
live region, the hidden INSEE code, no Content-Security-Policy violation, and axe finds nothing."""

import pytest

from backend.geo.services import import_communes
from tests.browser_support import chromium
from tests.geo.samples import SAMPLE

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.geo.browser_urls")]


@pytest.fixture
def page(live_server, transactional_db):
    import_communes(SAMPLE, apply=True)
    # The shared launcher: Debian's Chromium with the closed-network flags, a failure in CI if it is missing.
    with chromium() as browser:
        page = browser.new_page(locale="fr-FR")
        page.problems = []  # script errors, CSP violations, failed requests (the favicon aside)
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and not message.text.startswith("Failed to load resource")
                and page.problems.append(message.text)
            ),
        )
        page.on(
            "response",
            lambda response: (
                response.status >= 400
                and not response.url.endswith("/favicon.ico")
                and page.problems.append(f"{response.status} {response.url}")
            ),
        )
        page.goto(f"{live_server.url}/essai/commune/")
        yield page


def test_keyboard_choice(page):
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    combobox = page.get_by_role("combobox", name="Commune")
    listbox = page.locator("#id_commune_listbox")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    expect(combobox).to_have_attribute("aria-autocomplete", "list")
    expect(combobox).to_have_attribute("aria-controls", "id_commune_listbox")

    combobox.press_sequentially("st etien")
    expect(listbox).to_be_visible()
    options = page.get_by_role("option")
    expect(options).to_have_count(2)
    expect(combobox).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#id_commune_status")).to_have_text(
        "2 communes proposées. Parcourez la liste avec les flèches haut et bas, validez avec Entrée."
    )

    combobox.press("ArrowDown")
    expect(combobox).to_have_attribute("aria-activedescendant", "id_commune_listbox-0")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    combobox.press("ArrowDown")
    expect(combobox).to_have_attribute("aria-activedescendant", "id_commune_listbox-1")
    combobox.press("ArrowUp")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    expect(options.nth(1)).to_have_attribute("aria-selected", "false")

    combobox.press("Enter")  # chooses, does not submit
    expect(combobox).to_have_value("Saint-Étienne (42)")
    expect(page.locator("#id_commune_code")).to_have_value("42218")
    expect(listbox).to_be_hidden()
    expect(combobox).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#chosen")).to_have_count(0)

    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#chosen")).to_have_text("42218")
    assert page.problems == []


def test_escape_closes_then_clears_and_typing_drops_the_choice(page):
    expect = pytest.importorskip("playwright.sync_api").expect
    combobox = page.get_by_role("combobox", name="Commune")
    listbox = page.locator("#id_commune_listbox")
    combobox.press_sequentially("saint denis")
    expect(page.get_by_role("option")).to_have_count(4)
    page.get_by_role("option").nth(1).click()
    expect(combobox).to_have_value("Saint-Denis (93)")
    expect(page.locator("#id_commune_code")).to_have_value("93066")

    combobox.press("Backspace")  # the text no longer names the chosen commune
    expect(page.locator("#id_commune_code")).to_have_value("")
    expect(listbox).to_be_visible()
    combobox.press("Escape")
    expect(listbox).to_be_hidden()
    combobox.press("Escape")
    expect(combobox).to_have_value("")

    combobox.press_sequentially("zzzz")
    expect(page.locator("#id_commune_status")).to_have_text("Aucune commune ne correspond.")
    expect(listbox).to_be_hidden()
    assert page.problems == []


def test_no_accessibility_violation_with_the_list_open(page):
    expect = pytest.importorskip("playwright.sync_api").expect
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    combobox = page.get_by_role("combobox", name="Commune")
    combobox.press_sequentially("saint")
    expect(page.locator("#id_commune_listbox")).to_be_visible()
    combobox.press("ArrowDown")
    results = axe.Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
