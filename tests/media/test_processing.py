"""The processing task: poster frame, thumbnails, idempotence, failures recorded for the uploader."""

import io

import pytest
from django.utils import timezone
from PIL import Image

from media import services
from media.enums import ProcessingStatus, UploadStatus, VideoEventKind
from media.models import Thumbnail, Video
from media.storage import image_storage, partial_path, video_storage
from media.tasks import video_process_task
from tests.media.factories import VideoFactory, VideoFileFactory

pytestmark = pytest.mark.django_db


def _stored_video(sample, name="h264", **video) -> Video:
    video = VideoFactory(**video)
    with sample(name).open("rb") as handle:
        stored = video_storage().save(f"{video.uuid}/file.mp4", handle)
    VideoFileFactory(video=video, storage_name=stored)
    return video


def test_processing_takes_a_poster_frame_and_makes_thumbnails_and_is_idempotent(sample):
    video = _stored_video(sample)
    assert video_process_task.delay(video_id=video.pk).get() == "succeeded"
    video.refresh_from_db()
    assert video.processing_status == ProcessingStatus.SUCCEEDED
    assert not video.poster_uploaded
    with image_storage().open(video.poster) as handle:
        assert Image.open(handle).size == (160, 120)
    first = {(row.width, row.format, row.storage_name) for row in Thumbnail.objects.filter(video=video)}
    assert {(width, image_format) for width, image_format, _name in first} == {(160, "webp"), (160, "jpeg")}

    # Run again (a retry, a second worker): the same rows and the same files, nothing more.
    services.video_process(video_id=video.pk)
    again = {(row.width, row.format, row.storage_name) for row in Thumbnail.objects.filter(video=video)}
    assert again == first
    _directories, files = image_storage().listdir(f"videos/{video.uuid}")
    assert sorted(files) == ["poster.jpg", "thumb-160.jpg", "thumb-160.webp"]


def test_an_uploaded_poster_is_kept_and_thumbnails_come_from_it(sample, settings):
    settings.MEDIA_THUMBNAIL_WIDTHS = (320, 640, 1280)
    video = _stored_video(sample)
    buffer = io.BytesIO()
    Image.new("RGB", (800, 450), (0, 200, 0)).save(buffer, format="PNG")
    services.poster_set(video=video, by=None, data=buffer.getvalue())
    services.video_process(video_id=video.pk)
    video.refresh_from_db()
    assert video.poster_uploaded
    assert sorted(Thumbnail.objects.filter(video=video).values_list("width", "height", "format")) == [
        (320, 180, "jpeg"),
        (320, 180, "webp"),
        (640, 360, "jpeg"),
        (640, 360, "webp"),
    ]
    with image_storage().open(Thumbnail.objects.get(video=video, width=320, format="jpeg").storage_name) as handle:
        assert Image.open(handle).convert("RGB").getpixel((10, 10))[1] > 150  # green: the uploaded poster


def test_a_file_that_turns_out_unreadable_marks_the_processing_failed_with_its_reason(sample):
    video = _stored_video(sample, name="truncated_faststart")
    assert services.video_process(video_id=video.pk) == "failed"
    video.refresh_from_db()
    assert video.processing_status == ProcessingStatus.FAILED
    assert "incomplet" in video.processing_failure
    assert video.events.filter(kind=VideoEventKind.PROCESSING_FAILED).exists()
    assert not Thumbnail.objects.filter(video=video).exists()


def test_nothing_to_do_without_a_file_or_a_video(db):
    assert services.video_process(video_id=VideoFactory().pk) == "no_file"
    assert services.video_process(video_id=999_999) == "gone"


def test_unfinished_uploads_expire_and_their_chunks_go(maker, django_capture_on_commit_callbacks):
    video = VideoFactory(host_organisation=maker.organisation)
    session = services.upload_session_create(video=video, by=maker.user, filename="film.mp4", size=100)
    assert partial_path(session.pk).exists()
    assert services.uploads_expire(now=timezone.now()) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.uploads_expire(now=session.expires_at) == 1
    session.refresh_from_db()
    assert session.status == UploadStatus.EXPIRED
    assert not partial_path(session.pk).exists()
