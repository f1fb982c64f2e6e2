"""HTTP Range requests (RFC 9110 §14) for the playback view. Pure functions, unit-tested case by case.

Choices, within what the RFC allows:
- One range (`bytes=a-b`, `bytes=a-`, `bytes=-n`) → 206 with `Content-Range: bytes a-b/size`; an end past the
  file is cut to its last byte, a suffix longer than the file means the whole file.
- Several ranges (`bytes=0-1,5-6`) → the range header is ignored and the whole file is sent with 200: players
  never ask for several, and a multipart answer would buy nothing.
- A header that is not a valid byte range (`bytes=5-2`, `bytes=x`, another unit) is ignored too → 200 whole.
- A valid range that starts at or after the end of the file (`bytes=size-`, `bytes=-0`, anything on an empty
  file) → 416 with `Content-Range: bytes */size`.
- `If-Range` with an ETag (strong comparison) or a date (exactly the Last-Modified) that no longer matches →
  the range is ignored, 200 whole.
"""

import re
from dataclasses import dataclass

RANGE_SPEC = re.compile(r"^(\d*)-(\d*)$")


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


class Unsatisfiable(Exception):
    """Answer 416 with `Content-Range: bytes */size`."""


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one range to send, None to send the whole file; raises `Unsatisfiable` for a 416."""
    if not header:
        return None
    unit, _, specs = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or not specs.strip():
        return None
    parts = [part.strip() for part in specs.split(",")]
    if len(parts) != 1:
        return None
    match = RANGE_SPEC.match(parts[0])
    if not match:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":  # suffix: the last n bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    if last != "" and int(last) < start:
        return None  # not a valid range: ignored
    if start >= size:
        raise Unsatisfiable
    end = size - 1 if last == "" else min(int(last), size - 1)
    return ByteRange(start, end)


def if_range_matches(if_range: str | None, *, etag: str, last_modified: str) -> bool:
    """Whether the Range header still applies. A weak ETag never matches (RFC 9110 §13.1.5)."""
    if if_range is None:
        return True
    value = if_range.strip()
    if value.startswith('"'):
        return value == etag
    if value.startswith("W/"):
        return False
    return value == last_modified
