"""HTTP Range parsing, case by case (the view's answers are in test_playback.py)."""

import pytest

from media.ranges import ByteRange, Unsatisfiable, if_range_matches, parse_range

SIZE = 1000


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("bytes=0-99", ByteRange(0, 99)),
        ("bytes=100-", ByteRange(100, 999)),
        ("bytes=-100", ByteRange(900, 999)),
        ("bytes=-5000", ByteRange(0, 999)),  # a suffix longer than the file: all of it
        ("bytes=990-5000", ByteRange(990, 999)),  # an end past the file is cut
        ("bytes=999-999", ByteRange(999, 999)),
        ("BYTES = 0-0".replace(" ", ""), ByteRange(0, 0)),
        # Ignored, whole file: several ranges, nonsense, another unit, an end before the start.
        ("bytes=0-1,5-6", None),
        ("bytes=abc", None),
        ("bytes=-", None),
        ("bytes=", None),
        ("items=0-5", None),
        ("bytes=5-2", None),
        ("bytes=1-2-3", None),
    ],
)
def test_parse_range(header, expected):
    assert parse_range(header, SIZE) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_unsatisfiable_ranges(header):
    with pytest.raises(Unsatisfiable):
        parse_range(header, SIZE)


def test_any_range_of_an_empty_file_is_unsatisfiable():
    with pytest.raises(Unsatisfiable):
        parse_range("bytes=0-", 0)
    with pytest.raises(Unsatisfiable):
        parse_range("bytes=-10", 0)


def test_content_range():
    assert ByteRange(900, 999).content_range(SIZE) == "bytes 900-999/1000"
    assert ByteRange(900, 999).length == 100


@pytest.mark.parametrize(
    ("if_range", "applies"),
    [
        (None, True),
        ('"abc"', True),
        ('"abd"', False),
        ('W/"abc"', False),  # weak validators never match
        ("Sun, 29 Nov 2026 01:00:00 GMT", True),
        ("Sun, 29 Nov 2026 01:00:01 GMT", False),
    ],
)
def test_if_range(if_range, applies):
    assert if_range_matches(if_range, etag='"abc"', last_modified="Sun, 29 Nov 2026 01:00:00 GMT") is applies
