"""PyAV probing of real tiny videos made on the spot."""

import pytest

from media.probing import MediaRefused, frame_at, probe


@pytest.mark.parametrize(
    ("name", "container", "video", "audio"),
    [
        ("h264", "mp4", "h264", "aac"),
        ("h264_silent", "mp4", "h264", ""),
        ("vp9", "webm", "vp9", "opus"),
        ("faststart", "mp4", "h264", "aac"),
    ],
)
def test_playable_videos_are_described(sample, name, container, video, audio):
    found = probe(sample(name))
    assert (found.container, found.video_codec, found.audio_codec) == (container, video, audio)
    assert (found.width, found.height) == (160, 120)
    assert found.duration == pytest.approx(2.0 if name == "faststart" else 1.0, abs=0.05)
    assert found.content_type == f"video/{container}"


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("mpeg4", "mpeg4"),
        ("text", "pas une vidéo lisible"),
        ("empty", "vide"),
        ("truncated", "pas une vidéo lisible"),  # the index (at the end) is gone
        ("truncated_faststart", "incomplet"),  # the index is there, the pictures stop early
    ],
)
def test_unplayable_files_are_refused_with_a_reason(sample, name, words):
    with pytest.raises(MediaRefused, match=words):
        probe(sample(name))


@pytest.mark.parametrize("name", ["h264", "vp9"])
def test_a_poster_frame_is_decoded(sample, name):
    image = frame_at(sample(name), fraction=0.1)
    assert image.size == (160, 120)
    # The red bar grows with time: at 10 % it covers a small part of the picture.
    red, _green, _blue = image.convert("RGB").getpixel((150, 60))
    assert red < 100
