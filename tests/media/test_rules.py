"""Pure rules: what browsers play, what publication needs, language tags, uploaded images."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from media import images, rules

MP4 = "mov,mp4,m4a,3gp,3g2,mj2"
WEBM = "matroska,webm"


@pytest.mark.parametrize(
    ("demuxer", "video", "audio"),
    [
        (MP4, "h264", ["aac"]),
        (MP4, "h264", []),
        (MP4, "av1", ["opus"]),
        (MP4, "vp9", ["mp3"]),
        (WEBM, "vp9", ["opus"]),
        (WEBM, "vp8", ["vorbis"]),
        (WEBM, "av1", []),
    ],
)
def test_what_browsers_play_is_accepted(demuxer, video, audio):
    assert rules.refusal_for_streams(demuxer=demuxer, video_codec=video, audio_codecs=audio) is None


@pytest.mark.parametrize(
    ("demuxer", "video", "audio", "words"),
    [
        ("avi", "h264", [], "format de fichier"),
        (MP4, None, ["aac"], "pas d'image"),
        (MP4, "mpeg4", ["aac"], "mpeg4"),
        (MP4, "hevc", ["aac"], "hevc"),
        (WEBM, "h264", ["opus"], "h264"),  # Matroska, not WebM
        (MP4, "h264", ["ac3"], "ac3"),
        (WEBM, "vp9", ["aac"], "aac"),
    ],
)
def test_what_browsers_cannot_play_is_refused_with_a_reason(demuxer, video, audio, words):
    reason = rules.refusal_for_streams(demuxer=demuxer, video_codec=video, audio_codecs=audio)
    assert words in reason


def test_publication_needs_a_processed_file_french_captions_and_a_transcript():
    assert (
        rules.publication_blockers(
            has_file=True, processing_succeeded=True, has_french_captions=True, transcript="Bonjour"
        )
        == []
    )
    missing = rules.publication_blockers(
        has_file=False, processing_succeeded=False, has_french_captions=False, transcript="  "
    )
    assert len(missing) == 3
    assert any("fichier" in reason for reason in missing)
    assert any("français" in reason for reason in missing)
    assert any("transcription" in reason for reason in missing)
    assert (
        "traitement"
        in rules.publication_blockers(
            has_file=True, processing_succeeded=False, has_french_captions=True, transcript="x"
        )[0]
    )


@pytest.mark.parametrize("tag", ["fr", "en", "pt-BR", "gcf"])
def test_language_tags(tag):
    rules.validate_language_tag(tag)


@pytest.mark.parametrize("tag", ["", "FR", "french", "fr_FR", "fr-br"])
def test_bad_language_tags(tag):
    with pytest.raises(ValidationError):
        rules.validate_language_tag(tag)


def test_language_labels():
    assert rules.language_label("fr") == "Français"
    assert rules.language_label("pt-BR") == "Português Brasileiro"
    assert rules.language_label("gcf") == "gcf"


def _image(image_format: str, size=(800, 450)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format=image_format)
    return buffer.getvalue()


def _png_header_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header announces a huge picture: a decompression bomb."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b"")


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_real_images_are_accepted(image_format):
    assert images.load_checked(_image(image_format)).size == (800, 450)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "vide"),
        (b"not an image at all" * 10, "JPEG, PNG ou WebP"),
        (_image("GIF"), "JPEG, PNG ou WebP"),
        (_image("JPEG")[:200], "JPEG, PNG ou WebP"),  # cut short
        (_png_header_claiming(100_000, 100_000), "trop grande"),  # Pillow's own bomb error
        (_png_header_claiming(12_000, 12_000), "trop grande"),  # between the limit and twice it: a warning
    ],
)
def test_bad_images_are_refused(data, words):
    with pytest.raises(ValidationError) as refused:
        images.load_checked(data)
    assert words in refused.value.messages[0]


def test_the_pixel_limit_is_a_setting(settings):
    settings.MEDIA_IMAGE_MAX_PIXELS = 1000
    with pytest.raises(ValidationError, match="trop grande"):
        images.load_checked(_image("PNG", size=(100, 100)))


def test_thumbnails_in_each_width_up_to_the_picture_in_webp_and_jpeg():
    made = images.thumbnail_set(Image.new("RGB", (1000, 500)))
    assert [(width, height, image_format) for width, height, image_format, _data in made] == [
        (320, 160, "webp"),
        (320, 160, "jpeg"),
        (640, 320, "webp"),
        (640, 320, "jpeg"),
    ]
    assert Image.open(io.BytesIO(made[0][3])).format == "WEBP"
    assert Image.open(io.BytesIO(made[1][3])).format == "JPEG"
    small = images.thumbnail_set(Image.new("RGB", (160, 120)))
    assert [(width, image_format) for width, _height, image_format, _data in small] == [(160, "webp"), (160, "jpeg")]
