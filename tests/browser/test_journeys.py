"""Journeys through the French interface in Debian's Chromium, with axe-core on every page reached.

`ui` (see conftest.py) fails a test on any accessibility violation, console error, uncaught script error,
Content-Security-Policy violation or request outside the site, and on any page reached without a check.
"""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from backend.accounts.enums import ConsentStatus
from backend.accounts.models import User
from backend.demo import data
from backend.schools.models import SchoolClass
from backend.schools.services import current_school_year
from tests import factories
from tests.browser_support import PASSWORD_LABEL, log_in, log_out

pytestmark = pytest.mark.browser

# Not "Confirmation du mot de passe"; the label also holds a hint, and a regular expression sees its raw text.


def tick(page, label: str) -> None:
    """Ticks a DSFR checkbox or radio button as a person does: on its label, which covers the input."""
    page.locator("label").filter(has_text=label).click()
    expect(page.get_by_label(label)).to_be_checked()


def heading(page, name: str):
    return page.get_by_role("heading", level=1, name=name)


def test_teacher_signs_up_is_confirmed_creates_a_class_and_a_pupil_joins_it(ui):
    page = ui.page
    school = factories.SchoolFactory(name="Collège Aimé-Césaire")
    head = factories.SchoolStaffFactory(school=school, head=True).user
    today = timezone.localdate()

    # An adult creates her account from the welcome page.
    ui.goto("/")
    page.get_by_role("link", name="Créer un compte adulte").first.click()
    expect(page).to_have_url(ui.url("/inscription/"))
    ui.check()
    page.get_by_label("Prénom").fill("Camille")
    page.get_by_label("Nom de famille", exact=True).fill("Durand")
    page.get_by_label("Adresse e-mail").fill("camille.durand@example.org")
    page.get_by_label(PASSWORD_LABEL).fill(factories.PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(factories.PASSWORD)
    page.get_by_label("Où habitez-vous ?").select_option(label="France métropolitaine et Corse")
    tick(page, "J'ai lu la page « Données personnelles »")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(heading(page, "Vérifiez votre boîte e-mail")).to_be_visible()
    expect(page.get_by_text("camille.durand@example.org")).to_be_visible()
    ui.check()

    # She follows the link of the e-mail, then signs in.
    assert [message.to for message in mail.outbox] == [["camille.durand@example.org"]]
    link = re.search(r"https?://\S+(/inscription/confirmer/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    ui.goto(link.group(1))
    expect(page).to_have_url(ui.url("/connexion/"))
    expect(page.get_by_text("Votre adresse e-mail est confirmée.")).to_be_visible()
    log_in(ui, "camille.durand@example.org", factories.PASSWORD, lands_on="/accueil/")
    expect(heading(page, "Bienvenue, Camille")).to_be_visible()

    # She asks to join her school's team as a teacher.
    page.get_by_role("link", name="Je travaille dans un établissement scolaire").click()
    expect(page).to_have_url(ui.url("/etablissements/rejoindre/"))
    ui.check()
    page.get_by_label("Numéro UAI de l'établissement").fill(school.uai.lower())
    tick(page, "Enseignant ou enseignante")
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page).to_have_url(ui.url("/accueil/"))
    expect(page.get_by_text("Votre demande est envoyée.")).to_be_visible()
    pending = page.get_by_role("region", name="Mes demandes en attente")
    expect(pending).to_contain_text("Collège Aimé-Césaire (Enseignant ou enseignante) : en attente de confirmation")
    ui.check()
    log_out(ui)

    # The head of the school confirms her.
    log_in(ui, head.email, factories.PASSWORD, lands_on="/espace/direction/")
    expect(heading(page, "Mon établissement")).to_be_visible()
    page.get_by_role("link", name="Gérer l'équipe").click()
    expect(page).to_have_url(ui.url(f"/etablissements/{school.uai}/equipe/"))
    ui.check()
    page.get_by_role("button", name="Confirmer Camille Durand").click()
    expect(page.get_by_text("Camille Durand fait maintenant partie de l'équipe.")).to_be_visible()
    ui.check()
    log_out(ui)

    # Confirmed, she lands on her classes and creates one.
    log_in(ui, "camille.durand@example.org", factories.PASSWORD, lands_on="/espace/enseignant/")
    expect(heading(page, "Mes classes")).to_be_visible()
    page.get_by_role("link", name="Créer une classe").click()
    expect(page).to_have_url(ui.url("/classes/nouvelle/"))
    ui.check()
    year = current_school_year()
    page.get_by_label("Nom de la classe").fill("3e A")
    page.get_by_label("Niveau").select_option(label="3e")
    page.get_by_label("Année scolaire").select_option(label=f"{year}-{year + 1}")
    page.get_by_role("button", name="Créer la classe").click()
    expect(heading(page, "3e A — Collège Aimé-Césaire")).to_be_visible()
    school_class = SchoolClass.objects.get(school=school, name="3e A")
    assert (school_class.level, school_class.school_year) == ("3e", year)
    expect(page).to_have_url(ui.url(f"/classes/{school_class.pk}/"))
    join_code = page.locator("#join-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{8}", join_code)
    assert join_code == school_class.join_code
    ui.check()
    log_out(ui)

    # A pupil joins with the code: a wrong one first.
    ui.goto("/rejoindre/")
    wrong_code = "ABCD2345" if join_code != "ABCD2345" else "WXYZ6789"
    page.get_by_label("Code de ta classe").fill(wrong_code)
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("Ce code ne correspond à aucune classe.")).to_be_visible()
    ui.check()
    page.get_by_label("Code de ta classe").fill(join_code.lower())
    page.get_by_role("button", name="Continuer").click()
    expect(page).to_have_url(ui.url("/rejoindre/mon-compte/"))
    expect(page.get_by_text("Tu rejoins la classe 3e A de l'établissement Collège Aimé-Césaire.")).to_be_visible()
    ui.check()
    birth_date = today - datetime.timedelta(days=int(13.5 * 365))  # 13 years old: her guardian must agree
    page.get_by_label("Ton prénom", exact=True).fill("Inès")
    page.get_by_label("Ton nom").fill("Benali")
    page.get_by_label("Ta date de naissance").fill(birth_date.isoformat())
    page.get_by_label(PASSWORD_LABEL).fill(factories.PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page).to_have_url(ui.url("/espace/eleve/"))
    pupil = User.objects.get(enrolments__school_class=school_class)
    assert re.fullmatch(r"ines\.b\d{4}", pupil.username)
    expect(heading(page, "Bonjour Inès !")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="Ton compte est créé")).to_contain_text(pupil.username)
    expect(page.get_by_text("En attente de l'accord de ton représentant légal")).to_be_visible()
    ui.check()
    log_out(ui)

    # Her teacher records the consent of her guardian.
    log_in(ui, "camille.durand@example.org", factories.PASSWORD, lands_on="/espace/enseignant/")
    page.get_by_role("link", name="3e A", exact=True).click()
    expect(page).to_have_url(ui.url(f"/classes/{school_class.pk}/"))
    row = page.get_by_role("row").filter(has_text="Inès Benali")
    expect(row).to_contain_text(pupil.username)
    expect(row).to_contain_text("En attente")
    ui.check()
    row.get_by_role("button", name="Enregistrer l'accord reçu pour Inès B.").click()
    expect(page.get_by_text("L'accord du représentant légal de Inès B. est enregistré.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Inès Benali")).not_to_contain_text("En attente")
    ui.check()
    profile = pupil.pupil_profile
    profile.refresh_from_db()
    teacher = User.objects.get(email="camille.durand@example.org")
    assert profile.consent_status == ConsentStatus.RECEIVED
    assert profile.consent_recorded_by == teacher
    assert profile.consent_recorded_at is not None
    log_out(ui)


DEMO_HOMES = [
    # (identifier, landing page, its heading)
    ("ines.b2026", "/espace/eleve/", "Bonjour Inès !"),
    ("enseignant@demo.passerelle.example", "/espace/enseignant/", "Mes classes"),
    ("direction@demo.passerelle.example", "/espace/direction/", "Mon établissement"),
    ("employeur@demo.passerelle.example", "/espace/structure/", "Ma structure"),
    ("professionnelle@demo.passerelle.example", "/espace/structure/", "Ma structure"),
    ("association@demo.passerelle.example", "/espace/association/", "Mon association"),
    ("tuteur@demo.passerelle.example", "/espace/tuteur/", "Mon espace tuteur"),
    ("plateforme@demo.passerelle.example", "/espace/plateforme/", "Pilotage de la plateforme"),
]


@pytest.mark.parametrize(("identifier", "home", "title"), DEMO_HOMES, ids=[row[1] + row[0] for row in DEMO_HOMES])
def test_each_demo_account_lands_on_its_home(ui, identifier, home, title):
    data.load()
    log_in(ui, identifier, data.DEMO_PASSWORD, lands_on=home)
    expect(heading(ui.page, title)).to_be_visible()
    log_out(ui)


def test_the_demo_tutor_sees_his_association_without_being_its_staff(ui):
    """A tutor affiliated with an association is not one of its staff: no association home in his menu."""
    data.load()
    log_in(ui, "tuteur@demo.passerelle.example", data.DEMO_PASSWORD, lands_on="/espace/tuteur/")
    expect(ui.page.get_by_text("Réseau Passerelles Métiers")).to_be_visible()
    menu = ui.page.get_by_role("navigation", name="Menu principal")
    expect(menu.get_by_role("link", name="Équipe d'une association partenaire")).to_have_count(0)
    log_out(ui)


PUBLIC_PAGES = [
    ("/", "Découvrir le monde du travail, même sans réseau"),
    ("/accessibilite/", "Déclaration d'accessibilité"),
    ("/mentions-legales/", "Mentions légales"),
    ("/donnees-personnelles/", "Données personnelles"),
    ("/connexion/", "Se connecter à Passerelle"),
    ("/inscription/", "Créer un compte adulte"),
    ("/rejoindre/", "Rejoindre ma classe"),
    ("/api/docs/", "Documentation de l'API"),
]


def test_public_pages_are_accessible(ui):
    for path, title in PUBLIC_PAGES:
        ui.goto(path)
        expect(ui.page.locator("html")).to_have_attribute("lang", "fr")
        expect(heading(ui.page, title)).to_be_visible()


def test_the_language_button_switches_to_english_and_back(ui):
    page = ui.page
    ui.goto("/mentions-legales/")
    page.get_by_role("button", name="English").click()
    # English translations are still being written: the page's language is what must follow the choice.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(ui.url("/mentions-legales/"))
    expect(page.get_by_role("button", name="Français")).to_be_visible()
    ui.check()
    ui.goto("/connexion/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(heading(page, "Se connecter à Passerelle")).to_be_visible()
    ui.check()


def test_the_first_tab_reaches_the_skip_link_which_moves_focus_to_the_content(ui):
    page = ui.page
    ui.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Contenu", exact=True)
    expect(skip_link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
    expect(page).to_have_url(ui.url("/#content"))
    ui.check()
    # The next Tab goes on inside the main content, not back to the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


def assert_no_horizontal_scroll(page) -> None:
    widths = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths[0]}px of content for {widths[1]}px"


def test_pupil_home_on_a_phone(mobile_ui):
    ui, page = mobile_ui, mobile_ui.page
    pupil = factories.EnrolmentFactory(
        pupil__first_name="Inès", pupil__last_name="Benali", pupil__pupil_profile__consent_status="pending"
    ).pupil
    log_in(ui, pupil.username, factories.PASSWORD, lands_on="/espace/eleve/")
    assert_no_horizontal_scroll(page)
    expect(heading(page, "Bonjour Inès !")).to_be_visible()
    expect(page.get_by_text("En attente de l'accord de ton représentant légal")).to_be_visible()
    assert_no_horizontal_scroll(page)
    # On a phone the header's buttons live in the menu.
    page.get_by_role("button", name="Menu").click()
    menu = page.get_by_role("dialog")
    expect(menu).to_be_visible()
    ui.check()
    menu.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(ui.url("/"))
    ui.check()
    assert_no_horizontal_scroll(page)
