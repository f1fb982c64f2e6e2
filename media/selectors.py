"""Reads of the video library, for the API and the pages (browse, player, the makers' lists)."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from media import rules
from media.enums import ProcessingStatus, UploadStatus, VideoState
from media.models import Caption, PlaylistItem, Thumbnail, UploadSession, Video, VideoFile
from media.permissions import can_moderate_videos, maker_associations, maker_organisations
from media.storage import image_storage


def published_videos(
    *,
    sector: str = "",
    domain: str = "",
    level: str = "",
    max_duration: float | None = None,
    query: str = "",
    min_duration: float | None = None,
) -> QuerySet[Video]:
    """The catalogue: published videos, newest first, filtered; a level asks for videos of that level or of
    both; `query` looks for each word in the title and the job, or a ROME code. Durations in seconds: at most
    `max_duration`, strictly more than `min_duration`."""
    videos = Video.objects.filter(state=VideoState.PUBLISHED).select_related("host_organisation", "association")
    if sector:
        videos = videos.filter(sector=sector)
    if domain:
        videos = videos.filter(domain=domain)
    if level:
        videos = videos.filter(level__in=[level, "all"])
    if max_duration is not None:
        videos = videos.filter(duration__lte=max_duration)
    if min_duration is not None:
        videos = videos.filter(duration__gt=min_duration)
    if query:
        for word in query.split():
            videos = videos.filter(Q(title__icontains=word) | Q(job_title__icontains=word) | Q(rome_code__iexact=word))
    return videos.order_by("-published_at", "-pk")


def videos_managed_by(user) -> QuerySet[Video]:
    """The videos of the person's organisations and associations (all of them for platform staff)."""
    videos = Video.objects.select_related("host_organisation", "association", "file")
    if user.is_staff:
        return videos
    return videos.filter(
        Q(host_organisation__in=maker_organisations(user)) | Q(association__in=maker_associations(user))
    )


def videos_in_review() -> QuerySet[Video]:
    return Video.objects.filter(state=VideoState.IN_REVIEW).order_by("submitted_at")


def video_file(video: Video) -> VideoFile | None:
    return VideoFile.objects.filter(video=video).first()


def has_french_captions(video: Video) -> bool:
    return Caption.objects.filter(video=video, language=rules.FRENCH).exists()


def publication_blockers(video: Video) -> list[str]:
    """What the video still lacks before it may be submitted or published (see `media.rules`)."""
    return rules.publication_blockers(
        has_file=VideoFile.objects.filter(video=video).exists(),
        processing_succeeded=video.processing_status == ProcessingStatus.SUCCEEDED,
        has_french_captions=has_french_captions(video),
        transcript=video.transcript,
    )


def caption_tracks(video: Video) -> list[dict]:
    """The <track> elements of the player: French first and on by default (`default`), then the others."""
    tracks = sorted(
        Caption.objects.filter(video=video).only("language", "label"),
        key=lambda caption: (caption.language != rules.FRENCH, caption.language),
    )
    return [
        {
            "language": caption.language,
            "label": caption.label,
            "url": reverse("videos:caption", kwargs={"pk": video.pk, "language": caption.language}),
            "default": caption.language == rules.FRENCH,
        }
        for caption in tracks
    ]


def thumbnail_sources(video: Video) -> dict[str, str]:
    """`srcset` strings per format ({"webp": "url 320w, url 640w", "jpeg": ...}), for a <picture>."""
    return thumbnail_sources_for([video]).get(video.pk, {})


def poster_url(video: Video) -> str:
    return image_storage().url(video.poster) if video.poster else ""


def upload_for(user, session_id) -> UploadSession | None:
    """An upload session, for its owner only."""
    return UploadSession.objects.select_related("video").filter(pk=session_id, owner=user).first()


def open_upload(video: Video) -> UploadSession | None:
    """The upload still receiving chunks for this video: the page resumes it after a reload."""
    return UploadSession.objects.filter(video=video, status=UploadStatus.RECEIVING).order_by("-created_at").first()


# Library pages ---------------------------------------------------------------------------------------------------
# Reads of the browse page and the video page (media/views/library.py). Watch counts are in media/watching.py.


def library_videos(**filters) -> QuerySet[Video]:
    """`published_videos` with what a card shows: whether the video has captions."""
    has_captions = Exists(Caption.objects.filter(video=OuterRef("pk")))
    return published_videos(**filters).annotate(has_captions=has_captions)


def thumbnail_sources_for(videos) -> dict[int, dict[str, str]]:
    """`thumbnail_sources` for many videos in one query: {video id: {"webp": srcset, "jpeg": srcset}}."""
    storage = image_storage()
    found: dict[int, dict[str, list[str]]] = {}
    thumbnails = Thumbnail.objects.filter(video__in=[video.pk for video in videos]).order_by("width")
    for thumbnail in thumbnails.only("video_id", "width", "format", "storage_name"):
        by_format = found.setdefault(thumbnail.video_id, {})
        by_format.setdefault(thumbnail.format, []).append(f"{storage.url(thumbnail.storage_name)} {thumbnail.width}w")
    return {
        video_id: {image_format: ", ".join(items) for image_format, items in by_format.items()}
        for video_id, by_format in found.items()
    }


# Makers' pages ---------------------------------------------------------------------------------------------------
# Reads of the makers' list, the manage page and the review queue (media/views/making.py).


def permitted_actions(user) -> set[str]:
    """The lifecycle moves a person who manages a video may make: the makers' moves, and the moderation's for
    platform staff (the API's transition view asks the same)."""
    from media import services  # services reads this module: imported when called, not at import time

    permitted = set(services.MAKER_ACTIONS)
    if can_moderate_videos(user):
        permitted |= set(services.MODERATION_ACTIONS)
    return permitted


def actions_for(user, video: Video) -> list[str]:
    """The moves this person may make on this video now: those its state allows (the API's `allowed_actions`)
    among those she is permitted."""
    from media import services

    permitted = permitted_actions(user)
    return [action for action in services.allowed_actions(video) if action in permitted]


def _with_readiness(videos: QuerySet[Video]) -> QuerySet[Video]:
    """What `listed_blockers` needs, read with the videos themselves."""
    return videos.annotate(
        has_file=Exists(VideoFile.objects.filter(video=OuterRef("pk"))),
        has_french_captions=Exists(Caption.objects.filter(video=OuterRef("pk"), language=rules.FRENCH)),
    )


def makers_videos(user) -> QuerySet[Video]:
    """The makers' list: `videos_managed_by`, with what each still lacks (see `listed_blockers`)."""
    return _with_readiness(videos_managed_by(user)).order_by("-updated_at", "-pk")


def review_queue() -> QuerySet[Video]:
    """`videos_in_review` with their makers and what they lack (normally nothing: submitting checked it)."""
    return _with_readiness(videos_in_review().select_related("host_organisation", "association"))


def listed_blockers(video: Video) -> list[str]:
    """`publication_blockers` of a video read by `makers_videos` or `review_queue`, without another query."""
    return rules.publication_blockers(
        has_file=video.has_file,
        processing_succeeded=video.processing_status == ProcessingStatus.SUCCEEDED,
        has_french_captions=video.has_french_captions,
        transcript=video.transcript,
    )


def managed_video(pk) -> Video | None:
    return Video.objects.select_related("host_organisation", "association").filter(pk=pk).first()


def captions_of(video: Video) -> list[Caption]:
    """The video's tracks, French first, without their text."""
    tracks = Caption.objects.filter(video=video).defer("webvtt")
    return sorted(tracks, key=lambda caption: (caption.language != rules.FRENCH, caption.language))


def video_history(video: Video):
    return video.events.select_related("actor", "actor__pupil_profile").order_by("-created_at", "-pk")


# Deleting a video ------------------------------------------------------------------------------------------------
# What the confirmation page says will go (media/views/deleting.py).


def deletion_summary(video: Video) -> dict:
    """The video's file, its number of caption tracks, of teachers' playlists holding it, and whether an upload
    is in progress."""
    return {
        "file": VideoFile.objects.filter(video=video).only("size", "original_name").first(),
        "caption_count": Caption.objects.filter(video=video).count(),
        "playlist_count": PlaylistItem.objects.filter(video=video).values("playlist").distinct().count(),
        "uploading": UploadSession.objects.filter(video=video, status=UploadStatus.RECEIVING).exists(),
    }
