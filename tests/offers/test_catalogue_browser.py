"""The catalogue in Debian's Chromium: someone searches near a commune chosen in the autocomplete, reads the
results and their plan, opens an offer; axe-core finds nothing on any page, and a phone's screen (375 px) never
scrolls sideways."""

import pytest
from playwright.sync_api import expect

from backend.geo.models import Commune
from backend.geo.services import import_communes
from backend.offers.enums import Reservation
from tests import factories
from tests.browser_support import chromium, watched_page
from tests.geo.samples import SAMPLE

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def offers(transactional_db):
    import_communes(SAMPLE, apply=True)
    saint_denis = Commune.objects.get(insee_code="93066")
    near = factories.CommuneFactory(
        insee_code="93001",
        name="Aubervilliers",
        search_name="aubervilliers",
        latitude=48.9146,
        longitude=2.3821,
    )
    organisation = factories.HostOrganisationFactory(name="Lumière & Câbles")
    found = factories.OfferFactory(
        title="Électricienne en rénovation",
        organisation=organisation,
        commune=near,
        address="5 rue du Landy",
        disability_friendly=True,
        description="Découvrir un chantier de rénovation.\n\nCâblage, tableaux, sécurité.",
    )
    factories.OfferFactory(title="Électricienne à distance", remote=True)
    factories.OfferFactory(title="Électricienne à Strasbourg", commune=Commune.objects.get(insee_code="67482"))
    factories.OfferFactory(title="Électricienne réservée", commune=saint_denis, reservation=Reservation.PRIORITY)
    factories.OfferFactory(
        title="Boulangère à Saint-Denis", commune=saint_denis, job_title="Boulanger ou boulangère", domain="D11"
    )
    return {"found": found, "saint_denis": saint_denis}


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_search_near_a_commune_and_open_an_offer(browser, live_server, offers):
    with watched_page(browser, live_server.url) as ui:
        page = ui.page
        ui.goto("/offres/")
        expect(page.get_by_role("heading", level=1, name="Trouver un stage")).to_be_visible()

        page.get_by_label("Métier, secteur ou mot-clé").fill("electricienne")
        commune = page.get_by_role("combobox", name="Près de la commune")
        commune.press_sequentially("saint-denis")
        option = page.get_by_role("option").filter(has_text="Seine-Saint-Denis")
        expect(option).to_be_visible()
        option.click()
        expect(commune).to_have_value("Saint-Denis (93)")
        expect(page.locator("#id_commune_code")).to_have_value("93066")
        page.get_by_label("Dans un rayon de").select_option("10")
        page.get_by_role("button", name="Rechercher").click()

        expect(
            page.get_by_role("heading", level=2, name="2 offres à 10 km de Saint-Denis (93) ou à distance")
        ).to_be_visible()
        ui.check()
        results = page.locator(".offers-results > li")
        expect(results).to_have_count(2)
        expect(results.nth(0)).to_contain_text("Électricienne en rénovation")
        expect(results.nth(0)).to_contain_text("Aubervilliers (93) — à 3,1 km")
        expect(results.nth(1)).to_contain_text("À distance, d'où que vous soyez")
        expect(page.get_by_role("img", name="Plan des offres autour de Saint-Denis (93)")).to_be_visible()
        expect(page.get_by_text("Électricienne réservée")).to_have_count(0)
        expect(page.get_by_text("Électricienne à Strasbourg")).to_have_count(0)

        page.get_by_role("link", name="Électricienne en rénovation").click()
        expect(page).to_have_url(ui.url(f"/offres/{offers['found'].pk}/"))
        expect(page.get_by_role("heading", level=1, name="Électricienne en rénovation")).to_be_visible()
        expect(page.get_by_role("table", name="Horaires d'une semaine de stage (32 h 30 au total)")).to_be_visible()
        expect(page.get_by_text("5 rue du Landy, Aubervilliers (93)")).to_be_visible()
        ui.check()

        # Bad criteria: the message, focusable from the summary, and no results claimed.
        ui.goto("/offres/?radius=500&week=2027-W60")
        expect(page.get_by_role("alert")).to_contain_text("Choisissez un rayon entre 1 et 100 km.")
        expect(page.get_by_role("alert")).to_contain_text("L'année 2027 n'a pas de semaine n° 60.")
        expect(page.locator("#results-title")).to_have_count(0)
        ui.assert_clean()


def test_on_a_phone_nothing_scrolls_sideways(browser, live_server, offers):
    with watched_page(browser, live_server.url, **PHONE) as ui:
        page = ui.page
        ui.goto("/offres/?q=electricienne&commune=Saint-Denis+%2893%29&commune_code=93066&radius=10")
        expect(page.locator(".offers-results > li")).to_have_count(2)
        assert no_sideways_scroll(page)
        ui.goto("/offres/?radius=500")
        assert no_sideways_scroll(page)
        ui.goto(f"/offres/{offers['found'].pk}/")
        assert no_sideways_scroll(page)
        ui.assert_clean()
