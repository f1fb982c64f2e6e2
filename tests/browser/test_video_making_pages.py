"""The makers' pages in Debian's Chromium: an employer creates a video, sends its file through the page (the
progress bar reaches 100 % and the live region says so), the processing fragment shows the result, she adds
French captions and submits; platform staff find it in the review queue and publish it. axe-core finds nothing
on `mine`, `create`, `manage` and `review`, and no page logs an error, breaks the CSP or calls outside."""

import io
import re

import pytest
from playwright.sync_api import expect

from media import services
from media.enums import ProcessingStatus, UploadStatus, VideoState
from media.models import Caption, Video
from tests import factories
from tests.browser_support import log_in, log_out, serve_public_media
from tests.media import samples

pytestmark = pytest.mark.browser

TITLE = "Une journée d'électricienne de maintenance"
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:00.900\nBonjour, je suis électricienne.\n"


def test_make_upload_caption_submit_then_publish(ui, media_dirs, tmp_path):
    page = ui.page
    serve_public_media(page, media_dirs / "public")
    membership = factories.OrganisationMembershipFactory(organisation__name="Volta Maintenance")
    employer = membership.user
    staff = factories.UserFactory(staff=True)
    clip = samples.h264_mp4(tmp_path / "atelier.mp4")
    captions = tmp_path / "fr.vtt"
    captions.write_text(VTT, encoding="utf-8")

    # 1. The employer opens her videos, then the form.
    log_in(ui, employer.email, factories.PASSWORD, lands_on="/espace/structure/")
    ui.goto("/videos/mes-videos/")
    expect(page.get_by_role("heading", name="Mes vidéos", level=1)).to_be_visible()
    page.get_by_role("link", name="Nouvelle vidéo").click()
    ui.check()
    page.get_by_label("Titre", exact=True).fill(TITLE)
    page.get_by_label("Secteur", exact=True).select_option(label="Installation et maintenance")
    page.get_by_label("Domaine professionnel").select_option("I13")
    page.locator("#id_job_title").fill("Électricienne de maintenance")
    page.locator("#id_transcript").fill("Bonjour, je suis électricienne de maintenance dans une usine.")
    page.get_by_role("button", name="Créer le brouillon").click()
    video = Video.objects.get(title=TITLE)
    expect(page).to_have_url(re.compile(rf"/videos/{video.pk}/gerer/$"))
    ui.check()

    # 2. The file, through the page: the bar reaches 100 % and the live region says the file is received.
    page.locator("#upload-file").set_input_files(str(clip))
    page.get_by_role("button", name="Envoyer", exact=True).click()
    status = page.locator("#upload-status")
    expect(status).to_have_text("100 % envoyés. Fichier reçu, traitement en cours.")
    expect(status).to_have_attribute("role", "status")
    expect(page.locator("#upload-bar")).to_have_attribute("value", "100")
    expect(page.locator("#upload-percent")).to_have_text("100\u00a0%")
    # The processing fragment, fetched again once the file is in: done (tasks run at once in the tests).
    expect(page.locator("#processing-status")).to_contain_text("Traitement terminé")
    expect(page.locator("#processing-status")).to_contain_text("160 × 120")
    expect(page.locator("#processing-announcer")).to_have_text("Traitement terminé.")
    ui.check()
    video.refresh_from_db()
    assert video.processing_status == ProcessingStatus.SUCCEEDED

    # 3. French captions.
    page.locator("#id_caption-file").set_input_files(str(captions))
    page.get_by_role("button", name="Ajouter les sous-titres").click()
    expect(page.get_by_role("row", name=re.compile(r"Français \(fr\)"))).to_be_visible()
    ui.check()
    assert Caption.objects.filter(video=video, language="fr").exists()
    expect(page.locator("#publication-checklist")).to_contain_text("Tout est prêt")

    # 4. Submitted for validation.
    page.get_by_role("button", name="Envoyer pour validation").click()
    expect(page.get_by_text("La vidéo est envoyée pour validation")).to_be_visible()
    ui.check()
    log_out(ui)

    # 5. Platform staff publish it from the review queue.
    log_in(ui, staff.email, factories.PASSWORD, lands_on="/espace/plateforme/")
    ui.goto("/videos/moderation/")
    page.get_by_role("link", name=TITLE).click()
    ui.check()
    page.get_by_role("button", name="Publier").click()
    expect(page).to_have_url(ui.url("/videos/moderation/"))
    expect(page.get_by_text("La vidéo est publiée")).to_be_visible()
    ui.check()
    video.refresh_from_db()
    assert video.state == VideoState.PUBLISHED


def _draft_with_maker():
    membership = factories.OrganisationMembershipFactory(organisation__name="Volta Maintenance")
    video = Video.objects.create(host_organisation=membership.organisation, title=TITLE, sector="I")
    return membership.user, video


def _requests(page) -> list[tuple[str, str, str]]:
    seen = []
    page.on(
        "request",
        lambda request: (
            seen.append((request.method, request.url, request.headers.get("content-range", "")))
            if "/api/v1/videos/uploads/" in request.url
            else None
        ),
    )
    return seen


def test_choosing_the_same_file_after_a_reload_resumes_the_interrupted_upload(ui, media_dirs, tmp_path):
    page = ui.page
    serve_public_media(page, media_dirs / "public")
    employer, video = _draft_with_maker()
    clip = samples.h264_mp4(tmp_path / "atelier.mp4")
    data = clip.read_bytes()
    half = len(data) // 2
    # An upload cut in the middle, as a closed tab leaves it.
    session = services.upload_session_create(video=video, by=employer, filename="atelier.mp4", size=len(data))
    services.upload_chunk_append(session=session, start=0, length=half, total=len(data), body=io.BytesIO(data[:half]))

    log_in(ui, employer.email, factories.PASSWORD, lands_on="/espace/structure/")
    ui.goto(f"/videos/{video.pk}/gerer/")
    expect(page.locator("#upload-resume-note")).to_contain_text("L'envoi de « atelier.mp4 » s'est interrompu")
    seen = _requests(page)
    page.locator("#upload-file").set_input_files(str(clip))
    page.get_by_role("button", name="Envoyer", exact=True).click()
    expect(page.locator("#upload-status")).to_have_text("100 % envoyés. Fichier reçu, traitement en cours.")
    expect(page.locator("#upload-resume-note")).to_have_count(0)
    ui.check()

    upload_url = f"/api/v1/videos/uploads/{session.pk}/"
    assert [method for method, _url, _range in seen] == ["GET", "PUT"]
    assert all(url.endswith(upload_url) for _method, url, _range in seen)
    assert seen[1][2] == f"bytes {half}-{len(data) - 1}/{len(data)}"
    session.refresh_from_db()
    assert session.status == UploadStatus.COMPLETE
    assert video.upload_sessions.count() == 1


def test_a_dropped_connection_is_retried_from_the_offset_the_server_holds(ui, media_dirs, tmp_path):
    page = ui.page
    serve_public_media(page, media_dirs / "public")
    employer, video = _draft_with_maker()
    clip = samples.h264_mp4(tmp_path / "atelier.mp4")
    dropped = []

    def drop_first_chunk(route):
        if route.request.method == "PUT" and not dropped:
            dropped.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    log_in(ui, employer.email, factories.PASSWORD, lands_on="/espace/structure/")
    ui.goto(f"/videos/{video.pk}/gerer/")
    page.route(re.compile(r".*/api/v1/videos/uploads/.+"), drop_first_chunk)
    seen = _requests(page)
    page.locator("#upload-file").set_input_files(str(clip))
    page.get_by_role("button", name="Envoyer", exact=True).click()
    expect(page.locator("#upload-status")).to_have_text("La connexion est coupée : nouvel essai dans 1 s.")
    expect(page.locator("#upload-status")).to_have_text("100 % envoyés. Fichier reçu, traitement en cours.")
    # The cut made above is the one error the browser logged; anything else still fails the check.
    reset = [error for error in ui.console_errors if "ERR_CONNECTION_RESET" in error]
    assert len(reset) == 1
    ui.console_errors.remove(reset[0])
    ui.check()

    assert dropped
    assert [method for method, _url, _range in seen] == ["POST", "PUT", "GET", "PUT"]
    assert video.upload_sessions.get().status == UploadStatus.COMPLETE
