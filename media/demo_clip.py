"""A short real video for the demo data, made on the spot with PyAV (its wheels carry FFmpeg): 640×360 H.264
with AAC sound in MP4, coloured frames that slowly change hue, a disc crossing the picture and a soft tone.

It plays in every browser and goes through the same checks and processing as an uploaded file. Making the
default 12 seconds takes about a second here (libx264's "ultrafast" preset).
"""

import colorsys
import math
from array import array
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, ImageDraw

WIDTH, HEIGHT, FPS = 640, 360, 24
SAMPLE_RATE = 48000
TONE_HZ = 440.0
TONE_VOLUME = 0.08


def _frame(index: int, count: int) -> Image.Image:
    progress = index / max(count - 1, 1)
    red, green, blue = colorsys.hsv_to_rgb(0.55 + 0.35 * progress, 0.55, 0.45)
    picture = Image.new("RGB", (WIDTH, HEIGHT), (int(red * 255), int(green * 255), int(blue * 255)))
    draw = ImageDraw.Draw(picture)
    radius = HEIGHT // 6
    x = int(radius + (WIDTH - 2 * radius) * progress)
    y = int(HEIGHT / 2 + math.sin(progress * 4 * math.pi) * HEIGHT / 5)
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(245, 245, 245))
    # A band along the bottom, where captions show, that fills up as time goes.
    draw.rectangle((0, HEIGHT - 12, int(WIDTH * progress), HEIGHT), fill=(225, 0, 15))
    return picture


def _tone(seconds: float) -> bytes:
    """The whole tone as 32-bit floats: one second computed (440 Hz has whole periods in it) and repeated,
    faded in over its first 0.2 s."""
    second = array("f", (TONE_VOLUME * math.sin(2 * math.pi * TONE_HZ * n / SAMPLE_RATE) for n in range(SAMPLE_RATE)))
    signal = second * math.ceil(seconds)
    del signal[int(SAMPLE_RATE * seconds) :]
    fade = int(0.2 * SAMPLE_RATE)
    for number in range(min(fade, len(signal))):
        signal[number] *= number / fade
    return signal.tobytes()


def make_clip(path: Path, *, seconds: float = 12.0) -> Path:
    """Writes the clip at `path` and returns it."""
    with av.open(str(path), mode="w", format="mp4", options={"movflags": "faststart"}) as output:
        video = output.add_stream("libx264", rate=FPS)
        video.width, video.height = WIDTH, HEIGHT
        video.pix_fmt = "yuv420p"
        video.options = {"preset": "ultrafast", "crf": "28"}
        audio = output.add_stream("aac", rate=SAMPLE_RATE)
        count = int(FPS * seconds)
        for index in range(count):
            for packet in video.encode(av.VideoFrame.from_image(_frame(index, count))):
                output.mux(packet)
        for packet in video.encode(None):
            output.mux(packet)
        frame_size = audio.codec_context.frame_size or 1024
        total = int(SAMPLE_RATE * seconds)
        signal = _tone(seconds)
        pts = 0
        while pts < total:
            samples = min(frame_size, total - pts)
            frame = av.AudioFrame(format="fltp", layout="stereo", samples=samples)
            tone = signal[pts * 4 : (pts + samples) * 4]
            for plane in frame.planes:
                plane.update(tone + bytes(plane.buffer_size - len(tone)))
            frame.sample_rate = SAMPLE_RATE
            frame.pts = pts
            frame.time_base = Fraction(1, SAMPLE_RATE)
            pts += samples
            for packet in audio.encode(frame):
                output.mux(packet)
        for packet in audio.encode(None):
            output.mux(packet)
    return path
