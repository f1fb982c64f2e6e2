"""Rules of the video library that need no database: language tags, the formats browsers play, what a video
needs before it is published. Pure functions, unit-tested on their own."""

import re

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
FRENCH = "fr"

# What every current browser plays (HTML5 <video>): the container PyAV names, and the codecs inside.
# WebM is Matroska restricted to VP8/VP9/AV1 with Vorbis or Opus; PyAV names both "matroska,webm".
CONTAINERS = {
    "mp4": {"video": {"h264", "av1", "vp9"}, "audio": {"aac", "mp3", "opus"}, "content_type": "video/mp4"},
    "webm": {"video": {"vp8", "vp9", "av1"}, "audio": {"opus", "vorbis"}, "content_type": "video/webm"},
}
DEMUXERS = {"mov,mp4,m4a,3gp,3g2,mj2": "mp4", "matroska,webm": "webm"}

MAX_UPLOAD_BYTES = 2 * 1024**3


def max_upload_bytes() -> int:
    return int(getattr(settings, "MEDIA_MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES))


def validate_language_tag(value: str) -> None:
    if not LANGUAGE_TAG.match(value or ""):
        raise ValidationError(
            _("« %(value)s » n'est pas un code de langue : écrivez par exemple fr, en ou pt-BR."),
            code="invalid_language",
            params={"value": value},
        )


def language_label(tag: str) -> str:
    """The language's own name ("Français", "English"), or the tag when Django does not know it."""
    info = LANG_INFO.get(tag.lower()) or LANG_INFO.get(tag.split("-")[0].lower()) or {}
    name = info.get("name_local")
    return name[:1].upper() + name[1:] if name else tag


def refusal_for_streams(*, demuxer: str, video_codec: str | None, audio_codecs: list[str]) -> str | None:
    """Why browsers could not play this file, as a sentence for the uploader; None when they can."""
    container = DEMUXERS.get(demuxer)
    if container is None:
        return _(
            "Ce format de fichier (%(format)s) ne se lit pas dans les navigateurs : envoyez une vidéo MP4 ou WebM."
        ) % {"format": demuxer}
    if not video_codec:
        return _("Ce fichier ne contient pas d'image vidéo.")
    allowed = CONTAINERS[container]
    if video_codec not in allowed["video"]:
        return _(
            "La vidéo est encodée en %(codec)s, que les navigateurs ne savent pas lire. Réencodez-la en H.264 "
            "(MP4) ou en VP9 (WebM), par exemple avec HandBrake, puis envoyez-la à nouveau."
        ) % {"codec": video_codec}
    for codec in audio_codecs:
        if codec not in allowed["audio"]:
            return _(
                "Le son est encodé en %(codec)s, que les navigateurs ne savent pas lire dans ce format : "
                "utilisez AAC (MP4) ou Opus (WebM)."
            ) % {"codec": codec}
    return None


def publication_blockers(
    *, has_file: bool, processing_succeeded: bool, has_french_captions: bool, transcript: str
) -> list[str]:
    """What a video still lacks before it may be published; empty when nothing."""
    missing = []
    if not has_file:
        missing.append(_("La vidéo n'a pas encore de fichier."))
    elif not processing_succeeded:
        missing.append(_("Le traitement du fichier (analyse, affiche, vignettes) n'a pas encore réussi."))
    if not has_french_captions:
        missing.append(_("Les sous-titres en français manquent."))
    if not (transcript or "").strip():
        missing.append(_("La transcription manque."))
    return missing


# A video counts as watched once this share of it has been played (issue: "at least 80 % played").
WATCHED_SHARE = 0.8


def is_watched(*, played_seconds: float, duration: float | None) -> bool:
    """Played at least `WATCHED_SHARE` of the video. A video of unknown length is never "watched"."""
    if not duration or duration <= 0:
        return False
    return played_seconds >= WATCHED_SHARE * duration
