"""Teachers' playlists in Debian's Chromium: a teacher creates a list, adds a published video found by a search,
gives the list to her class and opens who watched what; her pupil finds it in "Vidéos à voir". axe-core finds
nothing on any page reached."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests.browser_support import log_in, log_out
from tests.media.factories import PlaylistAssignmentFactory, PlaylistFactory, VideoFactory, WatchProgressFactory

pytestmark = pytest.mark.browser


def test_a_teacher_gives_a_list_to_her_class_and_her_pupil_finds_it(ui, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "public"
    school = factories.SchoolFactory()
    teacher = factories.SchoolStaffFactory(school=school, user__email="aicha.benali@example.org").user
    school_class = factories.SchoolClassFactory(school=school, teachers=[teacher], name="3e B")
    pupil = factories.EnrolmentFactory(school_class=school_class, pupil__first_name="Inès").pupil
    VideoFactory(published=True, title="Une journée de plombière", job_title="Plombière", duration=200.0)
    VideoFactory(published=True, title="Dans la cuisine d'un restaurant", sector="G", rome_code="G1602")
    page = ui.page

    log_in(ui, teacher.email, factories.PASSWORD, lands_on="/espace/enseignant/")
    page.get_by_role("link", name="Mes listes de vidéos").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes listes de vidéos")
    ui.check()

    page.get_by_label("Titre de la liste").fill("Métiers du bâtiment")
    page.get_by_label("Consigne pour les élèves").fill("Regardez la vidéo et notez une question pour jeudi.")
    page.get_by_role("button", name="Créer la liste").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Métiers du bâtiment")
    ui.check()

    page.get_by_label("Mots-clés").fill("plomb")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("heading", name="1 vidéo trouvée")).to_be_visible()
    ui.check()
    page.get_by_role("button", name="Ajouter « Une journée de plombière » à la liste").click()
    expect(page.get_by_text("« Une journée de plombière » est ajoutée à la liste.")).to_be_visible()
    expect(page.get_by_role("button", name="Retirer « Une journée de plombière » de la liste")).to_be_visible()
    ui.check()

    page.get_by_label("Classe", exact=True).select_option(label=str(school_class))
    due = timezone.localdate() + datetime.timedelta(days=7)
    page.get_by_label("À voir avant le").fill(due.isoformat())
    page.get_by_role("button", name="Donner la liste").click()
    expect(page.get_by_text("La liste est donnée à la classe 3e B.")).to_be_visible()
    ui.check()

    page.get_by_role("link", name="Qui a vu quoi — 3e B").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text(pupil.display_name)
    expect(table).to_contain_text("Pas commencée")
    expect(table).to_contain_text("0 élève")
    ui.check()

    # The class page lists it too; deleting asks first.
    ui.goto(f"/classes/{school_class.pk}/")
    expect(page.get_by_role("link", name="Qui a vu quoi — Métiers du bâtiment")).to_be_visible()
    ui.goto(f"/videos/listes/{school_class.video_playlists.get().playlist_id}/supprimer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Supprimer la liste « Métiers du bâtiment » ?")
    page.get_by_role("link", name="Annuler").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Métiers du bâtiment")
    ui.check()
    log_out(ui)

    log_in(ui, pupil.username, factories.PASSWORD, lands_on="/espace/eleve/")
    page.get_by_role("link", name="Vidéos à voir").click()
    expect(page.get_by_role("heading", level=2, name="Métiers du bâtiment")).to_be_visible()
    expect(page.get_by_text("Regardez la vidéo et notez une question pour jeudi.")).to_be_visible()
    expect(page.get_by_text("0 vidéo")).to_be_visible()
    expect(page.get_by_role("link", name="Une journée de plombière")).to_be_visible()
    ui.check()


def test_a_wide_progress_table_on_a_phone(mobile_ui):
    """Many videos make the table wider than the screen: it scrolls, and axe still finds nothing."""
    school = factories.SchoolFactory()
    teacher = factories.SchoolStaffFactory(school=school).user
    school_class = factories.SchoolClassFactory(school=school, teachers=[teacher], name="3e B")
    pupils = [factories.EnrolmentFactory(school_class=school_class).pupil for _ in range(4)]
    videos = [
        VideoFactory(published=True, title=f"Une journée avec une professionnelle du métier numéro {n}")
        for n in range(8)
    ]
    playlist = PlaylistFactory(owner=teacher, title="Tour des métiers", videos=videos)
    PlaylistAssignmentFactory(playlist=playlist, school_class=school_class)
    WatchProgressFactory(video=videos[0], user=pupils[0], watched=True)
    WatchProgressFactory(video=videos[1], user=pupils[1], played_seconds=0.4)

    log_in(mobile_ui, teacher.email, factories.PASSWORD, lands_on="/espace/enseignant/")
    mobile_ui.goto(f"/videos/listes/{playlist.pk}/classes/{school_class.pk}/")
    expect(mobile_ui.page.get_by_role("table")).to_contain_text("Commencée (40 %)")
    mobile_ui.check()
    mobile_ui.goto("/videos/listes/")
    mobile_ui.goto(f"/videos/listes/{playlist.pk}/")
