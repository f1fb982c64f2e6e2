"""A school head in Debian's Chromium: from her home she opens her school's follow-up, reads the progress chart's
numbers in its table (opened with the keyboard), sets a class's internship week, then signs the agreement of a pupil
who found an internship and records the family's signed copy; the employer signs last and the agreement is signed
by every party. axe-core finds nothing on any page reached."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from backend.offers import applications
from backend.offers.enums import AgreementStatus
from backend.offers.models import Agreement
from tests import factories
from tests.browser_support import focus_with_tab, log_in, log_out, tick

pytestmark = pytest.mark.browser


def test_a_head_follows_her_school_and_signs_an_agreement(ui):
    page = ui.page
    school = factories.SchoolFactory(name="Collège Louise-Michel")
    head = factories.SchoolStaffFactory(
        school=school, head=True, user__first_name="Nadia", user__last_name="Kaci"
    ).user
    teacher = factories.SchoolStaffFactory(school=school).user
    school_class = factories.SchoolClassFactory(school=school, name="3e A", teachers=[teacher])
    pupil = factories.EnrolmentFactory(
        school_class=school_class, pupil__first_name="Inès", pupil__last_name="Benali"
    ).pupil
    for _ in range(3):
        factories.EnrolmentFactory(school_class=school_class)
    employer = factories.OrganisationMembershipFactory(organisation__name="Atelier Lumière").user
    offer = factories.OfferFactory(organisation=employer.organisation_memberships.get().organisation)
    application = factories.ApplicationFactory(offer=offer, pupil=pupil)
    applications.application_accept(application=application, by=employer, week=offer.weeks.first())
    applications.application_confirm(application=application, pupil=pupil)

    log_in(ui, head.username, factories.PASSWORD, lands_on="/espace/direction/")
    agreements_section = page.locator("section[aria-labelledby=home-agreements]")
    expect(agreements_section).to_contain_text("1 convention attend votre signature")

    # The school's follow-up: 1 pupil of 4 placed, the chart and its table.
    page.get_by_role("link", name="Suivi de l'établissement").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Suivi de l'établissement")
    ui.check()
    expect(page.locator("main")).to_contain_text("1 élève sur 4 a un stage confirmé")
    expect(page.locator("main")).to_contain_text("Semaine de stage à indiquer")
    focus_with_tab(page, "details summary")
    page.keyboard.press("Enter")
    data = page.locator("details table")
    expect(data).to_be_visible()
    expect(data.locator("tbody tr").first).to_contain_text("3e A")
    expect(data.locator("tbody tr").first).to_contain_text("25")
    ui.check()

    # The class's internship week, and back to the follow-up.
    page.get_by_role("link", name="Indiquer — semaine de stage de la classe 3e A").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Semaine de stage de la classe 3e A")
    ui.check()
    monday = factories.next_monday(8)
    page.get_by_label("Semaine de stage de la classe").fill(monday.isoformat())
    page.get_by_role("button", name="Enregistrer").click()
    expect(page).to_have_url(ui.url(reverse("follow_up:school_follow_up", args=[school.uai])))
    expect(page.locator(".fr-alert--success, .fr-alert--info").first).to_contain_text("Semaine de stage enregistrée")
    ui.check()
    expect(page.locator("main")).to_contain_text("3 élèves sans stage")

    # The agreements waiting for her: she signs for the school and records the family's copy.
    page.get_by_role("link", name="Signer les conventions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Conventions de stage")
    ui.check()
    page.get_by_role("link", name="Inès Benali — voir la convention").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Convention de stage")
    ui.check()
    expect(page.locator("main")).to_contain_text("Atelier Lumière")
    tick(page, "J'ai lu cette convention et je la signe.")
    page.get_by_role("button", name="Signer la convention").click()
    expect(page.locator("main")).to_contain_text("Signature enregistrée")
    ui.check()
    tick(page, "J'atteste avoir reçu l'exemplaire de la convention signé par le représentant légal de l'élève.")
    page.get_by_role("button", name="Enregistrer le retour de la famille").click()
    expect(page.locator("main")).to_contain_text("exemplaire signé reçu le")
    ui.check()
    log_out(ui)

    # The employer signs last: the agreement is signed by every party.
    log_in(ui, employer.username, factories.PASSWORD, lands_on="/espace/structure/")
    agreements_section = page.locator("section[aria-labelledby=home-agreements]")
    expect(agreements_section).to_contain_text("1 convention attend votre signature")
    page.get_by_role("link", name="Voir les conventions à signer").click()
    ui.check()
    page.get_by_role("link", name="Inès B. — voir la convention").click()
    ui.check()
    expect(page.locator("main")).not_to_contain_text("Benali")  # a first name and an initial for the host
    tick(page, "J'ai lu cette convention et je la signe.")
    page.get_by_role("button", name="Signer la convention").click()
    expect(page.locator("main")).to_contain_text("la convention est signée par toutes les parties")
    ui.check()
    assert Agreement.objects.get(application=application).status == AgreementStatus.SIGNED
