"""The video library's whole journey in Debian's Chromium, through the links people follow: association staff
create a video, send its file through the page (the progress bar reaches 100 %), add French captions and submit
it; platform staff publish it; a pupil finds it by its sector, plays it with the captions on, turns them off and
on with the keyboard; her teacher sees that she watched it. The application itself serves the file and the
captions (Range requests), as in the embedded default. axe-core finds nothing on any page reached."""

import re

import pytest
from playwright.sync_api import expect

from media.enums import ProcessingStatus, VideoState
from media.models import Video, WatchProgress
from tests import factories
from tests.browser_support import focus_with_tab, log_in, log_out, serve_public_media
from tests.media import samples
from tests.media.factories import PlaylistAssignmentFactory, PlaylistFactory, PlaylistItemFactory

pytestmark = pytest.mark.browser

TITLE = "Soigneuse animalière au parc"
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:00.900\nBonjour, je soigne les animaux du parc.\n"


def test_upload_caption_publish_find_watch_follow(ui, media_dirs, tmp_path):
    page = ui.page
    serve_public_media(page, media_dirs / "public")
    staff_member = factories.AssociationMembershipFactory(association__name="Les Métiers en Grand").user
    platform = factories.UserFactory(staff=True)
    school = factories.SchoolFactory(name="Collège Aimé-Césaire")
    teacher = factories.SchoolStaffFactory(school=school, user__first_name="Nadia", user__last_name="Ferhat").user
    school_class = factories.SchoolClassFactory(school=school, name="3e A", teachers=[teacher])
    pupil = factories.EnrolmentFactory(
        school_class=school_class, pupil__first_name="Inès", pupil__last_name="Benali"
    ).pupil
    clip = samples.h264_mp4(tmp_path / "parc.mp4")
    captions = tmp_path / "fr.vtt"
    captions.write_text(VTT, encoding="utf-8")

    # 1. Association staff: from their home to a new video.
    log_in(ui, staff_member.email, factories.PASSWORD, lands_on="/espace/association/")
    page.get_by_role("link", name="Mes vidéos").click()
    ui.check()
    page.get_by_role("link", name="Nouvelle vidéo").click()
    ui.check()
    page.get_by_label("Titre", exact=True).fill(TITLE)
    page.get_by_label("Secteur", exact=True).select_option("A")
    page.locator("#id_job_title").fill("Soigneuse animalière")
    page.locator("#id_transcript").fill("Bonjour, je soigne les animaux du parc.")
    page.get_by_role("button", name="Créer le brouillon").click()
    video = Video.objects.get(title=TITLE)
    expect(page).to_have_url(re.compile(rf"/videos/{video.pk}/gerer/$"))
    ui.check()

    # 2. The file, with visible progress; processed at once (tasks run eagerly in the tests).
    page.locator("#upload-file").set_input_files(str(clip))
    page.get_by_role("button", name="Envoyer", exact=True).click()
    expect(page.locator("#upload-status")).to_have_text("100 % envoyés. Fichier reçu, traitement en cours.")
    expect(page.locator("#upload-bar")).to_have_attribute("value", "100")
    expect(page.locator("#processing-status")).to_contain_text("Traitement terminé")
    ui.check()
    video.refresh_from_db()
    assert video.processing_status == ProcessingStatus.SUCCEEDED

    # 3. French captions, then submitted.
    page.locator("#id_caption-file").set_input_files(str(captions))
    page.get_by_role("button", name="Ajouter les sous-titres").click()
    expect(page.get_by_role("row", name=re.compile(r"Français \(fr\)"))).to_be_visible()
    expect(page.locator("#publication-checklist")).to_contain_text("Tout est prêt")
    ui.check()
    page.get_by_role("button", name="Envoyer pour validation").click()
    expect(page.get_by_text("La vidéo est envoyée pour validation")).to_be_visible()
    ui.check()
    log_out(ui)

    # 4. Platform staff publish it from their home's queue.
    log_in(ui, platform.email, factories.PASSWORD, lands_on="/espace/plateforme/")
    page.get_by_role("link", name="Ouvrir la file des vidéos à valider").click()
    ui.check()
    page.get_by_role("link", name=TITLE).click()
    ui.check()
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_text("La vidéo est publiée")).to_be_visible()
    ui.check()
    video.refresh_from_db()
    assert video.state == VideoState.PUBLISHED
    log_out(ui)

    # The teacher gave her class a list with this video (her pages are the playlists' own journey).
    playlist = PlaylistFactory(owner=teacher, title="Métiers des animaux")
    PlaylistItemFactory(playlist=playlist, video=video)
    PlaylistAssignmentFactory(playlist=playlist, school_class=school_class, assigned_by=teacher)

    # 5. The pupil finds it by its sector, in the library reached from the header.
    log_in(ui, pupil.username, factories.PASSWORD, lands_on="/espace/eleve/")
    page.locator("#main-navigation").get_by_role("link", name="Vidéos", exact=True).click()
    ui.check()
    page.locator("#id_sector").select_option("A")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("heading", name="1 vidéo", level=2)).to_be_visible()
    ui.check()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("heading", name="Transcription")).to_be_visible()
    # The application serves the file: the player knows its length, and the captions track is loaded, on.
    expect(page.locator("video")).to_have_js_property("readyState", 4, timeout=15_000)
    toggle = page.locator("#captions-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("document.querySelector('video').textTracks[0].mode") == "showing"
    assert page.evaluate("document.querySelector('video').autoplay") is False
    ui.check()

    # Captions off and on again, with the keyboard only.
    page.locator("h1").click()
    focus_with_tab(page, "#captions-toggle")
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("document.querySelector('video').textTracks[0].mode") == "hidden"
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-pressed", "true")

    # Played to the end (muted: a page may start a muted video without a click): reported and announced.
    page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; return v.play(); }")
    expect(page.locator("#player-status")).to_have_text("Vidéo vue", timeout=15_000)
    assert WatchProgress.objects.get(video=video, user=pupil).watched_at is not None
    ui.check()
    log_out(ui)

    # 6. Her teacher sees it: from her home to her lists, then who watched what in her class.
    log_in(ui, teacher.email, factories.PASSWORD, lands_on="/espace/enseignant/")
    page.get_by_role("link", name="Mes listes de vidéos").click()
    ui.check()
    page.get_by_role("link", name=re.compile(r"Qui a vu quoi.*Métiers des animaux, 3e A")).click()
    table = page.get_by_role("table")
    expect(table.get_by_role("row", name=re.compile(pupil.display_name))).to_contain_text("Vue")
    expect(table).to_contain_text("1 élève sur 1")
    ui.check()
