"""Deleting a video: the rows at once, the stored files after commit (never when the transaction rolls back),
refusals by state and person, the confirmation page and the API's DELETE."""

import io
import logging
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from media import probing, services
from media.enums import VideoState
from media.models import (
    Caption,
    Playlist,
    PlaylistItem,
    Thumbnail,
    UploadSession,
    Video,
    VideoEvent,
    VideoFile,
    WatchProgress,
)
from media.storage import image_storage, local_path, partial_path, video_storage
from tests import factories
from tests.media.factories import CaptionFactory, UploadSessionFactory, VideoFactory, VideoFileFactory

pytestmark = pytest.mark.django_db


def _store(video: Video, sample, name="h264") -> VideoFile:
    with sample(name).open("rb") as handle:
        stored = video_storage().save(f"{video.uuid}/file.mp4", handle)
    return VideoFileFactory(video=video, storage_name=stored)


def _make_full(video: Video, sample, owner) -> Video:
    """Everything a video can have: its file, the poster and thumbnails of a real processing, captions, history,
    an upload in progress with its chunk file, a place in a teacher's playlist, a pupil's watch progress."""
    _store(video, sample)
    assert services.video_process(video_id=video.pk) == "succeeded"
    CaptionFactory(video=video)
    session = UploadSessionFactory(video=video, owner=owner)
    partial_path(session.pk).write_bytes(b"half a video")
    teacher = factories.UserFactory()
    playlist = Playlist.objects.create(owner=teacher, title="Les métiers du bâtiment")
    PlaylistItem.objects.create(playlist=playlist, video=video)
    WatchProgress.objects.create(video=video, user=factories.UserFactory(pupil=True), played_seconds=0.5)
    video.refresh_from_db()
    return video


def _files_of(video: Video) -> list[Path]:
    thumbnails = Thumbnail.objects.filter(video=video).values_list("storage_name", flat=True)
    paths = [
        local_path(video_storage(), VideoFile.objects.get(video=video).storage_name),
        local_path(image_storage(), video.poster),
        *(local_path(image_storage(), name) for name in thumbnails),
        *(partial_path(pk) for pk in UploadSession.objects.filter(video=video).values_list("pk", flat=True)),
    ]
    assert len(paths) == 5  # file, poster, two thumbnails, one chunk file
    return paths


@pytest.fixture
def full_draft(maker, sample):
    return _make_full(VideoFactory(host_organisation=maker.organisation), sample, maker.user)


# --- The service ---------------------------------------------------------------------------------------------


def test_deleting_a_draft_removes_its_rows_then_its_files_after_commit(
    full_draft, maker, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.INFO, logger="media.services")
    files = _files_of(full_draft)
    assert all(path.exists() for path in files)
    pk, uuid = full_draft.pk, full_draft.uuid
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.video_delete(video=full_draft, actor=maker.user)
        assert all(path.exists() for path in files), "files deleted before the commit"
    assert callbacks

    assert not Video.objects.filter(pk=pk).exists()
    for model in (VideoFile, Caption, Thumbnail, UploadSession, VideoEvent, PlaylistItem, WatchProgress):
        assert not model.objects.filter(video_id=pk).exists(), model.__name__
    assert Playlist.objects.count() == 1  # the teacher's playlist stays, without the video
    assert [path for path in files if path.exists()] == []
    # The video's folders go too.
    assert not (Path(django_settings.MEDIA_VIDEO_ROOT) / str(uuid)).exists()
    assert not (Path(django_settings.MEDIA_ROOT) / "videos" / str(uuid)).exists()
    (record,) = [record for record in caplog.records if record.getMessage().startswith("video deleted")]
    assert record.levelno == logging.INFO
    assert f"video={pk} " in record.getMessage()
    assert f"actor={maker.user.pk}" in record.getMessage()


def test_nothing_is_deleted_when_the_transaction_rolls_back(full_draft, maker, django_capture_on_commit_callbacks):
    files = _files_of(full_draft)

    def delete_then_fail():
        with transaction.atomic():
            services.video_delete(video=full_draft, actor=maker.user)
            raise RuntimeError("something later in the same transaction failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        delete_then_fail()
    assert callbacks == []
    assert Video.objects.filter(pk=full_draft.pk).exists()
    assert all(path.exists() for path in files)


def test_files_already_missing_are_not_an_error(full_draft, maker, django_capture_on_commit_callbacks, caplog):
    caplog.set_level(logging.INFO, logger="media.storage")
    files = _files_of(full_draft)
    files[0].unlink()
    name = VideoFile.objects.get(video=full_draft).storage_name
    with django_capture_on_commit_callbacks(execute=True):
        services.video_delete(video=full_draft, actor=maker.user)
    assert [path for path in files if path.exists()] == []
    assert f"stored file already gone name={name}" in caplog.messages
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_files_written_under_the_video_folders_without_a_row_go_too(maker, django_capture_on_commit_callbacks):
    video = VideoFactory(host_organisation=maker.organisation)
    stray_video = video_storage().save(f"{video.uuid}/left-by-a-rolled-back-upload.mp4", io.BytesIO(b"x"))
    stray_image = image_storage().save(f"videos/{video.uuid}/poster.jpg", io.BytesIO(b"x"))
    with django_capture_on_commit_callbacks(execute=True):
        services.video_delete(video=video, actor=maker.user)
    assert not video_storage().exists(stray_video)
    assert not image_storage().exists(stray_image)


@pytest.mark.parametrize("state", [VideoState.IN_REVIEW, VideoState.PUBLISHED])
def test_makers_cannot_delete_a_video_in_review_or_published(maker, sample, state, django_capture_on_commit_callbacks):
    video = VideoFactory(host_organisation=maker.organisation, state=state)
    stored = _store(video, sample)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.VideoError) as refused:
        services.video_delete(video=video, actor=maker.user)
    assert refused.value.code == "invalid_state"
    assert "retirez-la d'abord" in refused.value.messages[0]
    assert Video.objects.filter(pk=video.pk).exists()
    assert video_storage().exists(stored.storage_name)


@pytest.mark.parametrize("state", [VideoState.DRAFT, VideoState.WITHDRAWN])
def test_makers_delete_a_draft_or_a_withdrawn_video(maker, state):
    video = VideoFactory(host_organisation=maker.organisation, state=state)
    services.video_delete(video=video, actor=maker.user)
    assert not Video.objects.filter(pk=video.pk).exists()


def test_platform_staff_delete_a_published_video(sample, django_capture_on_commit_callbacks):
    video = VideoFactory(published=True)
    stored = _store(video, sample)
    with django_capture_on_commit_callbacks(execute=True):
        services.video_delete(video=video, actor=factories.UserFactory(staff=True))
    assert not Video.objects.filter(pk=video.pk).exists()
    assert not video_storage().exists(stored.storage_name)


def test_a_chunk_sent_after_the_deletion_is_refused_as_a_closed_upload(maker):
    video = VideoFactory(host_organisation=maker.organisation)
    session = services.upload_session_create(video=video, by=maker.user, filename="film.mp4", size=10)
    services.video_delete(video=video, actor=maker.user)
    with pytest.raises(services.VideoError) as refused:
        services.upload_chunk_append(session=session, start=0, length=10, total=10, body=io.BytesIO(b"0" * 10))
    assert refused.value.code == "upload_closed"


def test_a_processing_that_finds_its_video_deleted_removes_the_poster_it_wrote(maker, sample, monkeypatch):
    video = VideoFactory(host_organisation=maker.organisation)
    _store(video, sample)
    real_thumbnails = services.images.thumbnail_set

    def deleted_meanwhile(image):
        # The video is deleted (and its files with it) while the worker reads the file.
        services.video_delete(video=video, actor=maker.user)
        return real_thumbnails(image)

    monkeypatch.setattr(services.images, "thumbnail_set", deleted_meanwhile)
    assert services.video_process(video_id=video.pk) == "gone"
    assert not image_storage().exists(f"videos/{video.uuid}/poster.jpg")
    assert not Thumbnail.objects.exists()


# --- The page ------------------------------------------------------------------------------------------------


def _url(video):
    return reverse("videos:delete", kwargs={"pk": video.pk})


def test_the_confirmation_page_says_what_goes(maker_client, full_draft, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        response = maker_client.get(_url(full_draft))
    assert response.status_code == 200
    page = response.content.decode()
    assert escape(f"Supprimer définitivement « {full_draft.title} » ?") in page
    assert "Cette action est définitive" in page
    assert "le fichier vidéo « video.mp4 »" in page
    assert "1 piste de sous-titres" in page
    assert "sa place dans 1 liste de vidéos d'enseignant" in page
    assert "l'envoi de fichier en cours" in page
    assert f'action="{_url(full_draft)}"' in page
    assert Video.objects.filter(pk=full_draft.pk).exists()  # a GET deletes nothing


def test_confirming_deletes_and_goes_back_to_my_videos(maker_client, full_draft, django_capture_on_commit_callbacks):
    files = _files_of(full_draft)
    with django_capture_on_commit_callbacks(execute=True):
        response = maker_client.post(_url(full_draft))
    assert response.status_code == 302
    assert response["Location"] == reverse("videos:mine")
    assert not Video.objects.filter(pk=full_draft.pk).exists()
    assert [path for path in files if path.exists()] == []
    page = maker_client.get(response["Location"]).content.decode()
    assert escape(f"La vidéo « {full_draft.title} » et ses fichiers sont supprimés.") in page


def test_a_published_video_is_not_offered_for_deletion_to_its_makers(maker_client, maker):
    video = VideoFactory(host_organisation=maker.organisation, published=True)
    page = maker_client.get(_url(video))
    assert page.status_code == 200
    assert "Cette vidéo ne peut pas être supprimée maintenant" in page.content.decode()
    assert f'action="{_url(video)}"' not in page.content.decode()
    response = maker_client.post(_url(video))
    assert response.status_code == 409
    assert Video.objects.filter(pk=video.pk).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_someone_else_s_video_is_a_404(maker_client, method):
    other = VideoFactory()
    response = getattr(maker_client, method)(_url(other))
    assert response.status_code == 404
    assert Video.objects.filter(pk=other.pk).exists()


# --- The API -------------------------------------------------------------------------------------------------


def _api(video):
    return reverse("videos:api-video-detail", kwargs={"pk": video.pk})


def test_the_api_deletes_a_draft_and_its_files(maker_client, full_draft, django_capture_on_commit_callbacks):
    files = _files_of(full_draft)
    with django_capture_on_commit_callbacks(execute=True):
        response = maker_client.delete(_api(full_draft))
    assert response.status_code == 204
    assert [path for path in files if path.exists()] == []
    assert maker_client.get(_api(full_draft)).status_code == 404


def test_the_api_refuses_a_published_video_with_a_conflict(maker_client, maker):
    video = VideoFactory(host_organisation=maker.organisation, published=True)
    response = maker_client.delete(_api(video))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "invalid_state"
    assert "retirez-la d'abord" in body["detail"]
    assert Video.objects.filter(pk=video.pk).exists()


def test_the_api_hides_videos_one_does_not_manage(maker_client):
    other = VideoFactory()
    assert maker_client.delete(_api(other)).status_code == 404
    assert Client().delete(_api(other)).status_code == 401
    assert Video.objects.filter(pk=other.pk).exists()


# --- Against an upload finishing (PostgreSQL's row locks) ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_deletion_waits_for_an_upload_finishing_then_deletes_what_it_stored(sample, monkeypatch):
    """The last chunk holds its upload's row while the file is probed and stored, then locks the video. A deletion
    arriving meanwhile waits behind the upload's row (it locks uploads before the video), so the two do not
    deadlock, and the file the upload stored is deleted after the deletion commits."""
    if connection.vendor != "postgresql":
        pytest.skip("the row locks need PostgreSQL (set DATABASE_URL)")
    monkeypatch.setattr(services, "_queue_processing", lambda video: None)  # the processing is another story
    maker = factories.OrganisationMembershipFactory()
    video = VideoFactory(host_organisation=maker.organisation)
    data = sample("h264").read_bytes()
    session = services.upload_session_create(video=video, by=maker.user, filename="film.mp4", size=len(data))
    services.upload_chunk_append(session=session, start=0, length=1000, total=len(data), body=io.BytesIO(data[:1000]))

    probing_started, deletion_waiting = threading.Event(), threading.Event()
    real_probe = probing.probe

    def held_probe(path):
        probing_started.set()
        assert deletion_waiting.wait(timeout=60)
        return real_probe(path)

    monkeypatch.setattr(services.probing, "probe", held_probe)
    errors = []

    def last_chunk():
        try:
            services.upload_chunk_append(
                session=session, start=1000, length=len(data) - 1000, total=len(data), body=io.BytesIO(data[1000:])
            )
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    def deletion():
        try:
            services.video_delete(video=video, actor=maker.user)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    uploader = threading.Thread(target=last_chunk)
    uploader.start()
    assert probing_started.wait(timeout=60)
    deleter = threading.Thread(target=deletion)
    deleter.start()
    _wait_until_a_backend_waits_for_a_lock()
    deletion_waiting.set()
    uploader.join()
    deleter.join()

    assert errors == []
    assert not Video.objects.filter(pk=video.pk).exists()
    assert not partial_path(session.pk).exists()
    assert not (Path(django_settings.MEDIA_VIDEO_ROOT) / str(video.uuid)).exists()


def _wait_until_a_backend_waits_for_a_lock():
    """Until PostgreSQL shows a session of this database blocked on a row lock (the deletion)."""
    with connection.cursor() as cursor:
        for _attempt in range(6000):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            threading.Event().wait(0.01)
    pytest.fail("the deletion never waited for the upload's lock")
