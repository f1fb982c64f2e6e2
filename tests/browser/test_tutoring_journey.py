"""Tutoring in Debian's Chromium, following the links people follow: a tutor sets his availability, a pupil books
a slot, both see it, the tutor cancels and the pupil sees it cancelled (her teacher is told by e-mail). axe-core
finds nothing on any page reached, also on a phone's screen for the pupil's slot search."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from scheduling.enums import BookingStatus
from scheduling.models import AvailabilityRule, Booking
from tests import factories
from tests.browser_support import log_in, log_out, tick
from tests.scheduling.factories import AvailabilityRuleFactory

pytestmark = pytest.mark.browser


def test_tutor_sets_availability_pupil_books_tutor_cancels(ui):
    page = ui.page
    tutor = factories.TutorProfileFactory(user__first_name="Claire", user__last_name="Martin").user
    school_class = factories.SchoolClassFactory(name="3e B")
    teacher = factories.SchoolStaffFactory(school=school_class.school, user__first_name="Nadia").user
    school_class.teachers.add(teacher)
    pupil = factories.EnrolmentFactory(
        school_class=school_class, pupil__first_name="Inès", pupil__last_name="Benali"
    ).pupil

    # 1. The tutor opens his week from his home and adds availability every day, 14:00–17:00, hour-long group slots.
    log_in(ui, tutor.email, factories.PASSWORD, lands_on="/espace/tuteur/")
    page.locator("#content").get_by_role("link", name="Ma semaine de tutorat").click()
    ui.check()
    page.get_by_role("link", name="Ajouter des disponibilités").click()
    ui.check()
    for day in ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"):
        tick(page, day)
    page.locator("#id_start_time").fill("14:00")
    page.locator("#id_end_time").fill("17:00")
    tick(page, "1 heure")
    tick(page, "Aide aux devoirs")
    tick(page, "Petit groupe")
    page.get_by_label("Élèves au plus par créneau").fill("3")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Vos disponibilités sont enregistrées.")).to_be_visible()
    ui.check()
    rule = AvailabilityRule.objects.get(owner=tutor)
    assert rule.rrule == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU"
    # His settings: three days' notice, so that the pupil's booking stays well before the cut-off.
    page.locator("#id_min_notice_hours").fill("72")
    page.get_by_role("button", name="Enregistrer mes réglages").click()
    expect(page.get_by_text("Vos réglages sont enregistrés.")).to_be_visible()
    ui.check()
    log_out(ui)

    # 2. The pupil finds a slot from her home and books it.
    log_in(ui, pupil.username, factories.PASSWORD, lands_on="/espace/eleve/")
    page.get_by_role("link", name="Trouver un créneau").click()
    ui.check()
    expect(page.locator("main")).to_contain_text("Claire Martin")
    page.get_by_role("link", name=re.compile("^Réserver")).first.click()
    ui.check()
    tick(page, "Aide aux devoirs")
    page.get_by_label("Un mot pour ton tuteur").fill("J'ai du mal avec les fractions.")
    page.get_by_role("button", name="Confirmer la réservation").click()
    expect(page.get_by_text("C'est réservé !")).to_be_visible()
    ui.check()
    booking = Booking.objects.get(pupil=pupil)
    page.get_by_role("link", name="Mes rendez-vous").click()
    expect(page.locator("main")).to_contain_text("Claire Martin")
    ui.check()
    log_out(ui)

    # 3. The tutor sees it on his home and in his week, then cancels it with a reason.
    log_in(ui, tutor.email, factories.PASSWORD, lands_on="/espace/tuteur/")
    expect(page.locator("main")).to_contain_text("Inès B.")
    page.get_by_role("link", name=re.compile("Inès B.")).first.click()
    ui.check()
    expect(page.locator("main")).to_contain_text("J'ai du mal avec les fractions.")
    page.locator("#content").get_by_role("link", name="Ma semaine de tutorat").click()
    ui.check()
    expect(page.locator("main")).to_contain_text("Inès B.")
    page.get_by_role("link", name=re.compile("^Annuler — Inès B.")).click()
    ui.check()
    mail.outbox.clear()
    page.get_by_label("Motif").fill("Je suis malade, désolé.")
    page.get_by_role("button", name="Annuler le rendez-vous").click()
    expect(page.get_by_text("Le rendez-vous est annulé.")).to_be_visible()
    ui.check()
    log_out(ui)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert any(teacher.email in message.to for message in mail.outbox)

    # 4. The pupil sees it cancelled, with the reason.
    log_in(ui, pupil.username, factories.PASSWORD, lands_on="/espace/eleve/")
    expect(page.locator("main")).to_contain_text("Annulé")
    page.get_by_role("link", name="Mes rendez-vous").click()
    expect(page.locator("main")).to_contain_text("Je suis malade, désolé.")
    ui.check()


def test_the_slot_search_on_a_phone(mobile_ui):
    tutor = factories.TutorProfileFactory(user__first_name="Claire", user__last_name="Martin").user
    AvailabilityRuleFactory(owner=tutor, rrule="FREQ=DAILY", starts_on=timezone.localdate(), topics=["homework"])
    pupil = factories.EnrolmentFactory(pupil__time_zone="Indian/Reunion").pupil
    log_in(mobile_ui, pupil.username, factories.PASSWORD, lands_on="/espace/eleve/")
    mobile_ui.goto("/tutorat/creneaux/")
    expect(mobile_ui.page.locator("main")).to_contain_text("La Réunion")
    expect(mobile_ui.page.get_by_role("link", name=re.compile("^Réserver")).first).to_be_visible()
    mobile_ui.page.get_by_label("Thème").select_option("homework")
    mobile_ui.page.get_by_role("button", name="Afficher les créneaux").click()
    expect(mobile_ui.page.locator("main")).to_contain_text("Claire Martin")
    mobile_ui.check()
    mobile_ui.goto("/tutorat/mes-rendez-vous/")
