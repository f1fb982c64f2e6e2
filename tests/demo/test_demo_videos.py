"""The demo's career videos: published in several sectors with a real playable file, French captions, a
transcript and their processing done; a draft of the demo organisation; loading twice changes nothing."""

import io

import pytest
from django.core.management import call_command

from media import probing, selectors
from media.enums import ProcessingStatus, VideoState
from media.models import Caption, Thumbnail, Video, VideoFile
from media.storage import image_storage, local_path, video_storage

pytestmark = pytest.mark.django_db


def load() -> None:
    call_command("load_demo_data", stdout=io.StringIO())


def snapshot() -> list:
    return sorted(
        Video.objects.values_list(
            "pk", "title", "state", "published_at", "host_organisation_id", "association_id", "file__storage_name"
        )
    )


def test_the_demo_has_published_videos_with_a_real_file_captions_and_a_transcript():
    load()
    published = list(Video.objects.filter(state=VideoState.PUBLISHED).select_related("host_organisation"))
    assert 3 <= len(published) <= 4
    assert len({video.sector for video in published}) == len(published)
    assert any(video.host_organisation for video in published)
    assert any(video.association for video in published)
    for video in published:
        assert video.processing_status == ProcessingStatus.SUCCEEDED
        assert selectors.publication_blockers(video) == []
        assert video.transcript.strip()
        assert 10 <= video.duration <= 20
        stored = VideoFile.objects.get(video=video)
        path = local_path(video_storage(), stored.storage_name)
        found = probing.probe(path)
        assert (found.container, found.video_codec, found.audio_codec) == ("mp4", "h264", "aac")
        assert (found.width, found.height) == (640, 360)
        caption = Caption.objects.get(video=video, language="fr")
        assert caption.cue_count >= 3
        assert image_storage().exists(video.poster)
        assert Thumbnail.objects.filter(video=video).count() >= 2
    assert set(selectors.published_videos().values_list("pk", flat=True)) == {video.pk for video in published}


def test_the_demo_organisation_has_a_draft_that_still_lacks_everything():
    load()
    draft = Video.objects.get(state=VideoState.DRAFT)
    assert draft.host_organisation.siret == "41827364500014"
    assert selectors.publication_blockers(draft) == [
        "La vidéo n'a pas encore de fichier.",
        "Les sous-titres en français manquent.",
        "La transcription manque.",
    ]


def test_loading_twice_leaves_the_videos_and_their_files_alone():
    load()
    first = snapshot()
    files = sorted(path for path in local_path(video_storage(), "").rglob("*") if path.is_file())
    load()
    assert snapshot() == first
    assert sorted(path for path in local_path(video_storage(), "").rglob("*") if path.is_file()) == files
