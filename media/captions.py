"""Caption files: WebVTT checked, SRT converted to WebVTT. Pure functions; a refusal is a ValidationError whose
message says where the file is wrong.

What is checked: UTF-8 text under the size limit, the "WEBVTT" header (WebVTT) or numbered blocks (SRT), every
cue's timing line, a start before its end, starts that never go back in time, ends inside the video's duration
when it is known, and at least one cue. The WebVTT written back is normalised: the header, then each cue
(its identifier, when it had one, its timing with its settings, its text).
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_CAPTION_BYTES = 512 * 1024
# A caption may end a little after the last frame (players round durations).
DURATION_TOLERANCE = 1.0

VTT_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
VTT_TIMING = re.compile(rf"^{VTT_TIME}[ \t]+-->[ \t]+{VTT_TIME}(?:[ \t]+(.*))?$")
SRT_TIME = r"(\d{1,2}):([0-5]\d):([0-5]\d)[,.](\d{1,3})"
SRT_TIMING = re.compile(rf"^{SRT_TIME}\s+-->\s+{SRT_TIME}(?:\s+.*)?$")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str
    identifier: str = ""
    settings: str = ""


def max_caption_bytes() -> int:
    return int(getattr(settings, "MEDIA_MAX_CAPTION_BYTES", MAX_CAPTION_BYTES))


def _seconds(hours, minutes, seconds, fraction) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(fraction.ljust(3, "0")) / 1000


def format_timestamp(value: float) -> str:
    millis = round(value * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    seconds, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _decode(data: bytes) -> str:
    if not data:
        raise ValidationError(_("Le fichier de sous-titres est vide."), code="empty")
    if len(data) > max_caption_bytes():
        raise ValidationError(
            _("Le fichier de sous-titres dépasse %(size)s Ko."),
            code="too_large",
            params={"size": max_caption_bytes() // 1024},
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _("Le fichier de sous-titres doit être enregistré en UTF-8 (c'est un choix à l'enregistrement)."),
            code="encoding",
        ) from None
    if "\x00" in text:
        raise ValidationError(_("Ce fichier n'est pas un fichier texte de sous-titres."), code="not_text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """The blocks separated by blank lines, each with the number of its first line (1-based)."""
    blocks, current, start = [], [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.rstrip())
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _bad_timing(line_number: int) -> ValidationError:
    return ValidationError(
        _(
            "Ligne %(line)s : la ligne des temps doit s'écrire « 00:00:01.000 --> 00:00:04.000 » "
            "(heures facultatives, millisecondes sur trois chiffres)."
        ),
        code="timing",
        params={"line": line_number},
    )


def parse_webvtt(data: bytes) -> list[Cue]:
    text = _decode(data)
    lines = text.split("\n")
    header = lines[0]
    if not (header == "WEBVTT" or header.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise ValidationError(
            _("Un fichier WebVTT commence par la ligne « WEBVTT » ; celui-ci commence autrement."), code="header"
        )
    cues = []
    for start_line, block in _blocks(text)[1:]:
        if block[0].startswith(("NOTE", "STYLE", "REGION")) and "-->" not in block[0]:
            continue
        identifier = ""
        timing_index = 0
        if "-->" not in block[0]:
            if "->" in block[0] or re.match(r"^\d+:\d", block[0]):
                raise _bad_timing(start_line)  # a timing line written wrong, not a cue identifier
            identifier, timing_index = block[0], 1
        if timing_index >= len(block):
            raise _bad_timing(start_line + timing_index)
        match = VTT_TIMING.match(block[timing_index].strip())
        if not match:
            raise _bad_timing(start_line + timing_index)
        groups = match.groups()
        cues.append(
            Cue(
                start=_seconds(*groups[0:4]),
                end=_seconds(*groups[4:8]),
                settings=(groups[8] or "").strip(),
                identifier=identifier,
                text="\n".join(block[timing_index + 1 :]),
            )
        )
        _check_cue(cues, start_line + timing_index)
    return cues


def parse_srt(data: bytes) -> list[Cue]:
    text = _decode(data)
    cues = []
    for start_line, block in _blocks(text):
        timing_index = 1 if block[0].strip().isdigit() else 0
        if timing_index >= len(block):
            raise _bad_timing(start_line + timing_index)
        match = SRT_TIMING.match(block[timing_index].strip())
        if not match:
            raise ValidationError(
                _(
                    "Ligne %(line)s : dans un fichier SRT, la ligne des temps doit s'écrire "
                    "« 00:00:01,000 --> 00:00:04,000 »."
                ),
                code="timing",
                params={"line": start_line + timing_index},
            )
        groups = match.groups()
        # SRT italics and bold tags are WebVTT's too; font tags are not.
        payload = "\n".join(re.sub(r"</?font[^>]*>", "", line) for line in block[timing_index + 1 :])
        cues.append(Cue(start=_seconds(*groups[0:4]), end=_seconds(*groups[4:8]), text=payload))
        _check_cue(cues, start_line + timing_index)
    return cues


def _check_cue(cues: list[Cue], line_number: int) -> None:
    cue = cues[-1]
    if cue.end <= cue.start:
        raise ValidationError(
            _("Ligne %(line)s : le sous-titre finit avant de commencer (%(start)s → %(end)s)."),
            code="order",
            params={"line": line_number, "start": format_timestamp(cue.start), "end": format_timestamp(cue.end)},
        )
    if len(cues) > 1 and cue.start < cues[-2].start:
        raise ValidationError(
            _(
                "Ligne %(line)s : ce sous-titre commence à %(start)s, avant le précédent (%(previous)s) : "
                "les sous-titres doivent être rangés dans l'ordre du temps."
            ),
            code="order",
            params={
                "line": line_number,
                "start": format_timestamp(cue.start),
                "previous": format_timestamp(cues[-2].start),
            },
        )
    if not cue.text.strip():
        raise ValidationError(
            _("Ligne %(line)s : ce sous-titre n'a pas de texte."), code="empty_cue", params={"line": line_number}
        )
    if "-->" in cue.text:
        raise ValidationError(
            _("Ligne %(line)s : une ligne vide manque entre deux sous-titres."),
            code="timing",
            params={"line": line_number},
        )


def to_webvtt(cues: list[Cue]) -> str:
    parts = ["WEBVTT", ""]
    for cue in cues:
        if cue.identifier:
            parts.append(cue.identifier)
        timing = f"{format_timestamp(cue.start)} --> {format_timestamp(cue.end)}"
        parts.append(f"{timing} {cue.settings}" if cue.settings else timing)
        parts.append(cue.text)
        parts.append("")
    return "\n".join(parts)


def normalise_captions(data: bytes, *, filename: str = "", duration: float | None = None) -> tuple[str, int, str]:
    """Checks a caption file and gives back (WebVTT text, number of cues, source format "vtt" or "srt").

    The format comes from the content (a WebVTT file starts with "WEBVTT"), whatever the file's name says."""
    head = data[:16].lstrip(b"\xef\xbb\xbf")
    if head.startswith(b"WEBVTT"):
        cues, source = parse_webvtt(data), "vtt"
    elif filename.lower().endswith(".vtt"):
        cues, source = parse_webvtt(data), "vtt"  # gives the header error
    else:
        cues, source = parse_srt(data), "srt"
    if not cues:
        raise ValidationError(_("Le fichier ne contient aucun sous-titre."), code="no_cue")
    if duration is not None and cues and max(cue.end for cue in cues) > duration + DURATION_TOLERANCE:
        last = max(cues, key=lambda cue: cue.end)
        raise ValidationError(
            _("Un sous-titre finit à %(end)s, après la fin de la vidéo (%(duration)s)."),
            code="after_end",
            params={"end": format_timestamp(last.end), "duration": format_timestamp(duration)},
        )
    return to_webvtt(cues), len(cues), source
