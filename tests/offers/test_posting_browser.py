"""In Debian's Chromium: an employer posts an offer through the four steps (meeting a schedule error on the
way) and sends it for validation; platform staff publish it. axe-core finds nothing on any page reached."""

import pytest
from playwright.sync_api import expect

from backend.offers.enums import OfferEventKind, OfferStatus
from backend.offers.models import Offer
from backend.offers.rules import iso_week
from tests import factories
from tests.browser_support import log_in, log_out, tick
from tests.factories import next_monday

pytestmark = pytest.mark.browser


def stepper(page, number: int):
    return page.locator(f'.fr-stepper__steps[data-fr-current-step="{number}"]')


def test_an_employer_posts_an_offer_and_staff_publish_it(ui):
    page = ui.page
    membership = factories.OrganisationMembershipFactory(organisation__name="Atelier Volta")
    employer = membership.user
    factories.CommuneFactory()  # Saint-Denis (93)
    staff = factories.UserFactory(staff=True)
    week = iso_week(next_monday(5))

    log_in(ui, employer.email, factories.PASSWORD, lands_on="/espace/structure/")
    ui.goto("/offres/gestion/")
    expect(page.get_by_role("heading", level=1, name="Mes offres de stage")).to_be_visible()
    page.get_by_role("link", name="Déposer une offre").click()
    expect(page).to_have_url(ui.url("/offres/nouvelle/"))
    expect(stepper(page, 1)).to_be_attached()
    ui.check()

    # Step 1: the job.
    expect(page.locator("#id_organisation")).to_have_value(str(membership.organisation.pk))
    page.get_by_label("Titre de l'offre").fill("Une semaine à l'atelier d'électricité")
    page.get_by_label("Secteur", exact=True).select_option(label="Industrie")
    page.get_by_label("Domaine professionnel").select_option("H26")
    page.locator("#id_job_title").fill("Électricienne ou électricien")
    page.get_by_label("Code ROME du métier").fill("H2602")
    page.locator("#id_description").fill("Câblage d'armoires, essais, sécurité électrique.")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    offer = Offer.objects.get(title="Une semaine à l'atelier d'électricité")
    expect(page).to_have_url(ui.url(f"/offres/{offer.pk}/modifier/lieu/"))
    expect(stepper(page, 2)).to_be_attached()
    expect(page.get_by_text("Le brouillon de l'offre est enregistré.")).to_be_visible()
    ui.check()

    # Step 2: the place, the commune chosen in the autocomplete.
    tick(page, "Stage d'observation de 3e")
    tick(page, "Sur place")
    page.locator("#id_address").fill("8 rue des Ampères")
    combobox = page.get_by_role("combobox", name="Commune")
    combobox.press_sequentially("saint-den")
    expect(page.get_by_role("option").first).to_be_visible()
    combobox.press("ArrowDown")
    combobox.press("Enter")
    expect(combobox).to_have_value("Saint-Denis (93)")
    ui.check()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page).to_have_url(ui.url(f"/offres/{offer.pk}/modifier/semaines/"))
    expect(stepper(page, 3)).to_be_attached()
    ui.check()

    # Step 3: a week with its seats; a Monday afternoon too long for a 3e internship first.
    page.locator("#id_weeks-0-week").fill(week)
    page.locator("#id_weeks-0-seats").fill("2")
    page.locator("#id_d1_pm_end").fill("18:00")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page).to_have_url(ui.url(f"/offres/{offer.pk}/modifier/semaines/"))
    schedule = page.locator("#schedule")
    expect(schedule).to_contain_text("Le lundi : 7 h 30 de présence, au-delà des 7 h permises par jour.")
    expect(page.get_by_role("alert")).to_contain_text("Le lundi : 7 h 30 de présence")
    ui.check()
    page.locator("#id_d1_pm_end").fill("17:00")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page).to_have_url(ui.url(f"/offres/{offer.pk}/modifier/public/"))
    expect(stepper(page, 4)).to_be_attached()
    expect(page.get_by_text(f"{week} : 2 places")).to_be_visible()
    ui.check()

    # Step 4: the audience, the review, and off for validation.
    tick(page, "Ouverte à tous les élèves")
    page.get_by_role("button", name="Envoyer pour validation").click()
    expect(page).to_have_url(ui.url(f"/offres/{offer.pk}/gestion/"))
    expect(page.get_by_text("L'offre est envoyée pour validation")).to_be_visible()
    expect(page.locator("main")).to_contain_text("En attente de validation")
    ui.check()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.SUBMITTED
    assert (offer.commune.insee_code, offer.latitude) == ("93066", offer.commune.latitude)
    assert [(w.iso_week, w.seats) for w in offer.weeks.all()] == [(week, 2)]
    log_out(ui)

    # Platform staff publish it from the moderation queue.
    log_in(ui, staff.email, factories.PASSWORD, lands_on="/espace/plateforme/")
    ui.goto("/moderation/offres/")
    expect(page.get_by_text("1 offre à relire")).to_be_visible()
    page.get_by_role("button", name=f"Publier « {offer.title} »").click()
    expect(page).to_have_url(ui.url("/moderation/offres/"))
    expect(page.get_by_text(f"L'offre « {offer.title} » est publiée.")).to_be_visible()
    ui.check()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLISHED
    assert offer.events.filter(kind=OfferEventKind.PUBLISHED, actor=staff).exists()
    ui.assert_clean()
