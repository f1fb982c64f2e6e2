"""A pupil applies, the employer accepts, the pupil confirms, the teacher sees it: in Debian's Chromium, with
axe-core on every page reached (and no console error, script error, CSP violation or outside request)."""

import re

import pytest
from playwright.sync_api import expect

from backend.offers.application_forms import week_label
from backend.offers.enums import ApplicationStatus
from backend.offers.models import Application
from tests import factories
from tests.browser_support import log_in, log_out

pytestmark = pytest.mark.browser


def test_apply_accept_confirm_and_the_teacher_sees_it(ui):
    page = ui.page
    school = factories.SchoolFactory(name="Collège Louise-Michel")
    teacher = factories.SchoolStaffFactory(school=school, user__first_name="Nadia", user__last_name="Ferhat").user
    school_class = factories.SchoolClassFactory(school=school, name="3e B", teachers=[teacher])
    pupil = factories.EnrolmentFactory(
        school_class=school_class, pupil__first_name="Léa", pupil__last_name="Martin"
    ).pupil
    employer = factories.OrganisationMembershipFactory(organisation__name="Atelier Volta").user
    offer = factories.OfferFactory(
        organisation=employer.organisation_memberships.get().organisation, title="Découvrir l'électricité du bâtiment"
    )

    # The pupil finds the offer and applies.
    log_in(ui, pupil.username, factories.PASSWORD, lands_on="/espace/eleve/")
    ui.goto(f"/offres/{offer.pk}/")
    page.get_by_role("link", name="Candidater").click()
    expect(page).to_have_url(ui.url(f"/offres/{offer.pk}/candidater/"))
    ui.check()
    page.get_by_label("Pourquoi cette offre t'intéresse-t-elle ?").fill(
        "Je bricole avec mon grand-père et j'aimerais voir comment on câble une maison."
    )
    first_week = offer.weeks.order_by("week_start").first()
    page.locator("label").filter(has_text=week_label(first_week)).click()
    expect(page.get_by_label(week_label(first_week))).to_be_checked()
    page.get_by_role("button", name="Envoyer ma candidature").click()
    application = Application.objects.get(pupil=pupil)
    expect(page).to_have_url(ui.url(f"/candidatures/{application.pk}/"))
    expect(page.get_by_text("Ta candidature est envoyée.")).to_be_visible()
    ui.check()
    log_out(ui)

    # The employer opens it from the offer's list and accepts it for that week.
    log_in(ui, employer.email, factories.PASSWORD, lands_on="/espace/structure/")
    ui.goto(f"/offres/{offer.pk}/candidatures/")
    expect(page.get_by_role("heading", name="Envoyée (1)")).to_be_visible()
    page.get_by_role("link", name="Léa M.").click()
    expect(page).to_have_url(ui.url(f"/candidatures/{application.pk}/"))
    ui.check()
    expect(page.get_by_text("Martin")).to_have_count(0)
    page.locator("fieldset").filter(has_text="Semaine retenue").locator("label").first.click()
    page.get_by_role("button", name="Accepter pour cette semaine").click()
    expect(page.get_by_text("Candidature acceptée.")).to_be_visible()
    ui.check()
    log_out(ui)

    # The pupil sees the news and confirms.
    log_in(ui, pupil.username, factories.PASSWORD, lands_on="/espace/eleve/")
    ui.goto("/candidatures/")
    expect(page.get_by_text("Nouveau", exact=True)).to_be_visible()
    expect(page.get_by_text("Confirme avant le").first).to_be_visible()
    page.get_by_role("link", name=offer.title, exact=True).click()
    ui.check()
    page.get_by_role("button", name="Je confirme ce stage").click()
    expect(page.get_by_text("Ton stage est confirmé.")).to_be_visible()
    ui.check()
    log_out(ui)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CONFIRMED

    # Her teacher sees it on the class's applications page and keeps a note.
    log_in(ui, teacher.email, factories.PASSWORD, lands_on="/espace/enseignant/")
    ui.goto(f"/classes/{school_class.pk}/candidatures/")
    row = page.get_by_role("row").filter(has_text="Léa Martin")
    expect(row).to_contain_text("Stage confirmé")
    expect(row).to_contain_text(offer.title)
    row.get_by_role("textbox").fill("Convention à préparer")
    row.get_by_role("button", name=re.compile("^Enregistrer")).click()
    expect(page.get_by_text("Note enregistrée pour Léa Martin.")).to_be_visible()
    ui.check()
    application.refresh_from_db()
    assert application.teacher_note == "Convention à préparer"
