"""Access rules for the video library's URLs (merged into tests/test_permissions.py)."""

from tests.access import SIGNED_IN, Access

# Confirmed members of a host organisation and confirmed staff of an association make videos.
MAKERS = {"employer", "professional", "association_staff"}
# The world's draft belongs to the world's organisation: its members, and platform staff, manage it.
DRAFT_MANAGERS = {"employer", "professional", "platform_staff"}


def video_args(world):
    return {"pk": world["media_video"].pk}


def caption_args(world):
    return {"pk": world["media_video"].pk, "language": "fr"}


def draft_args(world):
    return {"pk": world["media_draft"].pk}


def upload_args(world):
    return {"pk": world["media_upload"].pk}


ACCESS: dict = {
    # Playback of a published video: every signed-in person; a 404 for a video one may not watch.
    "videos:file": Access(SIGNED_IN, kwargs=video_args),
    "videos:caption": Access(SIGNED_IN, kwargs=caption_args),
    # The API answers JSON: 401 to anonymous callers, 404 for what a caller may not see; 400 for an empty body.
    "videos:api-video-create": Access(MAKERS, method="post", ok=400, anonymous=401),
    "videos:api-upload-create": Access(MAKERS, method="post", ok=400, anonymous=401),
    # An upload is its owner's (the world's employer).
    "videos:api-upload-detail": Access({"employer"}, denied=404, anonymous=401, kwargs=upload_args),
    "videos:api-video-detail": Access(DRAFT_MANAGERS, denied=404, anonymous=401, kwargs=draft_args),
    "videos:api-video-transition": Access(
        DRAFT_MANAGERS, method="post", ok=400, denied=404, anonymous=401, kwargs=draft_args
    ),
    "videos:api-caption-create": Access(
        DRAFT_MANAGERS, method="post", ok=400, denied=404, anonymous=401, kwargs=draft_args
    ),
    "videos:api-poster-create": Access(
        DRAFT_MANAGERS, method="post", ok=400, denied=404, anonymous=401, kwargs=draft_args
    ),
}
