"""Factories of the video library. A `VideoFactory` is a draft of a host organisation; traits give the other
states and makers. Files on disk are made by the tests that need them (see samples.py and conftest.py)."""

import datetime

import factory
from django.utils import timezone

from media.enums import ProcessingStatus, VideoState
from media.models import Caption, UploadSession, Video, VideoFile
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
