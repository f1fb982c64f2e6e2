"""Safeguarding in Debian's Chromium: an association's staff member finds a tutor without an attestation, records
one (a wrong date first, then the right ones), sees him valid; the tutor sees his own status. axe-core finds
nothing on any page reached, also on a phone's screen for the list."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from backend.organisations.enums import AssociationRole
from scheduling.models import HonourabilityAttestation
from tests import factories
from tests.browser_support import log_in, log_out, tick

pytestmark = pytest.mark.browser


def test_staff_records_an_attestation_and_the_tutor_sees_it(ui):
    page = ui.page
    staff = factories.AssociationMembershipFactory(
        association__name="Entraide Scolaire", user__first_name="Claire", user__last_name="Morel"
    )
    tutor = factories.TutorProfileFactory(user__first_name="Karim", user__last_name="Haddad").user
    factories.AssociationMembershipFactory(user=tutor, association=staff.association, role=AssociationRole.TUTOR)
    today = timezone.localdate()

    log_in(ui, staff.user.email, factories.PASSWORD, lands_on="/espace/association/")
    ui.goto("/honorabilite/")
    row = page.get_by_role("row", name="Karim Haddad")
    expect(row).to_contain_text("Aucune attestation")
    row.get_by_role("link", name="Enregistrer une attestation pour Karim Haddad").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attestation d'honorabilité de Karim Haddad")
    ui.check()

    # An attestation that has already expired is refused, with an error summary linking to the field.
    page.get_by_label("Délivrée le").fill((today - datetime.timedelta(days=800)).isoformat())
    page.get_by_label("Valable jusqu'au").fill((today - datetime.timedelta(days=1)).isoformat())
    tick(page, "J'ai vu l'attestation originale")
    page.get_by_role("button", name="Enregistrer l'attestation").click()
    expect(page.get_by_role("alert")).to_contain_text("déjà expiré")
    ui.check()
    assert not HonourabilityAttestation.objects.exists()

    expires_on = today + datetime.timedelta(days=3 * 365)
    page.get_by_label("Délivrée le").fill((today - datetime.timedelta(days=7)).isoformat())
    page.get_by_label("Valable jusqu'au").fill(expires_on.isoformat())
    if not page.get_by_label("J'ai vu l'attestation originale").is_checked():
        tick(page, "J'ai vu l'attestation originale")
    page.get_by_role("button", name="Enregistrer l'attestation").click()
    expect(page).to_have_url(ui.url("/honorabilite/"))
    expect(page.get_by_text("L'attestation de Karim Haddad est enregistrée")).to_be_visible()
    expect(page.get_by_role("row", name="Karim Haddad")).to_contain_text("Valide")
    expect(page.get_by_role("row", name="Karim Haddad")).to_contain_text(expires_on.strftime("%d/%m/%Y"))
    ui.check()
    assert HonourabilityAttestation.objects.get().recorded_by == staff.user
    log_out(ui)

    log_in(ui, tutor.email, factories.PASSWORD, lands_on="/espace/tuteur/")
    ui.goto("/honorabilite/mon-attestation/")
    expect(page.get_by_role("main")).to_contain_text(f"valable jusqu'au {expires_on:%d/%m/%Y}")
    expect(page.get_by_role("table")).to_contain_text("Claire Morel")


def test_tutor_list_on_a_phone(mobile_ui):
    staff = factories.UserFactory(staff=True)
    for name in ("Aubert", "Barbier", "Chevalier"):
        factories.TutorProfileFactory(user__last_name=name)
    log_in(mobile_ui, staff.email, factories.PASSWORD, lands_on="/espace/plateforme/")
    mobile_ui.goto("/honorabilite/?statut=none")
    expect(mobile_ui.page.get_by_role("table")).to_contain_text("Chevalier")
