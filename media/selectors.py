"""Reads of the video library, for the API and the pages (browse, player, the makers' lists)."""

from django.db.models import Q, QuerySet
from django.urls import reverse

from media import rules
from media.enums import ImageFormat, ProcessingStatus, UploadStatus, VideoState
from media.models import Caption, Thumbnail, UploadSession, Video, VideoFile
from media.permissions import maker_associations, maker_organisations
from media.storage import image_storage


def published_videos(
    *,
    sector: str = "",
    domain: str = "",
    level: str = "",
    max_duration: float | None = None,
    query: str = "",
) -> QuerySet[Video]:
    """The catalogue: published videos, newest first, filtered; a level asks for videos of that level or of
    both; `query` looks for each word in the title and the job, or a ROME code."""
    videos = Video.objects.filter(state=VideoState.PUBLISHED).select_related("host_organisation", "association")
    if sector:
        videos = videos.filter(sector=sector)
    if domain:
        videos = videos.filter(domain=domain)
    if level:
        videos = videos.filter(level__in=[level, "all"])
    if max_duration is not None:
        videos = videos.filter(duration__lte=max_duration)
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
    storage = image_storage()
    sources: dict[str, list[str]] = {ImageFormat.WEBP: [], ImageFormat.JPEG: []}
    for thumbnail in Thumbnail.objects.filter(video=video).order_by("width"):
        sources[thumbnail.format].append(f"{storage.url(thumbnail.storage_name)} {thumbnail.width}w")
    return {image_format: ", ".join(items) for image_format, items in sources.items() if items}


def poster_url(video: Video) -> str:
    return image_storage().url(video.poster) if video.poster else ""


def upload_for(user, session_id) -> UploadSession | None:
    """An upload session, for its owner only."""
    return UploadSession.objects.select_related("video").filter(pk=session_id, owner=user).first()


def open_upload(video: Video) -> UploadSession | None:
    """The upload still receiving chunks for this video: the page resumes it after a reload."""
    return UploadSession.objects.filter(video=video, status=UploadStatus.RECEIVING).order_by("-created_at").first()
