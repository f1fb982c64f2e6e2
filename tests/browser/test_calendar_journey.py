"""The "Mon agenda" page in Debian's Chromium: a teacher whose class is booked on a session sees it in her agenda,
creates her private feed address, copies it, a calendar application reads it (re-parsed with icalendar), she
revokes it. axe-core finds nothing on any page reached, on a desktop and at 375 px."""

import datetime

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser_support import log_in
from tests.factories import PASSWORD
from tests.scheduling.calendar_support import PUPIL_SURNAME, make_people

pytestmark = pytest.mark.browser


def _people():
    return make_people(starts_at=(timezone.now() + datetime.timedelta(days=3)).replace(second=0, microsecond=0))


def test_a_teacher_subscribes_to_her_agenda_then_revokes_it(ui):
    people = _people()
    page = ui.page
    log_in(ui, people.teacher.email, PASSWORD, lands_on="/espace/enseignant/")
    ui.goto("/agenda/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon agenda")
    expect(page.get_by_role("table")).to_contain_text("Les métiers du soin")
    ui.check()

    page.get_by_role("button", name="Créer mon adresse d'agenda").click()
    address = page.get_by_label("Adresse de votre agenda")
    expect(address).to_be_visible()
    ui.check()
    url = address.input_value()
    copy = page.get_by_role("button", name="Copier l'adresse")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.get_by_role("status").last).not_to_have_text("")

    feed = page.request.get(url)
    assert feed.status == 200
    calendar = icalendar.Calendar.from_ical(feed.body())
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert any("Les métiers du soin" in summary for summary in summaries)
    assert PUPIL_SURNAME.encode() not in feed.body()

    page.get_by_role("button", name="Désactiver l'adresse").click()
    expect(page.get_by_text("Votre adresse d'agenda est désactivée")).to_be_visible()
    ui.check()
    assert page.request.get(url).status == 404


def test_the_agenda_reads_well_on_a_phone(mobile_ui):
    people = _people()
    log_in(mobile_ui, people.tutor.email, PASSWORD, lands_on="/espace/tuteur/")
    mobile_ui.goto("/agenda/")
    expect(mobile_ui.page.get_by_role("table")).to_contain_text("Léa S.")
    mobile_ui.check()
