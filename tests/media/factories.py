"""Factories of the video library. A `VideoFactory` is a draft of a host organisation; traits give the other
states and makers. Files on disk are made by the tests that need them (see samples.py and conftest.py)."""

import datetime

import factory
from django.utils import timezone

from media.enums import ProcessingStatus, VideoState
from media.models import Caption, UploadSession, Video, VideoFile, WatchProgress
from tests.factories import AssociationFactory, HostOrganisationFactory, UserFactory

WEBVTT_FR = "WEBVTT\n\n00:00:00.000 --> 00:00:00.900\nBonjour, je suis électricienne.\n"


class VideoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Video

    host_organisation = factory.SubFactory(HostOrganisationFactory)
    association = None
    title = factory.Sequence(lambda n: f"Une journée d'électricienne {n}")
    description = "Ce que l'on fait, ce qu'il faut aimer, comment on y arrive."
    sector = "F"
    domain = ""
    job_title = "Électricienne du bâtiment"
    rome_code = "F1602"
    transcript = ""

    class Params:
        by_association = factory.Trait(host_organisation=None, association=factory.SubFactory(AssociationFactory))
        processed = factory.Trait(processing_status=ProcessingStatus.SUCCEEDED, duration=1.0)
        in_review = factory.Trait(
            state=VideoState.IN_REVIEW,
            processing_status=ProcessingStatus.SUCCEEDED,
            duration=1.0,
            transcript="Bonjour, je suis électricienne.",
            submitted_at=factory.LazyFunction(timezone.now),
        )
        published = factory.Trait(
            state=VideoState.PUBLISHED,
            processing_status=ProcessingStatus.SUCCEEDED,
            duration=1.0,
            transcript="Bonjour, je suis électricienne.",
            published_at=factory.LazyFunction(timezone.now),
        )


class VideoFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VideoFile

    video = factory.SubFactory(VideoFactory)
    storage_name = factory.Sequence(lambda n: f"tests/video-{n}.mp4")
    original_name = "video.mp4"
    size = 1024
    container = "mp4"
    content_type = "video/mp4"
    video_codec = "h264"
    audio_codec = "aac"
    width = 160
    height = 120
    duration = 1.0


class CaptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Caption

    video = factory.SubFactory(VideoFactory)
    language = "fr"
    label = "Français"
    webvtt = WEBVTT_FR
    cue_count = 1


class UploadSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UploadSession

    video = factory.SubFactory(VideoFactory)
    owner = factory.SubFactory(UserFactory)
    filename = "video.mp4"
    declared_size = 4096
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=24))


class WatchProgressFactory(factory.django.DjangoModelFactory):
    """A person's progress on a video (by default a published one, started but not watched)."""

    class Meta:
        model = WatchProgress

    video = factory.SubFactory(VideoFactory, published=True)
    user = factory.SubFactory(UserFactory)
    played_seconds = 0.2
    position = 0.2

    class Params:
        watched = factory.Trait(
            played_seconds=factory.LazyAttribute(lambda progress: progress.video.duration or 1.0),
            position=factory.LazyAttribute(lambda progress: progress.video.duration or 1.0),
            watched_at=factory.LazyFunction(timezone.now),
        )


# Teachers' playlists (models named by label: the import line above is shared).


class PlaylistFactory(factory.django.DjangoModelFactory):
    """A teacher's list; `videos=[...]` adds them in that order."""

    class Meta:
        model = "videos.Playlist"
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Les métiers du bâtiment {n}")
    description = "Regardez les vidéos et notez une question pour la séance."

    @factory.post_generation
    def videos(self, create, extracted, **kwargs):
        if create and extracted:
            for position, video in enumerate(extracted):
                PlaylistItemFactory(playlist=self, video=video, position=position)


class PlaylistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "videos.PlaylistItem"

    playlist = factory.SubFactory(PlaylistFactory)
    video = factory.SubFactory(VideoFactory, published=True)
    position = 0


class PlaylistAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "videos.PlaylistAssignment"

    playlist = factory.SubFactory(PlaylistFactory)
    school_class = factory.SubFactory("tests.factories.SchoolClassFactory")
    assigned_by = factory.SelfAttribute("playlist.owner")
    due_date = None
