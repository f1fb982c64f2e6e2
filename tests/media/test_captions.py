"""Caption files: WebVTT checked, SRT converted; a malformed file gives a clear message."""

import pytest
from django.core.exceptions import ValidationError

from media.captions import format_timestamp, normalise_captions

VTT = b"""WEBVTT - sous-titres

NOTE written by hand

intro
00:00.000 --> 00:01.500 line:90%
Bonjour !

00:00:01.500 --> 00:00:03.000
Je suis <i>\xc3\xa9lectricienne</i>.
"""

SRT = b"""1
00:00:00,000 --> 00:00:01,500
Bonjour !

2
00:00:01,500 --> 00:00:03,000
<font color="red">Je suis</font> <i>\xc3\xa9lectricienne</i>.
"""


def test_a_webvtt_file_is_kept_normalised_with_identifiers_and_settings():
    webvtt, count, source = normalise_captions(VTT, filename="fr.vtt")
    assert (count, source) == (2, "vtt")
    assert webvtt.splitlines()[:5] == ["WEBVTT", "", "intro", "00:00:00.000 --> 00:00:01.500 line:90%", "Bonjour !"]
    assert "Je suis <i>électricienne</i>." in webvtt


def test_an_srt_file_becomes_webvtt_without_font_tags():
    webvtt, count, source = normalise_captions(SRT, filename="fr.srt")
    assert (count, source) == (2, "srt")
    assert webvtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nBonjour !\n")
    assert "Je suis <i>électricienne</i>." in webvtt
    assert "font" not in webvtt


def test_windows_line_ends_and_a_byte_order_mark_are_fine():
    webvtt, count, _source = normalise_captions(b"\xef\xbb\xbf" + SRT.replace(b"\n", b"\r\n"))
    assert count == 2
    assert "\r" not in webvtt


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "vide"),
        (b"\xff\xfe\x00W", "UTF-8"),
        (b"WEBVTTX\n\n00:00.000 --> 00:01.000\nA\n", "WEBVTT"),
        (b"WEBVTT\n\n00:00.000 -> 00:01.000\nA\n", "Ligne 3"),
        (b"WEBVTT\n\n00:02.000 --> 00:01.000\nA\n", "finit avant de commencer"),
        (b"WEBVTT\n\n00:02.000 --> 00:03.000\nA\n\n00:01.000 --> 00:04.000\nB\n", "avant le précédent"),
        (b"WEBVTT\n\n00:00.000 --> 00:01.000\n", "Ligne 3"),
        (b"WEBVTT\n\nNOTE rien\n", "aucun sous-titre"),
        (b"WEBVTT\n\n00:00.000 --> 00:01.000\nA\n00:01.000 --> 00:02.000\nB\n", "ligne vide manque"),
        (b"1\n00:00:01.000 -> 00:00:02,000\nA\n", "SRT"),
        (b"Just some text\nthat is not captions\n", "SRT"),
    ],
)
def test_malformed_files_are_refused_with_a_reason(data, message):
    with pytest.raises(ValidationError) as refused:
        normalise_captions(data, filename="captions.vtt" if data.startswith(b"WEBVTT") else "captions.srt")
    assert message in refused.value.messages[0]


def test_a_cue_after_the_end_of_the_video_is_refused():
    with pytest.raises(ValidationError, match="après la fin de la vidéo"):
        normalise_captions(VTT, duration=1.0)
    assert normalise_captions(VTT, duration=2.5)[1] == 2  # within the one-second tolerance


def test_the_size_limit(settings):
    settings.MEDIA_MAX_CAPTION_BYTES = 100
    with pytest.raises(ValidationError, match="dépasse"):
        normalise_captions(VTT)


def test_timestamps_are_written_in_full():
    assert format_timestamp(3725.5) == "01:02:05.500"
