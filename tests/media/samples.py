"""Tiny real videos made with PyAV for the tests: one second, 160×120, generated on the spot."""

from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, ImageDraw

WIDTH, HEIGHT, FPS = 160, 120, 24
SAMPLE_RATE = 48000


def _frames(count: int):
    for index in range(count):
        picture = Image.new("RGB", (WIDTH, HEIGHT), (0, 0, 80))
        # A red bar growing from the left: each frame differs from the others.
        ImageDraw.Draw(picture).rectangle((0, 0, (index * WIDTH) // count, HEIGHT), fill=(200, 0, 80))
        yield av.VideoFrame.from_image(picture)


def make_video(
    path: Path,
    *,
    container_format: str = "mp4",
    video_codec: str = "libx264",
    audio_codec: str | None = "aac",
    seconds: float = 1.0,
    options: dict | None = None,
) -> Path:
    """Writes a real video of `seconds` and returns its path."""
    with av.open(str(path), mode="w", format=container_format, options=options or {}) as output:
        video = output.add_stream(video_codec, rate=FPS)
        video.width, video.height = WIDTH, HEIGHT
        video.pix_fmt = "yuv420p"
        if video_codec == "libvpx-vp9":
            video.options = {"deadline": "realtime", "cpu-used": "8"}
        audio = output.add_stream(audio_codec, rate=SAMPLE_RATE) if audio_codec else None
        for frame in _frames(int(FPS * seconds)):
            for packet in video.encode(frame):
                output.mux(packet)
        for packet in video.encode(None):
            output.mux(packet)
        if audio is not None:
            frame_size = audio.codec_context.frame_size or 1024
            total = int(SAMPLE_RATE * seconds)
            audio_format = audio.codec_context.format.name
            pts = 0
            while pts < total:
                frame = av.AudioFrame(format=audio_format, layout="stereo", samples=frame_size)
                for plane in frame.planes:
                    plane.update(bytes(plane.buffer_size))  # silence
                frame.sample_rate = SAMPLE_RATE
                frame.pts = pts
                frame.time_base = Fraction(1, SAMPLE_RATE)
                pts += frame_size
                for packet in audio.encode(frame):
                    output.mux(packet)
            for packet in audio.encode(None):
                output.mux(packet)
    return path


def h264_mp4(path: Path, *, audio: bool = True, seconds: float = 1.0) -> Path:
    return make_video(path, audio_codec="aac" if audio else None, seconds=seconds)


def h264_mp4_faststart(path: Path, *, seconds: float = 2.0) -> Path:
    """The index (moov) before the data, as web encoders write it: a cut file still opens."""
    return make_video(path, seconds=seconds, options={"movflags": "faststart"})


def vp9_webm(path: Path) -> Path:
    return make_video(path, container_format="webm", video_codec="libvpx-vp9", audio_codec="libopus")


def mpeg4_part2_mp4(path: Path) -> Path:
    """MPEG-4 Part 2 (DivX-era), which browsers do not play."""
    return make_video(path, video_codec="mpeg4", audio_codec="aac")


def truncated(source: Path, path: Path, *, keep: float = 0.5) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def text_file(path: Path) -> Path:
    path.write_text("Ceci n'est pas une vidéo, seulement du texte renommé.\n" * 50, encoding="utf-8")
    return path


def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path
