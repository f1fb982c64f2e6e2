"""Chunked, resumable uploads through the API, and what the server keeps of valid and invalid files."""

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from media.enums import ProcessingStatus, UploadStatus
from media.models import Thumbnail, UploadSession, VideoFile
from media.storage import image_storage, partial_path, video_storage
from tests import factories
from tests.media.conftest import open_upload, put_chunk, sha256, upload_all
from tests.media.factories import VideoFactory

pytestmark = pytest.mark.django_db


def _stored_bytes(stored) -> bytes:
    with video_storage().open(stored.storage_name) as handle:
        return handle.read()


@pytest.fixture
def draft(maker):
    return VideoFactory(host_organisation=maker.organisation)


def test_a_video_arrives_in_chunks_and_is_processed(maker_client, draft, sample, django_capture_on_commit_callbacks):
    data = sample("h264").read_bytes()
    upload = open_upload(maker_client, draft, data, sha256=sha256(data))
    assert upload["offset"] == 0
    assert upload["status"] == "receiving"
    chunks = [(start, data[start : start + 1500]) for start in range(0, len(data), 1500)]
    for start, chunk in chunks[:-1]:
        response = put_chunk(maker_client, upload["id"], chunk, start, len(data))
        assert response.status_code == 200
        assert response.json()["offset"] == start + len(chunk)
        assert response["Upload-Offset"] == str(start + len(chunk))
    with django_capture_on_commit_callbacks(execute=True):
        start, chunk = chunks[-1]
        response = put_chunk(maker_client, upload["id"], chunk, start, len(data))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "complete"

    stored = VideoFile.objects.get(video=draft)
    assert (stored.container, stored.video_codec, stored.audio_codec, stored.size) == ("mp4", "h264", "aac", len(data))
    assert _stored_bytes(stored) == data
    assert not partial_path(upload["id"]).exists()
    draft.refresh_from_db()
    assert draft.processing_status == ProcessingStatus.SUCCEEDED
    assert draft.duration == pytest.approx(1.0, abs=0.05)
    assert draft.poster
    assert image_storage().exists(draft.poster)
    assert set(Thumbnail.objects.filter(video=draft).values_list("width", "format")) == {(160, "webp"), (160, "jpeg")}

    detail = maker_client.get(reverse("videos:api-video-detail", kwargs={"pk": draft.pk})).json()
    assert detail["processing_status"] == "succeeded"
    assert detail["file"]["video_codec"] == "h264"
    assert set(detail["thumbnails"]) == {"webp", "jpeg"}


def test_a_webm_without_hash_is_accepted(maker_client, draft, sample):
    response = upload_all(maker_client, draft, sample("vp9").read_bytes(), chunk=100_000)
    assert response.status_code == 200
    assert VideoFile.objects.get(video=draft).content_type == "video/webm"


def test_a_dropped_connection_is_resumed_from_the_offset(maker_client, draft, sample):
    data = sample("h264_silent").read_bytes()
    upload = open_upload(maker_client, draft, data)
    assert put_chunk(maker_client, upload["id"], data[:1000], 0, len(data)).status_code == 200
    # The next chunk was lost on the way; the client asks where to resume.
    status = maker_client.get(reverse("videos:api-upload-detail", kwargs={"pk": upload["id"]}))
    assert status.json()["offset"] == 1000
    assert status["Upload-Offset"] == "1000"
    assert put_chunk(maker_client, upload["id"], data[1000:], 1000, len(data)).json()["status"] == "complete"
    assert _stored_bytes(VideoFile.objects.get(video=draft)) == data


def test_a_chunk_sent_twice_or_out_of_order_gets_409_and_the_offset(maker_client, draft, sample):
    data = sample("h264").read_bytes()
    upload = open_upload(maker_client, draft, data)
    put_chunk(maker_client, upload["id"], data[:1000], 0, len(data))
    for start in (0, 500, 2000):  # again, overlapping, a gap
        response = put_chunk(maker_client, upload["id"], data[start : start + 500], start, len(data))
        assert response.status_code == 409
        assert response.json()["code"] == "offset_mismatch"
        assert response.json()["offset"] == 1000
        assert response["Upload-Offset"] == "1000"
    assert UploadSession.objects.get(pk=upload["id"]).bytes_received == 1000
    assert partial_path(upload["id"]).stat().st_size == 1000


def test_a_short_chunk_is_refused_and_the_offset_stays(maker_client, draft, sample):
    data = sample("h264").read_bytes()
    upload = open_upload(maker_client, draft, data)
    url = reverse("videos:api-upload-detail", kwargs={"pk": upload["id"]})
    response = maker_client.put(
        url,
        data=data[:500],
        content_type="application/octet-stream",
        headers={"Content-Range": f"bytes 0-999/{len(data)}"},
    )
    assert response.status_code == 400
    assert "longueur" in response.json()["fields"]["non_field_errors"][0]
    assert UploadSession.objects.get(pk=upload["id"]).bytes_received == 0
    assert partial_path(upload["id"]).stat().st_size == 0


@pytest.mark.parametrize(
    "content_range",
    ["", "bytes 0-9", "bytes=0-9/100", "bytes 9-0/{size}", "bytes 0-9/*"],
)
def test_a_chunk_without_a_valid_content_range_is_refused(maker_client, draft, sample, content_range):
    data = sample("h264").read_bytes()
    upload = open_upload(maker_client, draft, data)
    response = maker_client.put(
        reverse("videos:api-upload-detail", kwargs={"pk": upload["id"]}),
        data=data[:10],
        content_type="application/octet-stream",
        headers={"Content-Range": content_range.format(size=len(data))},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_a_total_that_is_not_the_declared_size_is_refused(maker_client, draft, sample):
    data = sample("h264").read_bytes()
    upload = open_upload(maker_client, draft, data)
    response = put_chunk(maker_client, upload["id"], data[:10], 0, len(data) + 1)
    assert response.status_code == 400
    assert "taille totale" in response.json()["fields"]["non_field_errors"][0]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("text", "pas une vidéo lisible"),
        ("truncated", "pas une vidéo lisible"),
        ("truncated_faststart", "incomplet"),
        ("mpeg4", "Réencodez-la en H.264"),
    ],
)
def test_invalid_files_are_refused_and_nothing_is_kept(maker_client, draft, sample, name, words):
    response = upload_all(maker_client, draft, sample(name).read_bytes())
    assert response.status_code == 422
    assert response.json()["code"] == "media_refused"
    assert words in response.json()["detail"]
    session = UploadSession.objects.get(video=draft)
    assert session.status == UploadStatus.REFUSED
    assert words in session.failure
    assert not partial_path(session.pk).exists()
    assert not VideoFile.objects.filter(video=draft).exists()
    assert not [path for path in Path(video_storage().location).glob("**/*") if path.is_file()]
    draft.refresh_from_db()
    assert draft.processing_status == ProcessingStatus.NO_FILE
    # The refused upload takes no more chunks.
    again = put_chunk(maker_client, session.pk, b"x", 0, session.declared_size)
    assert again.status_code == 409
    assert again.json()["code"] == "upload_closed"


def test_a_file_that_does_not_match_its_hash_is_refused(maker_client, draft, sample):
    data = sample("h264").read_bytes()
    upload = open_upload(maker_client, draft, data, sha256="0" * 64)
    response = put_chunk(maker_client, upload["id"], data, 0, len(data))
    assert response.status_code == 422
    assert "empreinte" in response.json()["detail"]


@pytest.mark.parametrize(
    ("size", "words"),
    [(0, "size"), (-5, "size"), (2001, "taille permise")],
)
def test_sizes_outside_the_limits_are_refused_before_anything_is_sent(maker_client, draft, settings, size, words):
    settings.MEDIA_MAX_UPLOAD_BYTES = 2000
    response = maker_client.post(
        reverse("videos:api-upload-create"),
        {"video": draft.pk, "filename": "film.mp4", "size": size},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert words in str(response.json()["fields"])
    assert not UploadSession.objects.exists()


def test_a_zero_byte_file_is_refused(maker_client, draft):
    response = maker_client.post(
        reverse("videos:api-upload-create"),
        {"video": draft.pk, "filename": "vide.mp4", "size": 0},
        content_type="application/json",
    )
    assert response.status_code == 400


def test_uploads_are_for_drafts_one_manages(maker_client, maker, sample):
    other = VideoFactory()
    published = VideoFactory(host_organisation=maker.organisation, published=True)
    for video, words in ((other, "Vidéo inconnue"), (published, "brouillon")):
        response = maker_client.post(
            reverse("videos:api-upload-create"),
            {"video": video.pk, "filename": "film.mp4", "size": 100},
            content_type="application/json",
        )
        assert response.status_code == 400
        assert words in str(response.json()["fields"])


def test_an_upload_is_its_owners_only(client, maker, draft, sample):
    colleague = factories.OrganisationMembershipFactory(organisation=maker.organisation, professional=True).user
    client.force_login(maker.user)
    data = sample("h264").read_bytes()
    upload = open_upload(client, draft, data)
    client.force_login(colleague)
    assert put_chunk(client, upload["id"], data[:10], 0, len(data)).status_code == 404
    assert client.get(reverse("videos:api-upload-detail", kwargs={"pk": upload["id"]})).status_code == 404


def test_a_new_upload_replaces_the_one_left_open(maker_client, draft, sample):
    data = sample("h264").read_bytes()
    first = open_upload(maker_client, draft, data)
    put_chunk(maker_client, first["id"], data[:100], 0, len(data))
    second = open_upload(maker_client, draft, data)
    assert UploadSession.objects.get(pk=first["id"]).status == UploadStatus.EXPIRED
    assert put_chunk(maker_client, first["id"], data[100:200], 100, len(data)).status_code == 409
    assert put_chunk(maker_client, second["id"], data, 0, len(data)).json()["status"] == "complete"


def test_an_expired_upload_takes_no_chunk(maker_client, draft, sample):
    data = sample("h264").read_bytes()
    upload = open_upload(maker_client, draft, data)
    UploadSession.objects.filter(pk=upload["id"]).update(expires_at="2000-01-01T00:00:00Z")
    response = put_chunk(maker_client, upload["id"], data, 0, len(data))
    assert response.status_code == 409
    assert response.json()["code"] == "upload_expired"


def test_a_second_file_replaces_the_first(maker_client, draft, sample, django_capture_on_commit_callbacks):
    upload_all(maker_client, draft, sample("h264").read_bytes(), chunk=100_000)
    first_name = VideoFile.objects.get(video=draft).storage_name
    with django_capture_on_commit_callbacks(execute=True):
        upload_all(maker_client, draft, sample("vp9").read_bytes(), chunk=100_000)
    stored = VideoFile.objects.get(video=draft)
    assert stored.container == "webm"
    assert not video_storage().exists(first_name)


def test_pupils_and_people_without_a_maker_cannot_upload(client, db, draft):
    for user in (factories.UserFactory(), factories.UserFactory(pupil=True)):
        client.force_login(user)
        response = client.post(
            reverse("videos:api-upload-create"),
            {"video": draft.pk, "filename": "film.mp4", "size": 100},
            content_type="application/json",
        )
        assert response.status_code == 403


def test_a_chunk_over_the_chunk_limit_is_refused(maker_client, draft, sample, settings):
    settings.MEDIA_UPLOAD_CHUNK_MAX_BYTES = 1024 * 1024
    data = sample("h264").read_bytes()
    upload = open_upload(maker_client, draft, data)
    assert upload["max_chunk_size"] == 1024 * 1024
    settings.MEDIA_UPLOAD_CHUNK_MAX_BYTES = 1000
    response = put_chunk(maker_client, upload["id"], data[:1001], 0, len(data))
    assert response.status_code == 400
    assert UploadSession.objects.get(pk=upload["id"]).bytes_received == 0


def test_a_browser_chunk_needs_the_csrf_token(db, maker, draft, sample):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(maker.user)
    data = sample("h264").read_bytes()
    created = browser.post(
        reverse("videos:api-upload-create"),
        {"video": draft.pk, "filename": "film.mp4", "size": len(data)},
        content_type="application/json",
    )
    assert created.status_code == 403  # no token
    session = UploadSession.objects.create(
        video=draft, owner=maker.user, filename="film.mp4", declared_size=len(data), expires_at="2100-01-01T00:00:00Z"
    )
    assert put_chunk(browser, session.pk, data, 0, len(data)).status_code == 403
    browser.get(reverse("api:docs"))  # a page of the site hands out the CSRF cookie
    token = browser.cookies["csrftoken"]
    response = browser.put(
        reverse("videos:api-upload-detail", kwargs={"pk": session.pk}),
        data=data,
        content_type="application/octet-stream",
        headers={"Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}", "X-CSRFToken": token.value},
    )
    assert response.status_code == 200, response.content
