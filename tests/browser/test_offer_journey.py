"""The offer catalogue's whole journey in Debian's Chromium, following the links people follow: an employer
posts an offer, platform staff publish it, a pupil searches near her commune and applies, the employer
accepts, the pupil confirms, her teacher sees it. axe-core finds nothing on any page reached, and no page
logs a console error, breaks the CSP or calls outside."""

import re

import pytest
from playwright.sync_api import expect

from backend.offers.application_forms import week_label
from backend.offers.enums import ApplicationStatus, OfferStatus
from backend.offers.models import Application, Offer
from backend.offers.rules import iso_week
from tests import factories
from tests.browser_support import log_in, log_out, tick
from tests.factories import next_monday

pytestmark = pytest.mark.browser

TITLE = "Une semaine chez les électriciennes du bâtiment"


def choose_commune(page, name: str, typed: str, shown: str) -> None:
    combobox = page.get_by_role("combobox", name=name)
    combobox.press_sequentially(typed)
    expect(page.get_by_role("option").first).to_be_visible()
    combobox.press("ArrowDown")
    combobox.press("Enter")
    expect(combobox).to_have_value(shown)


def test_post_publish_search_apply_accept_confirm_follow(ui):
    page = ui.page
    saint_denis = factories.CommuneFactory()
    # Aubervilliers, 2.5 km from Saint-Denis: the offer is there, the pupil searches around Saint-Denis.
    factories.CommuneFactory(
        insee_code="93001",
        name="Aubervilliers",
        search_name="aubervilliers",
        latitude=48.9146,
        longitude=2.3821,
    )
    school = factories.SchoolFactory(name="Collège Louise-Michel", commune=saint_denis)
    teacher = factories.SchoolStaffFactory(school=school, user__first_name="Nadia", user__last_name="Ferhat").user
    school_class = factories.SchoolClassFactory(school=school, name="3e B", teachers=[teacher])
    pupil = factories.EnrolmentFactory(
        school_class=school_class, pupil__first_name="Inès", pupil__last_name="Benali"
    ).pupil
    membership = factories.OrganisationMembershipFactory(organisation__name="Volta Bâtiment")
    employer = membership.user
    staff = factories.UserFactory(staff=True)
    week = iso_week(next_monday(5))

    # 1. The employer posts the offer from her home, through the four steps.
    log_in(ui, employer.email, factories.PASSWORD, lands_on="/espace/structure/")
    page.get_by_role("link", name="Publier une offre").click()
    ui.check()
    page.get_by_label("Titre de l'offre").fill(TITLE)
    page.get_by_label("Secteur", exact=True).select_option(label="Industrie")
    page.get_by_label("Domaine professionnel").select_option("H26")
    page.locator("#id_job_title").fill("Électricienne ou électricien")
    page.get_by_label("Code ROME du métier").fill("F1602")
    page.locator("#id_description").fill("Chantiers de rénovation : tableaux électriques, prises, mises en service.")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    offer = Offer.objects.get(title=TITLE)
    expect(page).to_have_url(ui.url(f"/offres/{offer.pk}/modifier/lieu/"))
    ui.check()
    tick(page, "Stage d'observation de 3e")
    tick(page, "Sur place")
    page.locator("#id_address").fill("40 rue du Landy")
    choose_commune(page, "Commune", "auberv", "Aubervilliers (93)")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page).to_have_url(ui.url(f"/offres/{offer.pk}/modifier/semaines/"))
    ui.check()
    page.locator("#id_weeks-0-week").fill(week)
    page.locator("#id_weeks-0-seats").fill("1")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page).to_have_url(ui.url(f"/offres/{offer.pk}/modifier/public/"))
    ui.check()
    tick(page, "Ouverte à tous les élèves")
    page.get_by_role("button", name="Envoyer pour validation").click()
    expect(page.get_by_text("L'offre est envoyée pour validation")).to_be_visible()
    ui.check()
    log_out(ui)

    # 2. Platform staff publish it from the moderation queue their home links to.
    log_in(ui, staff.email, factories.PASSWORD, lands_on="/espace/plateforme/")
    page.get_by_role("link", name="Ouvrir la file de modération").click()
    ui.check()
    page.get_by_role("button", name=f"Publier « {TITLE} »").click()
    expect(page.get_by_text(f"L'offre « {TITLE} » est publiée.")).to_be_visible()
    ui.check()
    log_out(ui)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLISHED

    # 3. The pupil searches, without accents, near Saint-Denis, and applies.
    log_in(ui, pupil.username, factories.PASSWORD, lands_on="/espace/eleve/")
    page.get_by_role("link", name="Chercher un stage").click()
    expect(page).to_have_url(re.compile(r"/offres/"))
    ui.check()
    page.get_by_label("Métier, secteur ou mot-clé").fill("electricienne")
    place = page.get_by_role("combobox", name=re.compile("Près de la commune"))
    place.fill("")
    choose_commune(page, re.compile("Près de la commune"), "saint-den", "Saint-Denis (93)")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    results = page.locator("main")
    expect(results).to_contain_text("1 offre")
    ui.check()
    page.get_by_role("link", name=TITLE).first.click()
    expect(page).to_have_url(ui.url(f"/offres/{offer.pk}/"))
    expect(page.locator("main")).to_contain_text("Aubervilliers")
    ui.check()
    page.get_by_role("link", name="Candidater").click()
    ui.check()
    page.get_by_label("Pourquoi cette offre t'intéresse-t-elle ?").fill(
        "Mon père est électricien et je voudrais voir un vrai chantier de rénovation."
    )
    offer_week = offer.weeks.get()
    page.locator("label").filter(has_text=week_label(offer_week)).click()
    page.get_by_role("button", name="Envoyer ma candidature").click()
    expect(page.get_by_text("Ta candidature est envoyée.")).to_be_visible()
    ui.check()
    log_out(ui)
    application = Application.objects.get(pupil=pupil, offer=offer)

    # 4. The employer sees it waiting on her home and accepts it.
    log_in(ui, employer.email, factories.PASSWORD, lands_on="/espace/structure/")
    expect(page.get_by_text("1 candidature attend votre réponse.")).to_be_visible()
    page.get_by_role("link", name="Gérer mes offres et les candidatures").click()
    ui.check()
    ui.goto(f"/offres/{offer.pk}/candidatures/")
    page.get_by_role("link", name="Inès B.").click()
    ui.check()
    page.locator("fieldset").filter(has_text="Semaine retenue").locator("label").first.click()
    page.get_by_role("button", name="Accepter pour cette semaine").click()
    expect(page.get_by_text("Candidature acceptée.")).to_be_visible()
    ui.check()
    log_out(ui)

    # 5. The pupil sees the acceptance on her home and confirms.
    log_in(ui, pupil.username, factories.PASSWORD, lands_on="/espace/eleve/")
    expect(page.get_by_text("ta candidature est acceptée")).to_be_visible()
    page.get_by_role("link", name="Voir et confirmer").click()
    ui.check()
    page.get_by_role("button", name="Je confirme ce stage").click()
    expect(page.get_by_text("Ton stage est confirmé.")).to_be_visible()
    ui.check()
    log_out(ui)
    application.refresh_from_db()
    offer_week.refresh_from_db()
    assert application.status == ApplicationStatus.CONFIRMED
    assert offer_week.seats_taken == 1

    # 6. Her teacher follows the class's applications from his home.
    log_in(ui, teacher.email, factories.PASSWORD, lands_on="/espace/enseignant/")
    page.get_by_role("link", name=re.compile("^Candidatures")).click()
    expect(page).to_have_url(ui.url(f"/classes/{school_class.pk}/candidatures/"))
    row = page.get_by_role("row").filter(has_text="Inès Benali")
    expect(row).to_contain_text("Stage confirmé")
    expect(row).to_contain_text(TITLE)
    ui.check()
