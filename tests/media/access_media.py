"""Access rules for the video library's URLs (merged into tests/test_permissions.py)."""

from media.models import Caption
from tests.access import SIGNED_IN, Access
from tests.media.factories import WEBVTT_FR

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


def draft_caption_args(world):
    """English captions on the world's draft (made once: the rule is read for each role)."""
    Caption.objects.get_or_create(
        video=world["media_draft"], language="en", defaults={"label": "English", "webvtt": WEBVTT_FR, "cue_count": 1}
    )
    return {"pk": world["media_draft"].pk, "language": "en"}


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
    # Library pages: every signed-in person; the progress report is a POST (an empty one is refused: 400).
    "videos:library": Access(SIGNED_IN),
    "videos:detail": Access(SIGNED_IN, kwargs=video_args),
    "videos:progress": Access(SIGNED_IN, method="post", ok=400, kwargs=video_args),
    # Deleting a video: the confirmation page (GET) for those who manage the draft; a 404 for anyone else.
    "videos:delete": Access(DRAFT_MANAGERS, denied=404, kwargs=draft_args),
    # Teachers' playlists: the world's teacher owns `media_playlist`, given to the world's class. Lists are for
    # school staff; a list is its owner's (404 for others); who watched what, for whoever manages the class; the
    # pupils' page, for pupils. The POSTs without an action are refused with a message and a redirect.
    "videos:playlists": Access({"teacher", "school_head"}),
    "videos:playlist_detail": Access({"teacher"}, denied=404, kwargs=lambda w: {"pk": w["media_playlist"].pk}),
    "videos:playlist_items": Access(
        {"teacher"}, method="post", ok=302, denied=404, kwargs=lambda w: {"pk": w["media_playlist"].pk}
    ),
    "videos:playlist_assign": Access(
        {"teacher"}, method="post", ok=302, denied=404, kwargs=lambda w: {"pk": w["media_playlist"].pk}
    ),
    "videos:playlist_delete": Access({"teacher"}, denied=404, kwargs=lambda w: {"pk": w["media_playlist"].pk}),
    "videos:playlist_progress": Access(
        {"teacher", "school_head", "platform_staff"},
        denied=404,
        kwargs=lambda w: {"pk": w["media_playlist"].pk, "class_pk": w["school_class"].pk},
    ),
    "videos:assigned": Access({"pupil", "pupil_pending"}),
    # Makers' pages: their list (every video for platform staff), the form, the manage page of the world's draft
    # (its organisation's members and platform staff; a 404 for anyone else) and its fragment; the review queue
    # for platform staff. An empty POST shows the manage page with the form's errors (200).
    "videos:mine": Access(MAKERS | {"platform_staff"}),
    "videos:create": Access(MAKERS),
    "videos:review": Access({"platform_staff"}),
    "videos:edit": Access(DRAFT_MANAGERS, denied=404, kwargs=draft_args),
    "videos:manage": Access(DRAFT_MANAGERS, denied=404, kwargs=draft_args),
    "videos:processing": Access(DRAFT_MANAGERS, denied=404, kwargs=draft_args),
    "videos:caption_add": Access(DRAFT_MANAGERS, method="post", denied=404, kwargs=draft_args),
    "videos:caption_delete": Access(DRAFT_MANAGERS, method="post", ok=302, denied=404, kwargs=draft_caption_args),
    "videos:poster": Access(DRAFT_MANAGERS, method="post", denied=404, kwargs=draft_args),
    "videos:transition": Access(DRAFT_MANAGERS, method="post", denied=404, kwargs=draft_args),
}
