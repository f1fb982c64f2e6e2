"""Serving a video's file with HTTP Range, case by case, and its caption tracks."""

import pytest
from asgiref.sync import async_to_sync
from django.core.files.base import ContentFile
from django.test import AsyncClient
from django.urls import reverse

from media.enums import VideoState
from media.models import Video
from media.storage import video_storage
from tests import factories
from tests.media.factories import CaptionFactory, VideoFactory, VideoFileFactory

pytestmark = pytest.mark.django_db

DATA = bytes(range(256)) * 40  # 10 240 bytes
SIZE = len(DATA)


@pytest.fixture
def video(maker):
    video = VideoFactory(host_organisation=maker.organisation, published=True)
    name = video_storage().save(f"{video.uuid}/file.mp4", ContentFile(DATA))
    VideoFileFactory(video=video, storage_name=name, size=SIZE)
    CaptionFactory(video=video)
    return video


@pytest.fixture
def viewer(client, db):
    client.force_login(factories.UserFactory())
    return client


def _get(client, video, method="get", **headers):
    return getattr(client, method)(reverse("videos:file", kwargs={"pk": video.pk}), headers=headers)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_whole_file_says_it_accepts_ranges(viewer, video):
    response = _get(viewer, video)
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Length"] == str(SIZE)
    assert response["ETag"].startswith('"')
    assert "Last-Modified" in response
    assert response.streaming
    assert _body(response) == DATA


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, SIZE - 1),
        ("bytes=-100", SIZE - 100, SIZE - 1),
        ("bytes=-999999", 0, SIZE - 1),
        ("bytes=10000-99999", 10000, SIZE - 1),
        ("bytes=5000-5000", 5000, 5000),
    ],
)
def test_one_range_gets_206_with_content_range(viewer, video, header, start, end):
    response = _get(viewer, video, Range=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{SIZE}"
    assert response["Content-Length"] == str(end - start + 1)
    assert _body(response) == DATA[start : end + 1]


@pytest.mark.parametrize("header", [f"bytes={SIZE}-", "bytes=99999-100000", "bytes=-0"])
def test_an_unsatisfiable_range_gets_416_with_the_size(viewer, video, header):
    response = _get(viewer, video, Range=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "bytes=5-2", "bytes=abc", "lines=1-2", "bytes="])
def test_several_or_senseless_ranges_get_the_whole_file(viewer, video, header):
    response = _get(viewer, video, Range=header)
    assert response.status_code == 200
    assert "Content-Range" not in response
    assert _body(response) == DATA


def test_if_range(viewer, video):
    first = _get(viewer, video)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    _body(first)
    for validator in (etag, last_modified):
        response = _get(viewer, video, Range="bytes=0-9", **{"If-Range": validator})
        assert response.status_code == 206
        assert _body(response) == DATA[:10]
    for stale in ('"other"', f"W/{etag}", "Thu, 01 Jan 2026 00:00:00 GMT"):
        response = _get(viewer, video, Range="bytes=0-9", **{"If-Range": stale})
        assert response.status_code == 200
        assert _body(response) == DATA


def test_a_cached_copy_is_confirmed_with_304(viewer, video):
    etag = _get(viewer, video)["ETag"]
    response = _get(viewer, video, **{"If-None-Match": etag})
    assert response.status_code == 304


def test_head_gives_the_headers_without_the_body(viewer, video):
    response = _get(viewer, video, method="head")
    assert response.status_code == 200
    assert response["Content-Length"] == str(SIZE)
    assert response["Accept-Ranges"] == "bytes"
    assert response.content == b""
    response = _get(viewer, video, method="head", Range="bytes=-10")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {SIZE - 10}-{SIZE - 1}/{SIZE}"


def test_writes_are_not_allowed(viewer, video):
    assert viewer.post(reverse("videos:file", kwargs={"pk": video.pk})).status_code == 405


def test_under_asgi_the_file_streams_asynchronously(video):
    user = factories.UserFactory()

    async def scenario():
        client = AsyncClient()
        await client.aforce_login(user)
        response = await client.get(reverse("videos:file", kwargs={"pk": video.pk}), headers={"Range": "bytes=10-"})
        assert response.status_code == 206
        assert response.is_async
        return b"".join([chunk async for chunk in response.streaming_content])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("media.views.playback.BLOCK", 1000)  # several blocks
        assert async_to_sync(scenario)() == DATA[10:]


def test_drafts_are_for_their_makers_only(client, maker, video):
    Video.objects.filter(pk=video.pk).update(state=VideoState.DRAFT)
    client.force_login(factories.UserFactory())
    assert _get(client, video).status_code == 404
    assert client.get(reverse("videos:caption", kwargs={"pk": video.pk, "language": "fr"})).status_code == 404
    client.force_login(maker.user)
    assert _get(client, video).status_code == 200
    client.force_login(factories.UserFactory(staff=True))
    assert _get(client, video).status_code == 200


def test_anonymous_people_are_sent_to_sign_in(client, video):
    assert _get(client, video).status_code == 302


def test_a_video_without_its_file_is_404(viewer, video):
    video_storage().delete(video.file.storage_name)
    assert _get(viewer, video).status_code == 404
    other = VideoFactory(published=True)
    assert _get(viewer, other).status_code == 404


def test_production_hands_the_file_to_the_web_server(viewer, video, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-videos/"
    response = _get(viewer, video, Range="bytes=0-1")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-videos/{video.file.storage_name}"
    assert response.content == b""


def test_caption_tracks_are_text_vtt(viewer, video):
    response = viewer.get(reverse("videos:caption", kwargs={"pk": video.pk, "language": "fr"}))
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    assert response.content.decode().startswith("WEBVTT")
    assert viewer.get(reverse("videos:caption", kwargs={"pk": video.pk, "language": "en"})).status_code == 404
