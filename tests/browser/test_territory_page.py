"""The national and département view in Debian's Chromium: platform staff open it from their home, pick a
département, reach a chart's data table with the keyboard and download the CSV; a prefecture referent lands on it
and sees only her département. axe-core finds nothing on any page (charts and map included)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from backend.follow_up.models import TerritoryReferent
from tests import factories
from tests.browser_support import focus_with_tab, log_in, log_out
from tests.follow_up.territory_support import make_country

pytestmark = pytest.mark.browser


def test_staff_and_a_referent_read_the_territory_view(ui):
    page = ui.page
    make_country()
    staff = factories.UserFactory(staff=True)
    referent = factories.UserFactory()
    TerritoryReferent.objects.create(user=referent, departement_code="69")

    log_in(ui, staff.email, factories.PASSWORD, lands_on=reverse("ui:home_platform"))
    page.get_by_role("link", name="Ouvrir la vue nationale et départementale").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vue nationale et départementale")
    ui.check()
    expect(page.get_by_role("img", name="Carte des offres par département")).to_be_visible()
    expect(page.locator("#offers-by-departement")).to_contain_text("À distance")

    # A département, chosen in the filters.
    page.get_by_label("Département", exact=True).select_option("974")
    page.get_by_label("Année scolaire").select_option("2026")
    page.get_by_role("button", name="Afficher").click()
    expect(page).to_have_url(ui.url(reverse("follow_up:territory")) + "?departement=974&annee=2026&secteur=&parcours=")
    ui.check()
    expect(page.locator("#offers-by-departement")).to_contain_text("974 — La Réunion")
    expect(page.locator("#offers-by-departement")).not_to_contain_text("À distance")

    # The sector chart's table, opened with the keyboard.
    table = page.locator("#chart-sector-data table")
    expect(table).to_be_hidden()
    focus_with_tab(page, "#chart-sector-data summary")
    page.keyboard.press("Enter")
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name="Industrie 1")).to_be_visible()
    ui.check()

    # The CSV of the page's tables.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger ces tableaux (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "passerelle-territoires-2026-2027-974.csv"
    with open(download.path(), encoding="utf-8-sig") as file:
        text = file.read()
    assert "974 — La Réunion;1;1" in text
    log_out(ui)

    # The referent lands on her view, limited to the Rhône.
    log_in(ui, referent.email, factories.PASSWORD, lands_on=reverse("follow_up:territory"))
    options = page.get_by_label("Département", exact=True).locator("option").all_inner_texts()
    assert options == ["Tous mes départements", "69 — Rhône"]
    expect(page.locator("main")).to_contain_text("Département : 69")
    expect(page.locator("main")).not_to_contain_text("Seine-Saint-Denis")
    expect(page.get_by_role("img", name="Carte des offres par département")).to_be_visible()
