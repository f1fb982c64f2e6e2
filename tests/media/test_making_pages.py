"""The makers' pages: their list, the form, the manage page (upload resume, processing fragment, captions, poster,
the moves of the lifecycle, the history) and the moderation's review queue."""

import html
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from media.enums import ProcessingStatus, UploadStatus, VideoEventKind, VideoLevel, VideoState
from media.models import Caption, Video, VideoEvent
from tests import factories
from tests.media.conftest import upload_all
from tests.media.factories import (
    CaptionFactory,
    UploadSessionFactory,
    VideoFactory,
    VideoFileFactory,
    WatchProgressFactory,
)

pytestmark = pytest.mark.django_db

VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:00.800\nBonjour, je suis électricienne.\n".encode()
SRT = "1\n00:00:00,000 --> 00:00:00,800\n<i>Bonjour</i> !\n\n2\n00:00:00,800 --> 00:00:00,950\nÇa va ?\n".encode()
# A cue without its blank line before the next timing line: the error names the line.
BROKEN_VTT = b"WEBVTT\n\n00:00.000 --> 00:00.500\nA\n00:00.500 --> 00:00.900\nB\n"


def url(name, video, **extra):
    return reverse(f"videos:{name}", kwargs={"pk": video.pk, **extra})


def text(response) -> str:
    """The page's text, tags removed and spaces squeezed, for assertions about what people read."""
    body = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return " ".join(body.split())


def png(size=(320, 180)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def ready_draft(organisation, **extra) -> Video:
    """A draft with everything publication needs: a processed file, French captions, a transcript."""
    video = VideoFactory(
        host_organisation=organisation,
        processing_status=ProcessingStatus.SUCCEEDED,
        duration=1.0,
        transcript="Bonjour, je suis électricienne.",
        **extra,
    )
    VideoFileFactory(video=video)
    CaptionFactory(video=video)
    return video


@pytest.fixture
def staff_client(client):
    client.force_login(factories.UserFactory(staff=True))
    return client


@pytest.fixture
def other_maker_client(client):
    """A confirmed employer of another organisation."""
    client.force_login(factories.OrganisationMembershipFactory().user)
    return client


# --- My videos -------------------------------------------------------------------------------------------------


def test_my_videos_lists_the_organisations_videos_with_state_processing_blockers_and_views(maker_client, maker):
    draft = VideoFactory(host_organisation=maker.organisation, title="Brouillon à compléter")
    failed = VideoFactory(
        host_organisation=maker.organisation,
        title="Fichier abîmé",
        processing_status=ProcessingStatus.FAILED,
        processing_failure="Le fichier est coupé avant la fin.",
    )
    VideoFileFactory(video=failed)
    published = VideoFactory(host_organisation=maker.organisation, title="Déjà publiée", published=True)
    WatchProgressFactory.create_batch(3, video=published)
    VideoFactory(title="Vidéo d'une autre structure")

    response = maker_client.get(reverse("videos:mine"))

    assert response.status_code == 200
    page = text(response)
    assert "3 vidéos" in page
    assert "Vidéo d'une autre structure" not in page
    assert reverse("videos:create") in response.content.decode()
    for video in (draft, failed, published):
        assert url("manage", video) in response.content.decode()
    rows = {video.title: video for video in response.context["videos"]}
    assert rows["Déjà publiée"].views == 3
    assert rows["Brouillon à compléter"].views == 0
    assert rows["Brouillon à compléter"].blockers == [
        "La vidéo n'a pas encore de fichier.",
        "Les sous-titres en français manquent.",
        "La transcription manque.",
    ]
    assert "Le fichier est coupé avant la fin." in page
    assert "Traitement en échec" in page
    assert rows["Déjà publiée"].blockers == []


def test_my_videos_costs_the_same_queries_for_two_videos_or_ten(maker_client, maker):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert maker_client.get(reverse("videos:mine")).status_code == 200
        return len(captured)

    for number in range(2):
        video = ready_draft(maker.organisation, title=f"Vidéo {number}")
        WatchProgressFactory(video=video)
    few = queries()
    for number in range(8):
        video = ready_draft(maker.organisation, title=f"Autre vidéo {number}", state=VideoState.PUBLISHED)
        WatchProgressFactory(video=video)
    assert queries() == few


def test_platform_staff_see_every_video_but_make_none(staff_client):
    VideoFactory(title="Vidéo d'une structure")
    VideoFactory(by_association=True, title="Vidéo d'une association")
    response = staff_client.get(reverse("videos:mine"))
    page = text(response)
    assert "Vidéo d'une structure" in page
    assert "Vidéo d'une association" in page
    assert reverse("videos:create") not in response.content.decode()


# --- The form --------------------------------------------------------------------------------------------------

VALID = {
    "title": "Une journée de plombière",
    "description": "Sur un chantier de rénovation.",
    "sector": "F",
    "domain": "F16",
    "job_title": "Plombière",
    "rome_code": "f1603",
    "level": VideoLevel.COLLEGE,
    "tags": "chantier, Eau ,  chantier, sécurité",
    "audio_description": "on",
    "transcript": "Bonjour, je suis plombière.",
}


def test_a_maker_creates_a_draft_and_lands_on_its_manage_page(maker_client, maker):
    response = maker_client.post(reverse("videos:create"), VALID)

    video = Video.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("manage", video)
    assert video.host_organisation == maker.organisation
    assert video.state == VideoState.DRAFT
    assert (video.title, video.domain, video.rome_code, video.level) == (
        "Une journée de plombière",
        "F16",
        "F1603",
        VideoLevel.COLLEGE,
    )
    assert video.tags == ["chantier", "eau", "sécurité"]
    assert video.audio_description is True
    assert video.transcript == "Bonjour, je suis plombière."
    assert list(video.events.values_list("kind", flat=True)) == [VideoEventKind.CREATED]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Ce champ est obligatoire."),
        ({"sector": "Z"}, "sector", "Sélectionnez un choix valide."),
        ({"domain": "H26"}, "domain", "n'appartient pas au secteur choisi"),
        ({"rome_code": "H1203"}, "rome_code", "Le code ROME n'appartient pas au secteur choisi."),
        ({"rome_code": "12345"}, "rome_code", ""),
        ({"tags": ", ".join(f"mot {number}" for number in range(13))}, "tags", "12 mots-clés au plus."),
    ],
)
def test_invalid_input_is_shown_on_the_form_and_nothing_is_written(maker_client, changes, field, message):
    response = maker_client.post(reverse("videos:create"), {**VALID, **changes})

    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert Video.objects.count() == 0
    content = response.content.decode()
    assert 'id="error-summary"' in content
    assert f'href="#{form[field].id_for_label}"' in content
    assert 'aria-invalid="true"' in content


def test_a_person_of_several_makers_chooses_in_whose_name(client, maker):
    association = factories.AssociationMembershipFactory(user=maker.user).association
    client.force_login(maker.user)

    form_page = client.get(reverse("videos:create"))
    assert "Au nom de" in text(form_page)
    missing = client.post(reverse("videos:create"), VALID)
    assert "maker" in missing.context["form"].errors
    foreign = client.post(
        reverse("videos:create"), {**VALID, "maker": f"association-{factories.AssociationFactory().pk}"}
    )
    assert "maker" in foreign.context["form"].errors
    assert Video.objects.count() == 0

    client.post(reverse("videos:create"), {**VALID, "maker": f"association-{association.pk}"})
    video = Video.objects.get()
    assert (video.association, video.host_organisation) == (association, None)


def test_a_maker_of_one_organisation_is_not_asked(maker_client):
    assert "Au nom de" not in text(maker_client.get(reverse("videos:create")))


def test_editing_a_draft(maker_client, maker):
    video = VideoFactory(host_organisation=maker.organisation, tags=["eau"])
    form_page = maker_client.get(url("edit", video))
    assert form_page.context["form"].initial["tags"] == "eau"

    response = maker_client.post(url("edit", video), {**VALID, "title": "Nouveau titre"})

    assert response.status_code == 302
    video.refresh_from_db()
    assert video.title == "Nouveau titre"
    assert video.events.filter(kind=VideoEventKind.EDITED).exists()


def test_editing_is_refused_once_the_video_left_the_draft_state_and_the_page_says_why(maker_client, maker):
    video = VideoFactory(host_organisation=maker.organisation, published=True, title="Publiée")

    page = maker_client.get(url("edit", video))
    assert page.status_code == 200
    assert "Cette vidéo est publiée : elle ne peut plus être modifiée." in text(page)
    assert "<textarea" not in page.content.decode()

    maker_client.post(url("edit", video), {**VALID, "title": "Changée en douce"})
    video.refresh_from_db()
    assert video.title == "Publiée"


def test_makers_of_another_organisation_get_a_404(other_maker_client, maker):
    video = VideoFactory(host_organisation=maker.organisation)
    CaptionFactory(video=video)
    for name in ("edit", "manage", "processing"):
        assert other_maker_client.get(url(name, video)).status_code == 404
    for name, data in (("transition", {"transition-action": "submit"}), ("poster", {}), ("caption_add", {})):
        assert other_maker_client.post(url(name, video), data).status_code == 404
    assert other_maker_client.post(url("caption_delete", video, language="fr")).status_code == 404
    assert Caption.objects.filter(video=video).exists()


# --- The manage page -------------------------------------------------------------------------------------------


def test_the_manage_page_lists_what_is_missing_as_a_checklist(maker_client, maker):
    video = VideoFactory(host_organisation=maker.organisation)
    page = text(maker_client.get(url("manage", video)))
    assert "Avant de l'envoyer pour validation, il reste à faire :" in page
    assert "La vidéo n'a pas encore de fichier." in page
    assert "Les sous-titres en français manquent." in page
    assert "La transcription manque." in page

    ready = ready_draft(maker.organisation)
    assert "Tout est prêt" in text(maker_client.get(url("manage", ready)))


def test_the_manage_page_offers_to_resume_the_persons_own_unfinished_upload(maker_client, maker):
    video = VideoFactory(host_organisation=maker.organisation)
    session = UploadSessionFactory(
        video=video, owner=maker.user, filename="atelier.mp4", declared_size=8_000_000, bytes_received=2_000_000
    )

    response = maker_client.get(url("manage", video))

    config = json.loads(re.search(r'id="upload-config"[^>]*>(.*?)</script>', response.content.decode()).group(1))
    assert config["video"] == video.pk
    assert config["create_url"] == reverse("videos:api-upload-create")
    assert config["open_upload"] == {
        "id": str(session.pk),
        "filename": "atelier.mp4",
        "size": 8_000_000,
        "offset": 2_000_000,
        "url": reverse("videos:api-upload-detail", kwargs={"pk": session.pk}),
    }
    assert 0 < config["chunk_size"] <= 8 * 1024 * 1024
    assert "L'envoi de « atelier.mp4 » s'est interrompu" in text(response)
    assert 'accept="video/mp4,video/webm"' in response.content.decode()
    assert '<progress class="making-progress" id="upload-bar" max="100" value="0">' in response.content.decode()


def test_another_persons_upload_or_a_closed_one_is_not_offered(client, maker):
    video = VideoFactory(host_organisation=maker.organisation)
    UploadSessionFactory(video=video, owner=maker.user)
    colleague = factories.OrganisationMembershipFactory(organisation=maker.organisation).user
    client.force_login(colleague)
    response = client.get(url("manage", video))
    assert response.context["upload_config"]["open_upload"] is None

    client.force_login(maker.user)
    video.upload_sessions.update(status=UploadStatus.EXPIRED)
    assert client.get(url("manage", video)).context["upload_config"]["open_upload"] is None


def test_a_video_out_of_draft_takes_no_new_file(maker_client, maker):
    video = VideoFactory(host_organisation=maker.organisation, in_review=True)
    response = maker_client.get(url("manage", video))
    assert response.context["upload_config"] is None
    assert 'id="upload-file"' not in response.content.decode()
    assert "Seule une vidéo en brouillon peut recevoir un nouveau fichier." in text(response)


def test_a_file_sent_through_the_api_is_processed_and_the_fragment_says_so(
    maker_client, maker, sample, django_capture_on_commit_callbacks
):
    video = VideoFactory(host_organisation=maker.organisation)
    data = sample("h264").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        assert upload_all(maker_client, video, data, chunk=4096).status_code == 200

    response = maker_client.get(url("processing", video))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="processing-status"' in content
    assert 'id="publication-checklist"' in content
    assert "data-poll-url" not in content
    assert 'data-announce="Traitement terminé."' in content
    page = text(response)
    assert "Traitement terminé" in page
    assert "160 × 120" in page
    assert "h264" in page
    assert "aac" in page
    assert "La vidéo n'a pas encore de fichier." not in page


def test_the_fragment_asks_to_be_polled_only_while_the_file_waits_or_is_processed(maker_client, maker):
    video = VideoFactory(host_organisation=maker.organisation, processing_status=ProcessingStatus.PENDING)
    VideoFileFactory(video=video)
    pending = maker_client.get(url("processing", video)).content.decode()
    assert f'data-poll-url="{url("processing", video)}"' in pending
    assert 'data-poll-seconds="3"' in pending

    Video.objects.filter(pk=video.pk).update(
        processing_status=ProcessingStatus.FAILED, processing_failure="Le fichier est coupé avant la fin."
    )
    failed = maker_client.get(url("processing", video))
    assert "data-poll-url" not in failed.content.decode()
    assert "Le traitement du fichier a échoué : Le fichier est coupé avant la fin." in text(failed)
    assert "data-announce=" in failed.content.decode()


# --- Captions --------------------------------------------------------------------------------------------------


def add_captions(client, video, data: bytes, name: str, language="fr", other=""):
    return client.post(
        url("caption_add", video),
        {
            "caption-language": language,
            "caption-other_language": other,
            "caption-file": SimpleUploadedFile(name, data),
        },
    )


def test_webvtt_captions_are_added(maker_client, maker):
    video = VideoFactory(host_organisation=maker.organisation)
    response = add_captions(maker_client, video, VTT, "fr.vtt")
    assert response.status_code == 302
    caption = Caption.objects.get(video=video)
    assert (caption.language, caption.label, caption.cue_count, caption.source_format) == ("fr", "Français", 1, "vtt")
    page = maker_client.get(url("manage", video))
    assert reverse("videos:caption", kwargs={"pk": video.pk, "language": "fr"}) in page.content.decode()
    assert "Sous-titres « Français » enregistrés (1 réplique)." in text(page)


def test_srt_captions_are_converted_and_a_free_language_tag_is_accepted(maker_client, maker):
    video = VideoFactory(host_organisation=maker.organisation)
    response = add_captions(maker_client, video, SRT, "pt.srt", language="other", other="pt-BR")
    assert response.status_code == 302
    caption = Caption.objects.get(video=video)
    assert (caption.language, caption.source_format, caption.cue_count) == ("pt-BR", "srt", 2)
    assert caption.webvtt.startswith("WEBVTT")
    assert "00:00:00.800 --> 00:00:00.950" in caption.webvtt
    assert "SRT, converti en WebVTT" in text(maker_client.get(url("manage", video)))


@pytest.mark.parametrize(
    ("data", "language", "other", "field", "words"),
    [
        (BROKEN_VTT, "fr", "", "file", "ligne vide manque"),
        (b"", "fr", "", "file", ""),
        (b"Du texte, pas des sous-titres.\n", "fr", "", "file", "WEBVTT"),
        (VTT, "other", "", "other_language", "Écrivez le code de la langue"),
        (VTT, "other", "Français!", "other_language", "n'est pas un code de langue"),
    ],
)
def test_bad_captions_are_shown_on_the_page_and_nothing_is_stored(
    maker_client, maker, data, language, other, field, words
):
    video = VideoFactory(host_organisation=maker.organisation)
    response = add_captions(maker_client, video, data, "fr.vtt", language=language, other=other)
    assert response.status_code == 200
    form = response.context["caption_form"]
    assert field in form.errors
    assert words in " ".join(form.errors[field])
    assert 'id="error-summary"' in response.content.decode()
    assert not Caption.objects.filter(video=video).exists()
    assert not VideoEvent.objects.filter(video=video, kind=VideoEventKind.CAPTIONS_SET).exists()


def test_the_error_of_a_malformed_file_names_its_line(maker_client, maker):
    video = VideoFactory(host_organisation=maker.organisation)
    response = add_captions(maker_client, video, BROKEN_VTT, "fr.vtt")
    assert re.search(r"[Ll]igne \d", " ".join(response.context["caption_form"].errors["file"]))


def test_captions_are_deleted_but_french_ones_stay_while_the_video_is_in_review(maker_client, maker):
    draft = VideoFactory(host_organisation=maker.organisation)
    CaptionFactory(video=draft, language="en", label="English")
    response = maker_client.post(url("caption_delete", draft, language="en"))
    assert response.status_code == 302
    assert not Caption.objects.filter(video=draft).exists()
    assert maker_client.post(url("caption_delete", draft, language="en")).status_code == 404

    in_review = VideoFactory(host_organisation=maker.organisation, in_review=True)
    CaptionFactory(video=in_review)
    manage_page = text(maker_client.get(url("manage", in_review)))
    assert "Obligatoires tant que la vidéo est publiée ou en validation" in manage_page
    refused = maker_client.post(url("caption_delete", in_review, language="fr"), follow=True)
    assert "Les sous-titres en français sont obligatoires" in text(refused)
    assert Caption.objects.filter(video=in_review, language="fr").exists()


# --- Poster ----------------------------------------------------------------------------------------------------


def test_a_poster_is_set_from_a_real_image(maker_client, maker):
    video = VideoFactory(host_organisation=maker.organisation)
    response = maker_client.post(url("poster", video), {"poster-file": SimpleUploadedFile("affiche.png", png())})
    assert response.status_code == 302
    video.refresh_from_db()
    assert video.poster_uploaded
    assert video.poster.endswith(".jpg")
    page = maker_client.get(url("manage", video))
    assert 'alt="Affiche actuelle de la vidéo"' in page.content.decode()
    assert "Nouvelle affiche." in text(page)


@pytest.mark.parametrize(
    ("name", "data", "pixels", "words"),
    [
        ("affiche.jpg", "Pas une image, du texte renommé.\n".encode() * 20, None, ""),
        ("bombe.png", png((200, 200)), 10_000, "trop grande"),
    ],
)
def test_a_bad_poster_is_refused_on_the_page(maker_client, maker, settings, name, data, pixels, words):
    if pixels:
        settings.MEDIA_IMAGE_MAX_PIXELS = pixels
    video = VideoFactory(host_organisation=maker.organisation)
    response = maker_client.post(url("poster", video), {"poster-file": SimpleUploadedFile(name, data)})
    assert response.status_code == 200
    errors = " ".join(response.context["poster_form"].errors["file"])
    assert errors
    assert words in errors
    video.refresh_from_db()
    assert (video.poster, video.poster_uploaded) == ("", False)


# --- Moves of the lifecycle ------------------------------------------------------------------------------------


def test_submitting_is_blocked_with_what_is_missing(maker_client, maker):
    video = VideoFactory(host_organisation=maker.organisation)
    response = maker_client.post(url("transition", video), {"transition-action": "submit"})
    assert response.status_code == 200
    errors = response.context["transition_form"].non_field_errors()
    assert "Les sous-titres en français manquent." in errors
    assert "La transcription manque." in errors
    assert "La transcription manque." in text(response)
    video.refresh_from_db()
    assert video.state == VideoState.DRAFT


def test_a_ready_draft_is_submitted_then_published_by_the_staff(client, maker):
    video = ready_draft(maker.organisation)
    client.force_login(maker.user)
    page = client.get(url("manage", video))
    assert page.context["actions"] == ["submit"]
    assert client.post(url("transition", video), {"transition-action": "submit"}).status_code == 302
    video.refresh_from_db()
    assert video.state == VideoState.IN_REVIEW

    # The makers may not publish: the button is not there, and the move is refused.
    assert client.get(url("manage", video)).context["actions"] == ["withdraw"]
    refused = client.post(url("transition", video), {"transition-action": "publish"})
    assert refused.status_code == 200
    assert "Cette action n'est pas possible pour cette vidéo, ou pas pour vous." in text(refused)
    video.refresh_from_db()
    assert video.state == VideoState.IN_REVIEW

    client.force_login(factories.UserFactory(staff=True))
    assert client.get(url("manage", video)).context["actions"] == ["publish", "reject", "withdraw"]
    response = client.post(url("transition", video), {"transition-action": "publish"})
    assert response["Location"] == reverse("videos:review")
    video.refresh_from_db()
    assert video.state == VideoState.PUBLISHED
    assert video.published_at is not None


def test_staff_reject_with_a_note_that_the_makers_then_read(client, maker):
    video = ready_draft(maker.organisation, state=VideoState.IN_REVIEW)
    client.force_login(factories.UserFactory(staff=True))
    without_note = client.post(url("transition", video), {"transition-action": "reject", "transition-note": "  "})
    assert without_note.status_code == 200
    assert "note" in without_note.context["transition_form"].errors
    video.refresh_from_db()
    assert video.state == VideoState.IN_REVIEW

    client.post(
        url("transition", video),
        {"transition-action": "reject", "transition-note": "Le son est trop faible au début."},
    )
    video.refresh_from_db()
    assert (video.state, video.moderation_note) == (VideoState.DRAFT, "Le son est trop faible au début.")

    client.force_login(maker.user)
    page = text(client.get(url("manage", video)))
    assert "La modération vous demande de modifier la vidéo" in page
    assert "Le son est trop faible au début." in page
    assert "Renvoi en brouillon par la modération" in page
    assert "Équipe de la plateforme" in page


def test_withdraw_and_reopen(maker_client, maker):
    video = ready_draft(maker.organisation, state=VideoState.PUBLISHED)
    maker_client.post(url("transition", video), {"transition-action": "withdraw"})
    video.refresh_from_db()
    assert video.state == VideoState.WITHDRAWN
    maker_client.post(url("transition", video), {"transition-action": "reopen"})
    video.refresh_from_db()
    assert video.state == VideoState.DRAFT


def test_the_api_still_refuses_the_moderations_moves_to_makers(maker_client, maker):
    video = ready_draft(maker.organisation, state=VideoState.IN_REVIEW)
    response = maker_client.post(
        reverse("videos:api-video-transition", kwargs={"pk": video.pk}),
        {"action": "publish"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert maker_client.get(reverse("videos:api-video-detail", kwargs={"pk": video.pk})).json()["allowed_actions"] == [
        "publish",
        "reject",
        "withdraw",
    ]


# --- The review queue ------------------------------------------------------------------------------------------


def test_the_review_queue_lists_videos_in_review_oldest_first(staff_client):
    second = VideoFactory(in_review=True, title="Envoyée ensuite")
    first = VideoFactory(in_review=True, title="Envoyée d'abord", by_association=True)
    Video.objects.filter(pk=first.pk).update(submitted_at=second.submitted_at.replace(year=2020))
    VideoFactory(title="Brouillon")
    VideoFactory(published=True, title="Publiée")

    response = staff_client.get(reverse("videos:review"))

    assert [video.title for video in response.context["videos"]] == ["Envoyée d'abord", "Envoyée ensuite"]
    content = response.content.decode()
    assert url("manage", first) in content
    assert first.association.name in text(response)
    assert "Brouillon" not in text(response)


def test_the_review_queue_costs_the_same_queries_for_two_videos_or_eight(staff_client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(reverse("videos:review")).status_code == 200
        return len(captured)

    VideoFactory.create_batch(2, in_review=True)
    few = queries()
    VideoFactory.create_batch(3, in_review=True)
    VideoFactory.create_batch(3, in_review=True, by_association=True)
    assert queries() == few
