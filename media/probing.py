"""What is really in an uploaded file, found by PyAV (FFmpeg's libraries, carried by its wheels).

`probe` opens the container, names its streams, reads every packet of the video stream (no decoding but the
first frame, so a 2 GB file costs its reading time) to find a file cut short, and applies
`media.rules.refusal_for_streams`. `frame_at` decodes one picture for the poster. A refusal is a `MediaRefused`
whose message is for the uploader.
"""

import logging
from dataclasses import dataclass
from pathlib import Path

import av
from django.utils.translation import gettext as _
from PIL import Image

from media.rules import CONTAINERS, DEMUXERS, refusal_for_streams

logger = logging.getLogger(__name__)

# A file whose packets stop well before the duration its header announces was cut short.
TRUNCATION_TOLERANCE = 0.5  # seconds
# Decoders that FFmpeg names after their library rather than the codec.
CODEC_ALIASES = {"libdav1d": "av1", "libaom-av1": "av1", "libvpx": "vp8", "libvpx-vp9": "vp9", "mp3float": "mp3"}


class MediaRefused(Exception):
    """The file is not a video browsers can play. `str(error)` is the translated reason."""


@dataclass(frozen=True)
class ProbeResult:
    container: str  # "mp4" or "webm"
    content_type: str
    video_codec: str
    audio_codec: str  # "" when silent
    width: int
    height: int
    duration: float  # seconds


def _codec_name(stream) -> str:
    name = stream.codec_context.name
    return CODEC_ALIASES.get(name, name)


def _not_a_video() -> MediaRefused:
    return MediaRefused(
        _("Ce fichier n'est pas une vidéo lisible (ou il est abîmé) : envoyez un fichier MP4 ou WebM.")
    )


def _truncated() -> MediaRefused:
    return MediaRefused(
        _("Ce fichier vidéo est incomplet : il s'arrête avant la fin annoncée. Envoyez à nouveau le fichier entier.")
    )


def probe(path: Path | str) -> ProbeResult:
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        raise MediaRefused(_("Le fichier est vide."))
    try:
        container = av.open(str(path), mode="r")
    except (av.FFmpegError, ValueError, UnicodeDecodeError):
        raise _not_a_video() from None
    try:
        return _inspect(container)
    except av.FFmpegError:
        raise _not_a_video() from None
    finally:
        container.close()


def _inspect(container) -> ProbeResult:
    demuxer = container.format.name
    video_streams = [stream for stream in container.streams.video if stream.codec_context is not None]
    video = video_streams[0] if video_streams else None
    audio_codecs = [_codec_name(stream) for stream in container.streams.audio]
    refusal = refusal_for_streams(
        demuxer=demuxer, video_codec=_codec_name(video) if video else None, audio_codecs=audio_codecs
    )
    if refusal:
        raise MediaRefused(refusal)
    width, height = video.codec_context.width, video.codec_context.height
    if not width or not height:
        raise _not_a_video()

    announced = None
    if video.duration and video.time_base:
        announced = float(video.duration * video.time_base)
    elif container.duration:
        announced = container.duration / av.time_base

    # Every packet of the video stream, and one decoded frame: proof that the pictures are there.
    last_end = 0.0
    decoded = False
    for packet in container.demux(video):
        if packet.pts is None or packet.time_base is None:
            continue
        end = float((packet.pts + (packet.duration or 0)) * packet.time_base)
        last_end = max(last_end, end)
        if not decoded and packet.size:
            decoded = bool(packet.decode()) or decoded
    if not decoded:
        # The decoder may hold back its first frames until the end of the stream.
        decoded = bool(video.codec_context.decode(None))
    if not decoded or last_end <= 0:
        raise _not_a_video()
    start = float(video.start_time * video.time_base) if video.start_time and video.time_base else 0.0
    if announced is not None and last_end - start < announced - TRUNCATION_TOLERANCE:
        raise _truncated()
    container_name = DEMUXERS[demuxer]
    return ProbeResult(
        container=container_name,
        content_type=CONTAINERS[container_name]["content_type"],
        video_codec=_codec_name(video),
        audio_codec=audio_codecs[0] if audio_codecs else "",
        width=width,
        height=height,
        duration=round(max(last_end - start, announced or 0.0), 3),
    )


def frame_at(path: Path | str, *, fraction: float = 0.1) -> Image.Image:
    """The picture near `fraction` of the duration (the first one when the video is very short)."""
    try:
        return _frame_at(path, fraction)
    except av.FFmpegError:
        raise _not_a_video() from None


def _frame_at(path: Path | str, fraction: float) -> Image.Image:
    with av.open(str(path), mode="r") as container:
        video = container.streams.video[0]
        duration = float(video.duration * video.time_base) if video.duration else container.duration / av.time_base
        target = duration * fraction
        if target > 0:
            container.seek(int(target / video.time_base), stream=video, backward=True, any_frame=False)
        chosen = None
        for frame in container.decode(video):
            chosen = frame
            if frame.time is None or frame.time >= target:
                break
        if chosen is None:
            raise _not_a_video()
        return chosen.to_image()
