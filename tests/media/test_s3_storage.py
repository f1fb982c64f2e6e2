"""Video files in an S3-compatible bucket, tested without a network (no S3 server here, so no real round trip):

- the settings build django-storages' S3Storage from the environment, and the real settings module wires it into
  STORAGES and the Content-Security-Policy;
- boto3 signs URLs offline: the storage gives short-lived signed URLs on the endpoint, and the playback view
  redirects to them without letting anyone cache the redirect;
- the S3 requests our code makes (download for probing, upload, deletion) go through the real S3Storage with
  botocore's Stubber answering in place of the server;
- the whole upload → processing → playback path runs against `RemoteLikeStorage`, a storage with no local paths,
  so that the remote code paths run for real on bytes the test can check.
"""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import environ
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from storages.backends.s3 import S3Storage

from backend import settings as project_settings
from media import services
from media.enums import ProcessingStatus
from media.models import Thumbnail, VideoFile
from media.storage import (
    delete_after_commit,
    image_storage,
    local_copy,
    local_path,
    partial_dir,
    partial_path,
    store_video,
    video_storage,
)
from tests import factories
from tests.media.conftest import open_upload, put_chunk, upload_all
from tests.media.factories import VideoFactory, VideoFileFactory
from tests.media.remote_storage import BACKEND, RemoteLikeStorage

ROOT = Path(__file__).resolve().parents[2]
ENDPOINT = "https://s3.fr-par.scw.cloud"
S3_ENV = {
    "MEDIA_VIDEO_S3_BUCKET": "passerelle-videos",
    "MEDIA_VIDEO_S3_ENDPOINT_URL": ENDPOINT,
    "MEDIA_VIDEO_S3_REGION": "fr-par",
    "MEDIA_VIDEO_S3_ACCESS_KEY_ID": "SCWTESTKEYID",
    "MEDIA_VIDEO_S3_SECRET_ACCESS_KEY": "test-secret-not-a-real-one",
    "MEDIA_VIDEO_S3_URL_SECONDS": "600",
}


@pytest.fixture
def s3_env(monkeypatch):
    for name in [*S3_ENV, "MEDIA_VIDEO_S3_URL_SECONDS"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in S3_ENV.items():
        monkeypatch.setenv(name, value)
    return environ.Env()


@pytest.fixture
def s3_config(s3_env):
    return project_settings.s3_video_storage(s3_env)


@pytest.fixture
def s3_videos(settings, s3_config):
    """The video storage is the bucket, as in production with MEDIA_VIDEO_S3_BUCKET set."""
    settings.STORAGES = {**settings.STORAGES, "videos": s3_config}
    return video_storage()


# --- Settings ------------------------------------------------------------------------------------------------


def test_without_a_bucket_videos_stay_on_disk(monkeypatch):
    for name in S3_ENV:
        monkeypatch.delenv(name, raising=False)
    assert project_settings.s3_video_storage(environ.Env()) is None
    assert "videos" not in project_settings.STORAGES


def test_the_environment_gives_a_private_bucket_with_short_lived_signed_urls(s3_config):
    assert s3_config == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "passerelle-videos",
            "endpoint_url": ENDPOINT,
            "region_name": "fr-par",
            "addressing_style": "path",
            "signature_version": "s3v4",
            "querystring_auth": True,
            "querystring_expire": 600,
            "default_acl": None,
            "file_overwrite": False,
            "max_memory_size": 16 * 1024**2,
            "access_key": "SCWTESTKEYID",
            "secret_key": "test-secret-not-a-real-one",
        },
    }


def test_aws_needs_only_a_region_and_keys_may_come_from_boto3(monkeypatch, s3_env):
    for name in ("MEDIA_VIDEO_S3_ENDPOINT_URL", "MEDIA_VIDEO_S3_ACCESS_KEY_ID", "MEDIA_VIDEO_S3_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("MEDIA_VIDEO_S3_REGION", "eu-west-3")
    options = project_settings.s3_video_storage(s3_env)["OPTIONS"]
    assert options["endpoint_url"] == "https://s3.eu-west-3.amazonaws.com"
    assert "access_key" not in options
    assert "secret_key" not in options


@pytest.mark.parametrize("seconds", ["0", "59", "604801"])
def test_a_signed_url_lifetime_out_of_bounds_is_refused(monkeypatch, s3_env, seconds):
    monkeypatch.setenv("MEDIA_VIDEO_S3_URL_SECONDS", seconds)
    with pytest.raises(ImproperlyConfigured, match="MEDIA_VIDEO_S3_URL_SECONDS"):
        project_settings.s3_video_storage(s3_env)


def test_the_settings_module_wires_the_bucket_into_storages_and_the_csp(s3_env):
    """The real backend/settings.py, loaded in a fresh process with the bucket's variables."""
    program = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({'videos': settings.STORAGES['videos'], "
        "'media_src': settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['media-src']}))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "backend.settings"}
    result = subprocess.run(  # noqa: S603 (our own interpreter, a fixed program)
        [sys.executable, "-c", program], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["videos"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert loaded["videos"]["OPTIONS"]["bucket_name"] == "passerelle-videos"
    assert loaded["media_src"] == ["'self'", ENDPOINT]


# --- Signed URLs and playback ----------------------------------------------------------------------------------


def test_the_bucket_gives_signed_urls_on_the_endpoint_that_expire(s3_videos):
    assert isinstance(s3_videos, S3Storage)
    assert local_path(s3_videos, "abc/file.mp4") is None  # remote: the code never asks for a path
    url = urlsplit(s3_videos.url("0b5f/upload.mp4"))
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}" == ENDPOINT
    assert url.path == "/passerelle-videos/0b5f/upload.mp4"
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["600"]
    assert query["X-Amz-Credential"][0].startswith("SCWTESTKEYID/")
    assert query["X-Amz-Credential"][0].endswith("/fr-par/s3/aws4_request")
    assert len(query["X-Amz-Signature"][0]) == 64
    # The origin the settings add to the CSP's media-src is the one the player is sent to.
    assert project_settings.url_origin(s3_videos.url("x.mp4")) == ENDPOINT


@pytest.mark.django_db
def test_playback_redirects_to_a_signed_url_that_nobody_caches(client, s3_videos):
    video = VideoFactory(published=True)
    stored = VideoFileFactory(video=video, storage_name=f"{video.uuid}/upload.mp4")
    client.force_login(factories.UserFactory())
    response = client.get(reverse("videos:file", kwargs={"pk": video.pk}))
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{ENDPOINT}/passerelle-videos/{stored}"
    assert parse_qs(location.query)["X-Amz-Expires"] == ["600"]


@pytest.mark.django_db
def test_no_signed_url_for_someone_who_may_not_watch(client, s3_videos):
    draft = VideoFactory()
    VideoFileFactory(video=draft, storage_name=f"{draft.uuid}/upload.mp4")
    client.force_login(factories.UserFactory())
    response = client.get(reverse("videos:file", kwargs={"pk": draft.pk}))
    assert response.status_code == 404
    assert "Location" not in response


# --- The requests our code makes to the bucket (botocore's Stubber in place of the server) ---------------------


@pytest.fixture
def stub(s3_videos):
    with Stubber(s3_videos.connection.meta.client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def test_probing_downloads_the_object_into_a_local_file_and_removes_it(s3_videos, stub):
    data = os.urandom(300_000)
    head = {"ContentLength": len(data), "ETag": '"e"'}
    stub.add_response("head_object", head, {"Bucket": "passerelle-videos", "Key": "abc/upload.mp4"})  # open()
    stub.add_response("head_object", head, None)  # boto3's download asks the size again
    body = StreamingBody(io.BytesIO(data), len(data))
    stub.add_response("get_object", {"Body": body, "ContentLength": len(data), "ETag": '"e"'}, None)
    with local_copy(s3_videos, "abc/upload.mp4") as path:
        assert path.parent == partial_dir()
        assert path.read_bytes() == data
    assert not path.exists()


def test_an_accepted_upload_is_sent_to_the_bucket_and_its_chunk_file_removed(s3_videos, stub, tmp_path):
    source = tmp_path / "session.part"
    source.write_bytes(b"\x00" * 1000)
    key = "abc/session.mp4"
    # file_overwrite is off: the storage first checks that the name is free.
    stub.add_client_error("head_object", service_error_code="404", http_status_code=404)
    stub.add_response(
        "put_object",
        {"ETag": '"e"'},
        {"Bucket": "passerelle-videos", "Key": key, "Body": ANY, "ContentType": "video/mp4", "ChecksumAlgorithm": ANY},
    )
    assert store_video(source, key) == key
    assert not source.exists()


@pytest.mark.django_db
def test_files_are_deleted_from_the_bucket_after_commit(s3_videos, stub, django_capture_on_commit_callbacks, caplog):
    caplog.set_level(logging.INFO, logger="media.storage")
    bucket = "passerelle-videos"
    with django_capture_on_commit_callbacks() as callbacks:
        delete_after_commit(s3_videos, ["abc/upload.mp4", "abc/gone.mp4"], folder="abc")
    # Nothing is asked of the bucket before the commit.
    stub.add_response(
        "list_objects",
        {"Contents": [{"Key": "abc/upload.mp4"}, {"Key": "abc/left-over.mp4"}], "CommonPrefixes": []},
        {"Bucket": bucket, "Delimiter": "/", "Prefix": "abc/"},
    )
    for key, found in (("abc/upload.mp4", True), ("abc/gone.mp4", False), ("abc/left-over.mp4", True)):
        if found:
            stub.add_response("head_object", {"ContentLength": 1}, {"Bucket": bucket, "Key": key})
            stub.add_response("delete_object", {}, {"Bucket": bucket, "Key": key})
        else:
            stub.add_client_error("head_object", service_error_code="404", http_status_code=404)
    for callback in callbacks:
        callback()
    assert "stored file already gone name=abc/gone.mp4" in caplog.messages


# --- A storage without local paths, end to end -----------------------------------------------------------------


@pytest.fixture
def remote(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "videos": {"BACKEND": BACKEND, "OPTIONS": {"location": tmp_path / "b"}}}
    RemoteLikeStorage.saved.clear()
    return video_storage()


@pytest.mark.django_db
def test_an_upload_is_saved_to_a_remote_storage_and_processed_from_a_copy(
    maker, maker_client, sample, remote, settings, django_capture_on_commit_callbacks
):
    draft = VideoFactory(host_organisation=maker.organisation)
    data = sample("h264").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload_all(maker_client, draft, data, chunk=len(data))
    assert response.status_code == 200, response.json()
    upload_id = response.json()["id"]

    stored = VideoFile.objects.get(video=draft)
    with remote.open(stored.storage_name) as handle:
        assert handle.read() == data
    # Saved through the storage from the file on disk (read in chunks), not handed over as bytes in memory.
    (saved,) = RemoteLikeStorage.saved
    assert saved["from_file"]
    # The chunk file and the probing copy are gone; nothing was written where a local video storage would be.
    assert not partial_path(upload_id).exists()
    assert list(partial_dir().iterdir()) == []
    assert not Path(settings.MEDIA_VIDEO_ROOT).exists()

    draft.refresh_from_db()
    assert draft.processing_status == ProcessingStatus.SUCCEEDED
    assert image_storage().exists(draft.poster)
    assert Thumbnail.objects.filter(video=draft).count() == 2


@pytest.mark.django_db
def test_a_new_upload_on_a_remote_storage_deletes_the_old_file_after_commit(
    maker, maker_client, sample, remote, django_capture_on_commit_callbacks
):
    draft = VideoFactory(host_organisation=maker.organisation)
    first = sample("h264").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        upload_all(maker_client, draft, first, chunk=len(first))
    old_name = VideoFile.objects.get(video=draft).storage_name
    second = sample("h264_silent").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        upload_all(maker_client, draft, second, chunk=len(second))
    new_name = VideoFile.objects.get(video=draft).storage_name
    assert new_name != old_name
    assert not remote.exists(old_name)
    with remote.open(new_name) as handle:
        assert handle.read() == second


@pytest.mark.django_db
def test_playback_redirects_to_the_remote_storage(client, remote):
    video = VideoFactory(published=True)
    stored = VideoFileFactory(video=video, storage_name=f"{video.uuid}/upload.mp4")
    client.force_login(factories.UserFactory())
    response = client.get(reverse("videos:file", kwargs={"pk": video.pk}))
    assert response.status_code == 302
    assert response["Location"] == f"https://bucket.example/{stored}?signature=test"
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_a_file_missing_from_a_remote_storage_fails_the_processing_with_a_reason(remote):
    video = VideoFactory()
    VideoFileFactory(video=video, storage_name=f"{video.uuid}/gone.mp4")
    assert services.video_process(video_id=video.pk) == "failed"
    video.refresh_from_db()
    assert video.processing_status == ProcessingStatus.FAILED
    assert video.processing_failure
    assert list(partial_dir().iterdir()) == []


@pytest.mark.django_db
def test_a_storage_out_of_reach_is_an_oserror_for_the_tasks_retries(remote, monkeypatch):
    """boto3 raises its own errors; the processing task is retried on OSError (backend.celery.RETRIED)."""

    def unreachable(self, name, mode="rb"):
        raise RuntimeError("Could not connect to the endpoint URL")

    monkeypatch.setattr(RemoteLikeStorage, "_open", unreachable)
    video = VideoFactory()
    VideoFileFactory(video=video, storage_name=f"{video.uuid}/upload.mp4")
    with pytest.raises(OSError, match="Could not connect"):
        services.video_process(video_id=video.pk)
    assert list(partial_dir().iterdir()) == []


@pytest.mark.django_db
def test_when_the_storage_fails_the_last_chunk_can_be_sent_again(
    maker, maker_client, sample, remote, monkeypatch, django_capture_on_commit_callbacks
):
    draft = VideoFactory(host_organisation=maker.organisation)
    data = sample("h264").read_bytes()
    upload = open_upload(maker_client, draft, data)
    assert put_chunk(maker_client, upload["id"], data[:1000], 0, len(data)).status_code == 200

    def unreachable(self, name, content):
        raise ConnectionError("bucket out of reach")

    with monkeypatch.context() as patch:
        patch.setattr(RemoteLikeStorage, "_save", unreachable)
        with pytest.raises(ConnectionError):
            put_chunk(maker_client, upload["id"], data[1000:], 1000, len(data))
    # Rolled back: the offset did not move, and the chunk file is still there.
    assert maker_client.get(reverse("videos:api-upload-detail", kwargs={"pk": upload["id"]})).json()["offset"] == 1000
    assert partial_path(upload["id"]).exists()
    assert not VideoFile.objects.filter(video=draft).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = put_chunk(maker_client, upload["id"], data[1000:], 1000, len(data))
    assert response.json()["status"] == "complete"
    with remote.open(VideoFile.objects.get(video=draft).storage_name) as handle:
        assert handle.read() == data


@pytest.mark.django_db
def test_a_file_the_storage_fails_to_delete_is_logged_and_the_others_still_go(
    remote, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    for name in ("abc/first.mp4", "abc/stuck.mp4", "abc/last.mp4"):
        remote.save(name, io.BytesIO(b"x"))
    real_delete = RemoteLikeStorage.delete

    def failing(self, name):
        if name == "abc/stuck.mp4":
            raise ConnectionError("bucket out of reach")
        real_delete(self, name)

    monkeypatch.setattr(RemoteLikeStorage, "delete", failing)
    with django_capture_on_commit_callbacks(execute=True):
        delete_after_commit(remote, ["abc/first.mp4", "abc/stuck.mp4", "abc/last.mp4"])
    assert [remote.exists(name) for name in ("abc/first.mp4", "abc/stuck.mp4", "abc/last.mp4")] == [False, True, False]
    (record,) = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert record.getMessage() == "stored file not deleted name=abc/stuck.mp4"
