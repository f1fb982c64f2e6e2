"""Remote discovery sessions in Debian's Chromium, following the links people follow: association staff create a
session from their home, a teacher books it for her class, staff confirm the booking from the planner, the teacher
finds it in her class's calendar and in her private ICS feed (re-parsed with icalendar). axe-core finds nothing on
any page reached, on a desktop and at 375 px."""

import datetime

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from scheduling.enums import RequestStatus, RulePurpose, SessionBookingStatus, SessionStatus
from scheduling.models import DiscoverySession, SessionBooking, SessionRequest
from tests import factories
from tests.browser_support import log_in, log_out, tick
from tests.scheduling.factories import AvailabilityRuleFactory, DiscoverySessionFactory

pytestmark = pytest.mark.browser

TITLE = "Les métiers de l'aéronautique"


def cast():
    staff = factories.AssociationMembershipFactory(
        association__name="Ingénieures demain", user__first_name="Claire", user__last_name="Morel"
    ).user
    membership = factories.OrganisationMembershipFactory(
        organisation__name="Ateliers Aéro", professional=True, user__first_name="Sofia", user__last_name="Lambert"
    )
    school = factories.SchoolFactory(name="Collège Louise-Michel")
    teacher = factories.SchoolStaffFactory(school=school, user__first_name="Nadia", user__last_name="Ferhat").user
    school_class = factories.SchoolClassFactory(school=school, name="3e B", teachers=[teacher])
    factories.EnrolmentFactory(school_class=school_class, pupil__first_name="Inès", pupil__last_name="Benali")
    return staff, membership, teacher, school_class


def next_week_tuesday() -> datetime.date:
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(weeks=1, days=1)


def test_create_book_confirm_and_find_it_in_the_feed(ui):
    page = ui.page
    staff, _membership, teacher, _school_class = cast()
    day = next_week_tuesday()

    # 1. Staff create and publish the session from their home.
    log_in(ui, staff.email, factories.PASSWORD, lands_on="/espace/association/")
    page.get_by_role("link", name="Créer une séquence").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle séquence de découverte")
    ui.check()
    page.get_by_label("Thème", exact=True).fill(TITLE)
    page.get_by_label("Structure d'accueil", exact=True).select_option(label="Ateliers Aéro")
    tick(page, "Sofia Lambert")
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Heure de début").fill("14:00")
    page.get_by_label("Lien de visioconférence").fill("https://webconf.numerique.gouv.fr/aero-3eb")
    page.get_by_role("button", name="Publier la séquence").click()
    session = DiscoverySession.objects.get(title=TITLE)
    expect(page).to_have_url(ui.url(f"/sequences/{session.pk}/"))
    expect(page.get_by_text("La séquence est publiée")).to_be_visible()
    assert session.status == SessionStatus.PUBLISHED
    ui.check()
    log_out(ui)

    # 2. The teacher finds it from her home and books it for her class.
    log_in(ui, teacher.email, factories.PASSWORD, lands_on="/espace/enseignant/")
    page.get_by_role("link", name="Réserver une séquence").click()
    ui.check()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    # No link for her before the association confirms.
    expect(page.get_by_text("aero-3eb")).to_have_count(0)
    ui.check()
    page.get_by_label("Classe").select_option(label="3e B — Collège Louise-Michel")
    page.get_by_role("button", name="Inscrire la classe").click()
    expect(page.get_by_text("L'inscription est enregistrée")).to_be_visible()
    expect(page.get_by_text("En attente de confirmation par l'association")).to_be_visible()
    ui.check()
    log_out(ui)

    # 3. Staff confirm it from the planner.
    log_in(ui, staff.email, factories.PASSWORD, lands_on="/espace/association/")
    page.get_by_role("link", name="Ouvrir le planning des séquences").click()
    ui.check()
    page.get_by_role("link", name="Semaine suivante").click()
    ui.check()
    page.get_by_role("link", name=TITLE).click()
    ui.check()
    page.get_by_role("button", name="Confirmer — 3e B").click()
    expect(page.get_by_text("L'inscription est confirmée.")).to_be_visible()
    ui.check()
    assert SessionBooking.objects.get().status == SessionBookingStatus.CONFIRMED
    log_out(ui)

    # 4. The teacher sees it in her class's calendar, with the link now, and in her feed.
    log_in(ui, teacher.email, factories.PASSWORD, lands_on="/espace/enseignant/")
    page.get_by_role("link", name="Agenda de la classe 3e B").click()
    ui.check()
    page.get_by_role("link", name="Semaine suivante").click()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    ui.check()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("link", name="https://webconf.numerique.gouv.fr/aero-3eb")).to_be_visible()
    ui.check()
    ui.goto("/agenda/")
    ui.check()
    page.get_by_role("button", name="Créer mon adresse d'agenda").click()
    address = page.get_by_label("Adresse de votre agenda")
    expect(address).to_be_visible()
    ui.check()
    feed = page.request.get(address.input_value())
    assert feed.status == 200
    events = icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")
    mine = [event for event in events if TITLE in str(event["SUMMARY"])]
    assert len(mine) == 1
    assert mine[0].decoded("DTSTART") == session.starts_at


def _phone_cast():
    staff, membership, teacher, _school_class = cast()
    DiscoverySessionFactory(
        title=TITLE,
        association=staff.association_memberships.get().association,
        host_organisation=membership.organisation,
        professionals=[membership.user],
    )
    return staff, teacher


def test_the_planner_reads_well_on_a_phone(mobile_ui):
    staff, _teacher = _phone_cast()
    log_in(mobile_ui, staff.email, factories.PASSWORD, lands_on="/espace/association/")
    mobile_ui.goto("/sequences/planning/?vue=liste")
    expect(mobile_ui.page.get_by_role("table")).to_contain_text(TITLE)
    mobile_ui.check()


def test_the_list_of_sessions_reads_well_on_a_phone(mobile_ui):
    _staff, teacher = _phone_cast()
    log_in(mobile_ui, teacher.email, factories.PASSWORD, lands_on="/espace/enseignant/")
    mobile_ui.goto("/sequences/")
    expect(mobile_ui.page.get_by_role("link", name=TITLE)).to_be_visible()
    mobile_ui.check()


def test_a_request_is_matched_proposed_and_accepted(ui):
    page = ui.page
    staff, membership, teacher, school_class = cast()
    association = staff.association_memberships.get().association
    for person in (membership.user, staff):
        AvailabilityRuleFactory(
            owner=person,
            purpose=RulePurpose.SESSIONS,
            rrule="FREQ=WEEKLY;BYDAY=TU,TH",
            start_time=datetime.time(9),
            end_time=datetime.time(18),
            starts_on=timezone.localdate(),
        )

    # 1. The teacher asks for a session from her home.
    log_in(ui, teacher.email, factories.PASSWORD, lands_on="/espace/enseignant/")
    page.get_by_role("link", name="Demander une séquence").click()
    ui.check()
    page.get_by_label("Association partenaire").select_option(label=association.name)
    page.get_by_label("Thème souhaité").fill("Les métiers du soin")
    page.locator("label").filter(has_text="Semaine du").nth(1).click()
    page.locator("#id_range_1_weekday").select_option(label="Mardi")
    page.locator("#id_range_1_start").fill("14:00")
    page.locator("#id_range_1_end").fill("16:00")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("La demande est envoyée")).to_be_visible()
    ui.check()
    request = SessionRequest.objects.get()
    log_out(ui)

    # 2. Staff pick who takes part, see the common times and propose the first one.
    log_in(ui, staff.email, factories.PASSWORD, lands_on="/espace/association/")
    page.get_by_role("link", name="Demandes des établissements").first.click()
    ui.check()
    page.get_by_role("link", name="Les métiers du soin").click()
    ui.check()
    page.get_by_label("Structure d'accueil", exact=True).select_option(label="Ateliers Aéro")
    tick(page, "Sofia Lambert")
    tick(page, "Claire Morel")
    page.get_by_role("button", name="Voir les horaires communs").click()
    expect(page.get_by_role("heading", name="Horaires communs")).to_be_visible()
    ui.check()
    page.locator("input[name=starts_at]").first.check(force=True)
    page.get_by_label("Lien de visioconférence").fill("https://webconf.numerique.gouv.fr/soin-3eb")
    page.get_by_role("button", name="Proposer cet horaire à l'établissement").click()
    expect(page.get_by_text("L'horaire est proposé")).to_be_visible()
    ui.check()
    log_out(ui)

    # 3. The teacher accepts it.
    log_in(ui, teacher.email, factories.PASSWORD, lands_on="/espace/enseignant/")
    ui.goto(f"/sequences/demandes/{request.pk}/")
    ui.check()
    page.get_by_role("button", name="Accepter cet horaire").click()
    expect(page.get_by_text("Vous avez accepté l'horaire")).to_be_visible()
    ui.check()
    request.refresh_from_db()
    assert request.status == RequestStatus.SCHEDULED
    assert request.session.bookings.get().school_class == school_class
