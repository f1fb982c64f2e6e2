"""The class follow-up in Debian's Chromium: a teacher signs in, opens her class's follow-up from her home, filters
the pupils without an internship, nudges one of them, downloads the CSV; then the pupil signs in, finds the message
on her home and marks it seen. axe-core finds nothing on any page reached."""

import csv
import io

import pytest
from playwright.sync_api import expect

from backend.follow_up.models import Nudge
from backend.offers.enums import ApplicationStatus
from tests import factories
from tests.browser_support import log_in, log_out
from tests.follow_up.class_support import ClassCast, monday

pytestmark = pytest.mark.browser


def test_a_teacher_follows_her_class_and_nudges_a_pupil(ui):
    page = ui.page
    cast = ClassCast()
    ines = cast.pupil("Inès", "Benali", last_login=cast.now)
    cast.application(ines, ApplicationStatus.CONFIRMED, week_start=monday(28))
    yanis = cast.pupil("Yanis", "Kaci")
    cast.pupil("Léa", "Moreau", last_login=cast.now)

    log_in(ui, cast.teacher.email, factories.PASSWORD, lands_on="/espace/enseignant/")
    page.get_by_role("link", name="Suivi de la classe 3e B").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suivi de la classe 3e B")
    ui.check()
    expect(page.locator("main")).to_contain_text("1 élève sur 3 a un stage.")
    expect(page.locator("tbody tr")).to_have_count(3)

    # "Sans stage": Inès, who has one, leaves the table.
    page.get_by_label("Afficher").select_option(label="Sans stage")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("caption")).to_have_text("2 élèves affichés")
    ui.check()
    expect(page.locator("tbody")).not_to_contain_text("Inès B.")
    yanis_row = page.locator(f"#eleve-{yanis.pk}")
    expect(yanis_row).to_contain_text("Besoin d'aide")
    expect(yanis_row).to_contain_text("Pas de stage et aucune candidature en cours")

    # A nudge to Yanis: the page comes back, filtered still, with the message.
    yanis_row.get_by_label("Message à envoyer à Yanis K.").select_option(label="Réserver un rendez-vous de tutorat")
    yanis_row.get_by_role("button", name="Envoyer — Yanis K.").click()
    expect(page.get_by_text("Message envoyé à Yanis K. : « Réserver un rendez-vous de tutorat ».")).to_be_visible()
    expect(page.locator("caption")).to_have_text("2 élèves affichés")
    ui.check()
    assert Nudge.objects.filter(pupil=yanis, kind="tutoring").count() == 1

    # The CSV, with the filter.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le tableau (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "suivi-3e-b-2026-2027.csv"
    with open(download.path(), encoding="utf-8-sig") as file:
        lines = list(csv.reader(io.StringIO(file.read()), delimiter=";"))
    assert [line[0] for line in lines[1:]] == ["Léa M.", "Yanis K."]
    log_out(ui)

    # Yanis signs in: the message is on his home; "J'ai vu" puts it away.
    log_in(ui, yanis.username, factories.PASSWORD, lands_on="/espace/eleve/")
    expect(page.get_by_role("heading", name="Un message de ton professeur")).to_be_visible()
    expect(page.locator("main")).to_contain_text("réserver un rendez-vous avec un tuteur ou une tutrice bénévole")
    page.get_by_role("button", name="J'ai vu").click()
    expect(page.get_by_text("C'est noté !")).to_be_visible()
    expect(page).to_have_url(ui.url("/espace/eleve/"))
    ui.check()
    expect(page.get_by_role("heading", name="Un message de ton professeur")).to_have_count(0)
    assert Nudge.objects.get(pupil=yanis).seen_at is not None
