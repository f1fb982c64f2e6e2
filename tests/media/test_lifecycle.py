"""Videos from draft to published and withdrawn: the captions rule, moderation, captions and posters."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from media import selectors, services
from media.enums import ProcessingStatus, VideoEventKind, VideoState
from media.models import Caption, Video
from tests import factories
from tests.media.factories import WEBVTT_FR, CaptionFactory, VideoFactory, VideoFileFactory

pytestmark = pytest.mark.django_db


def _transition(client, video, action, note=""):
    return client.post(
        reverse("videos:api-video-transition", kwargs={"pk": video.pk}),
        {"action": action, "note": note},
        content_type="application/json",
    )


def _ready(maker) -> Video:
    """A draft with everything publication needs."""
    video = VideoFactory(host_organisation=maker.organisation, processed=True, transcript="Bonjour.")
    VideoFileFactory(video=video)
    CaptionFactory(video=video)
    return video


def test_a_maker_creates_a_draft_through_the_api(maker_client, maker):
    response = maker_client.post(
        reverse("videos:api-video-create"),
        {
            "title": "  Un jour de chantier ",
            "sector": "F",
            "domain": "F16",
            "rome_code": "F1602",
            "level": "college",
            "tags": ["Chantier", "chantier", " électricité "],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["title"], body["state"], body["processing_status"]) == ("Un jour de chantier", "draft", "no_file")
    assert body["tags"] == ["chantier", "électricité"]
    assert body["host_organisation"] == maker.organisation.pk
    assert body["allowed_actions"] == ["submit"]
    assert len(body["publication_blockers"]) == 3


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"sector": "F", "domain": "Z99"}, "domaine professionnel"),
        ({"sector": "F", "domain": "H12"}, "secteur choisi"),
        ({"sector": "F", "rome_code": "F16"}, "code ROME"),
        ({"sector": "F", "rome_code": "H1602"}, "secteur choisi"),
    ],
)
def test_the_rome_taxonomy_is_checked(maker_client, fields, words):
    response = maker_client.post(
        reverse("videos:api-video-create"), {"title": "Titre", **fields}, content_type="application/json"
    )
    assert response.status_code == 400
    assert words in str(response.json()["fields"])
    assert not Video.objects.exists()


def test_a_maker_of_several_places_says_for_which(client, maker):
    factories.AssociationMembershipFactory(user=maker.user)
    client.force_login(maker.user)
    url = reverse("videos:api-video-create")
    response = client.post(url, {"title": "Titre", "sector": "F"}, content_type="application/json")
    assert response.status_code == 400
    response = client.post(
        url,
        {"title": "Titre", "sector": "F", "host_organisation": maker.organisation.pk},
        content_type="application/json",
    )
    assert response.status_code == 201
    other = factories.HostOrganisationFactory()
    response = client.post(
        url, {"title": "Titre", "sector": "F", "host_organisation": other.pk}, content_type="application/json"
    )
    assert response.status_code == 400


def test_no_submission_without_french_captions_a_transcript_and_a_processed_file(maker_client, maker):
    video = VideoFactory(host_organisation=maker.organisation)
    response = _transition(maker_client, video, "submit")
    assert response.status_code == 400
    messages = response.json()["fields"]["non_field_errors"]
    assert len(messages) == 3
    video.refresh_from_db()
    assert video.state == VideoState.DRAFT

    VideoFileFactory(video=video)
    Video.objects.filter(pk=video.pk).update(processing_status=ProcessingStatus.FAILED, transcript="Bonjour.")
    CaptionFactory(video=video, language="en", label="English")
    messages = _transition(maker_client, video, "submit").json()["fields"]["non_field_errors"]
    assert len(messages) == 2
    assert any("français" in message for message in messages)
    assert any("traitement" in message for message in messages)


def test_the_whole_lifecycle(client, maker):
    video = _ready(maker)
    moderator = factories.UserFactory(staff=True)
    client.force_login(maker.user)
    assert _transition(client, video, "publish").status_code == 403  # the moderation publishes
    assert _transition(client, video, "submit").json()["state"] == "in_review"
    client.force_login(moderator)
    body = _transition(client, video, "reject", "Le son est trop faible.").json()
    assert (body["state"], body["moderation_note"]) == ("draft", "Le son est trop faible.")
    client.force_login(maker.user)
    _transition(client, video, "submit")
    client.force_login(moderator)
    assert _transition(client, video, "publish").json()["state"] == "published"
    client.force_login(maker.user)
    assert _transition(client, video, "withdraw").json()["state"] == "withdrawn"
    assert _transition(client, video, "reopen").json()["state"] == "draft"
    kinds = list(video.events.values_list("kind", flat=True))
    assert kinds == [
        VideoEventKind.SUBMITTED,
        VideoEventKind.REJECTED,
        VideoEventKind.SUBMITTED,
        VideoEventKind.PUBLISHED,
        VideoEventKind.WITHDRAWN,
        VideoEventKind.REOPENED,
    ]


def test_publication_checks_again_what_changed_during_review(maker):
    video = _ready(maker)
    services.video_transition(video=video, by=maker.user, action="submit")
    Video.objects.filter(pk=video.pk).update(transcript="")
    with pytest.raises(services.VideoError, match="transcription"):
        services.video_transition(video=video, by=None, action="publish")


@pytest.mark.parametrize(
    ("state", "action"),
    [("draft", "publish"), ("draft", "withdraw"), ("published", "submit"), ("withdrawn", "publish")],
)
def test_moves_the_table_does_not_allow_are_refused(maker, state, action):
    video = _ready(maker)
    Video.objects.filter(pk=video.pk).update(state=state)
    with pytest.raises(services.VideoError) as refused:
        services.video_transition(video=video, by=None, action=action)
    assert refused.value.code == "invalid_state"


def test_the_french_captions_of_a_published_video_cannot_be_removed(maker):
    video = _ready(maker)
    Video.objects.filter(pk=video.pk).update(state=VideoState.PUBLISHED)
    with pytest.raises(services.VideoError, match="obligatoires"):
        services.caption_delete(caption=video.captions.get(), by=maker.user)
    english = CaptionFactory(video=video, language="en", label="English")
    services.caption_delete(caption=english, by=maker.user)
    assert list(video.captions.values_list("language", flat=True)) == ["fr"]


def _caption_upload(client, video, content: bytes, name="fr.srt", language="fr"):
    return client.post(
        reverse("videos:api-caption-create", kwargs={"pk": video.pk}),
        {"language": language, "file": SimpleUploadedFile(name, content)},
    )


def test_captions_are_uploaded_as_srt_and_served_as_webvtt(maker_client, maker):
    video = VideoFactory(host_organisation=maker.organisation, processed=True)
    response = _caption_upload(maker_client, video, b"1\n00:00:00,000 --> 00:00:00,900\nBonjour\n")
    assert response.status_code == 201, response.json()
    assert response.json()["source_format"] == "srt"
    track = maker_client.get(response.json()["url"])
    assert track["Content-Type"] == "text/vtt; charset=utf-8"
    assert track.content.decode() == "WEBVTT\n\n00:00:00.000 --> 00:00:00.900\nBonjour\n"
    # Sent again: replaced, not duplicated.
    _caption_upload(maker_client, video, WEBVTT_FR.encode(), name="fr.vtt")
    assert Caption.objects.get(video=video).source_format == "vtt"
    tracks = selectors.caption_tracks(video)
    assert tracks == [
        {"language": "fr", "label": "Français", "url": response.json()["url"], "default": True},
    ]


@pytest.mark.parametrize(
    ("content", "language", "words"),
    [
        (b"WEBVTT\n\n00:00.000 --> 00:05.000\nTrop long\n", "fr", "après la fin"),
        (b"WEBVTT\n\nnonsense\n", "fr", "Ligne"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "fr", "UTF-8"),
        (WEBVTT_FR.encode(), "Français", "code de langue"),
    ],
)
def test_malformed_captions_are_refused_and_nothing_is_stored(maker_client, maker, content, language, words):
    video = VideoFactory(host_organisation=maker.organisation, processed=True)
    response = _caption_upload(maker_client, video, content, name="fr.vtt", language=language)
    assert response.status_code == 400
    assert words in str(response.json()["fields"])
    assert not Caption.objects.exists()


def _png(size=(640, 360)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_uploaded_poster_is_kept_and_thumbnails_come_from_it(
    maker_client, maker, django_capture_on_commit_callbacks
):
    video = VideoFactory(host_organisation=maker.organisation)
    response = maker_client.post(
        reverse("videos:api-poster-create", kwargs={"pk": video.pk}),
        {"file": SimpleUploadedFile("affiche.png", _png())},
    )
    assert response.status_code == 200, response.json()
    video.refresh_from_db()
    assert video.poster_uploaded
    assert video.poster.endswith(".jpg")


def test_an_image_bomb_is_refused_as_a_poster(maker_client, maker, settings):
    settings.MEDIA_IMAGE_MAX_PIXELS = 10_000
    video = VideoFactory(host_organisation=maker.organisation)
    response = maker_client.post(
        reverse("videos:api-poster-create", kwargs={"pk": video.pk}),
        {"file": SimpleUploadedFile("affiche.png", _png())},
    )
    assert response.status_code == 400
    assert "trop grande" in str(response.json()["fields"])
    video.refresh_from_db()
    assert not video.poster


def test_a_renamed_text_file_is_refused_as_a_poster(maker_client, maker):
    video = VideoFactory(host_organisation=maker.organisation)
    response = maker_client.post(
        reverse("videos:api-poster-create", kwargs={"pk": video.pk}),
        {"file": SimpleUploadedFile("affiche.png", b"hello " * 100)},
    )
    assert response.status_code == 400
    assert "JPEG, PNG ou WebP" in str(response.json()["fields"])


def test_only_drafts_are_edited(maker_client, maker):
    video = VideoFactory(host_organisation=maker.organisation, published=True)
    response = maker_client.patch(
        reverse("videos:api-video-detail", kwargs={"pk": video.pk}),
        {"title": "Autre"},
        content_type="application/json",
    )
    assert response.status_code == 400
    draft = VideoFactory(host_organisation=maker.organisation)
    response = maker_client.patch(
        reverse("videos:api-video-detail", kwargs={"pk": draft.pk}),
        {"transcript": "Bonjour."},
        content_type="application/json",
    )
    assert response.json()["transcript"] == "Bonjour."


def test_the_catalogue_lists_published_videos_with_filters(db):
    college = VideoFactory(published=True, level="college", sector="F", job_title="Électricienne", duration=60)
    VideoFactory(published=True, level="lycee_pro", sector="J", title="Infirmier", duration=600)
    both = VideoFactory(published=True, level="all", sector="F", job_title="Maçon", duration=300)
    VideoFactory(sector="F")  # a draft
    assert set(selectors.published_videos()) == {college, both, *Video.objects.filter(sector="J")}
    assert set(selectors.published_videos(sector="F")) == {college, both}
    assert set(selectors.published_videos(level="college")) == {college, both}
    assert set(selectors.published_videos(max_duration=120)) == {college}
    assert set(selectors.published_videos(query="maçon")) == {both}


def test_platform_staff_look_at_videos_and_uploads_in_the_admin(client, maker):
    video = _ready(maker)
    client.force_login(factories.UserFactory(staff=True, is_superuser=True))
    for url in (
        reverse("admin:videos_video_changelist"),
        reverse("admin:videos_video_change", args=[video.pk]),
        reverse("admin:videos_uploadsession_changelist"),
    ):
        assert client.get(url).status_code == 200


def test_a_poster_over_the_size_limit_is_refused(maker_client, maker, settings):
    settings.MEDIA_MAX_IMAGE_BYTES = 100
    video = VideoFactory(host_organisation=maker.organisation)
    response = maker_client.post(
        reverse("videos:api-poster-create", kwargs={"pk": video.pk}),
        {"file": SimpleUploadedFile("affiche.png", _png())},
    )
    assert response.status_code == 400
    assert "taille permise" in str(response.json()["fields"])
