"""The contact-details filter for pupils' messages: phone numbers, e-mail addresses, links, social handles, street
addresses and the staff's word list are replaced by "[masqué]" before a message is stored.

Pure functions, no database: the caller passes the staff-edited words. Detectors run in a fixed order of priority
(an e-mail address is not also reported as a handle or a link); a span already masked is never claimed twice.
The patterns lean towards what pupils actually type (groups of two digits, "arobase", "snap : prénom") and keep
away from ordinary school talk: times ("14h30", "10:45"), dates ("12/03/2027"), prices, class names ("3e B"),
years and ISO weeks are left alone.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MASK = gettext_lazy("[masqué]")

PHONE = "phone"
EMAIL = "email"
URL = "url"
HANDLE = "handle"
ADDRESS = "address"
WORD = "word"
KINDS = (PHONE, EMAIL, URL, HANDLE, ADDRESS, WORD)


@dataclass(frozen=True)
class FilterResult:
    text: str
    masked: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.masked)


# --- Phone numbers -------------------------------------------------------------------------------------------
# Spaces include the non-breaking ones that phones and word processors insert.
_SPACE = r"[ \t\u00a0\u202f]"
# One separator between groups of digits: spaces, or a dot/dash/underscore with optional spaces around it.
_SEP = rf"(?:{_SPACE}{{1,2}}|{_SPACE}?[.\-_]{_SPACE}?)"
# The French territories that pupils may write from: metropolitan France (33), Réunion and Mayotte (262, 269),
# Guadeloupe (590), French Guiana (594), Martinique (596); 9 national digits after the country code.
_NINE_DIGIT_CODES = r"33|262|269|590|594|596"
_PHONE_PATTERNS = (
    # National numbers in pairs, the separator kept the same throughout: 06 12 34 56 78, 06.12.34.56.78, 0612345678.
    rf"0[1-9](?P<s1>{_SEP}?)\d\d(?:(?P=s1)\d\d){{3}}",
    # Overseas habit: four digits then pairs, 0262 12 34 56, 0692-12-34-56.
    rf"0[1-9]\d\d(?P<s2>{_SEP})\d\d(?:(?P=s2)\d\d){{2}}",
    # Digit by digit: 0 6 1 2 3 4 5 6 7 8.
    rf"0(?P<s3>{_SEP})[1-9](?:(?P=s3)\d){{8}}",
    # International forms: the prefix is a strong signal, so any grouping is accepted after it.
    rf"(?:\+|00){_SPACE}?(?:{_NINE_DIGIT_CODES}){_SEP}?(?:\(0\){_SEP}?|0{_SEP}?)?[1-9](?:{_SEP}?\d){{8}}",
    # New Caledonia (6 digits) and French Polynesia (8 digits).
    rf"(?:\+|00){_SPACE}?687{_SEP}?\d(?:{_SEP}?\d){{5}}",
    rf"(?:\+|00){_SPACE}?689{_SEP}?\d(?:{_SEP}?\d){{7}}",
)
_PHONE_RE = re.compile(r"(?<![\w+])(?:" + "|".join(f"(?:{pattern})" for pattern in _PHONE_PATTERNS) + r")(?![\w])")

# --- E-mail addresses ------------------------------------------------------------------------------------------
_EMAIL_RE = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[a-z]{2,24}\b", re.IGNORECASE)
# "prenom [at] gmail [dot] com", "prenom arobase gmail point com", "prenom(at)gmail.com", "prenom @ gmail.com". A bare
# "." counts only without spaces around it, so that "salut @Lea. Bisous" stays a handle.
_AT_WORDS = r"at|arobase|arobas|arrobase"
_AT_WORD = rf"(?:\s*[\[\(\{{<]\s*(?:{_AT_WORDS}|@)\s*[\]\)\}}>]\s*|\s+(?:{_AT_WORDS})\s+|\s*@\s*)"
_DOT_WORD = r"(?:\s*[\[\(\{<]\s*(?:dot|point|\.)\s*[\]\)\}>]\s*|\s+(?:dot|point)\s+|\.)"
_EMAIL_TLDS = "com|fr|net|org|eu|io|be|ch|ca|re|info|me|biz|uk|de"
_OBFUSCATED_EMAIL_RE = re.compile(
    rf"(?<![\w.+\-])[\w.+\-]+{_AT_WORD}[\w\-]+(?:{_DOT_WORD}[\w\-]+)*?{_DOT_WORD}(?:{_EMAIL_TLDS})\b",
    re.IGNORECASE,
)

# --- Links -----------------------------------------------------------------------------------------------------
# Behind a scheme or "www." any ending is a link; a bare "name.ending" only with endings that are not also words
# a pupil may glue after a full stop ("c'est bien.De plus", "bien.ca va").
_BARE_TLDS = "com|fr|net|org|eu|io|gg|ly|tv|info|biz|xyz|re|gp|mq|gf|yt|nc|pf|pm|uk"
_URL_RE = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"']+"
    rf"|(?<![\w@.\-])(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+(?:{_BARE_TLDS})\b(?:[/?#][^\s<>\"']*)?",
    re.IGNORECASE,
)
# "monsite point com", "monsite [dot] fr": only the commonest endings, so that "un point fort" stays.
_OBFUSCATED_URL_RE = re.compile(
    r"(?<![\w.\-])[a-z0-9\-]{2,}\s*(?:[\[\(\{<]\s*(?:dot|point)\s*[\]\)\}>]|\b(?:dot|point)\b)\s*(?:com|fr|net|org|io)\b",
    re.IGNORECASE,
)
_TRAILING_PUNCTUATION = ".,;:!?)]}»\"'"

# --- Social handles ------------------------------------------------------------------------------------------
# A name of 2 to 30 letters, digits, "_" or ".", with at least one letter, never ending with a dot (a full stop).
_NAME = r"(?=[\w.]*[a-z])\w[\w.]{0,28}\w"
_AT_HANDLE_RE = re.compile(rf"(?<![\w.@])@{_NAME}", re.IGNORECASE)
_PLATFORMS = (
    r"snap(?:chat)?|insta(?:gram)?|ig|tik\s?tok|discord|twitter|facebook|fb|telegram|whats\s?app|signal|youtube|"
    r"twitch|threads|bereal|pinterest|roblox|fortnite|psn|steam|xbox|linkedin|messenger"
)
_HANDLE_NAME = rf"(?P<name>@?{_NAME})"
# "snap : prenom", "insta=prenom", "tiktok -> prenom": only the name is masked.
_LABELLED_HANDLE_RE = re.compile(rf"\b(?:{_PLATFORMS})\s*(?::|=|->|→)\s*{_HANDLE_NAME}", re.IGNORECASE)
# "mon snap c'est prenom", "son insta est prenom"; without the possessive, "snap c'est nul" is only an opinion.
_OWNED_HANDLE_RE = re.compile(
    rf"\b(?:mon|ma|ton|ta|son|sa|notre|votre|leur)\s+(?:(?:compte|pseudo)\s+)?(?:{_PLATFORMS})\s*"
    rf"(?:c['’]\s*est|est|:)\s*{_HANDLE_NAME}",
    re.IGNORECASE,
)


# --- Street addresses ------------------------------------------------------------------------------------------
# Words that name a street without doubt once they follow a house number.
_STREET_TYPES = (
    r"rue|avenue|av|bd|boulevard|blvd|all[ée]e|impasse|imp|chemin|place|pl|quai|route|rte|square|sq|"
    r"faubourg|fbg|r[ée]sidence|lotissement|hameau|sentier|ruelle|esplanade|promenade|rond-point|parvis|"
    r"lieu-dit|traverse|mont[ée]e|cit[ée]"
)
# Words that are also common school talk ("j'ai 4 cours demain"): a street only before a capitalised name.
_AMBIGUOUS_STREET_TYPES = r"cours|passage|villa|domaine|voie|mail"
_ADDRESS_RE = re.compile(
    rf"(?<![\w,.])\d{{1,4}}(?:{_SPACE}?(?:bis|ter|quater|[a-d])\b)?{_SPACE}*,?{_SPACE}*"
    rf"(?:(?P<street>{_STREET_TYPES})|(?P<ambiguous>{_AMBIGUOUS_STREET_TYPES}))\.?(?=[\s,])",
    re.IGNORECASE,
)
_NAME_TOKEN_RE = re.compile(rf"{_SPACE}*(?P<token>[^\W\d_][\w\-]*['’]?|\d{{1,4}})")
_POSTCODE_RE = re.compile(rf"{_SPACE}*,?{_SPACE}*\d{{5}}(?:{_SPACE}+[^\W\d_][\w'’\-]*)?(?!\w)")
_LINKING_WORDS = {"de", "du", "des", "d", "la", "le", "les", "l", "saint", "sainte", "st", "ste"}
# Words after which the street name has certainly ended.
_STOP_WORDS = {
    "à",
    "a",
    "au",
    "aux",
    "et",
    "ou",
    "avec",
    "pour",
    "mais",
    "puis",
    "donc",
    "dans",
    "sur",
    "chez",
    "en",
    "je",
    "j",
    "tu",
    "il",
    "elle",
    "on",
    "nous",
    "vous",
    "ils",
    "elles",
    "c",
    "ce",
    "cet",
    "cette",
    "ces",
    "qui",
    "que",
    "quand",
    "si",
    "demain",
    "aujourd",
    "hier",
    "est",
    "sont",
    "merci",
    "svp",
}
_MAX_NAME_TOKENS = 5


def _token_key(token: str) -> str:
    return token.casefold().rstrip("'’")


def _street_name_end(text: str, position: int, *, needs_capital: bool) -> int | None:
    """End of the street name that starts at `position`, or None when no name follows (then it is no address)."""
    end = None
    tokens = 0
    seen_name = False
    while tokens < _MAX_NAME_TOKENS:
        match = _NAME_TOKEN_RE.match(text, position)
        if not match:
            break
        token = match.group("token")
        key = _token_key(token)
        if key in _STOP_WORDS:
            break
        if key in _LINKING_WORDS and not seen_name:
            position = match.end()
            tokens += 1
            continue
        if needs_capital and not seen_name and not token[0].isupper():
            break
        seen_name = True
        end = position = match.end()
        tokens += 1
    if end is None:
        return None
    postcode = _POSTCODE_RE.match(text, end)
    return postcode.end() if postcode else end


# --- The staff's word list --------------------------------------------------------------------------------------
_LIGATURES = {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"}


def _fold(char: str) -> str:
    if char in _LIGATURES:
        return _LIGATURES[char]
    decomposed = unicodedata.normalize("NFD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _folded_with_offsets(text: str) -> tuple[str, list[int]]:
    """The text without accents nor case, and for each of its characters the index of the original one."""
    folded: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        for piece in _fold(char):
            folded.append(piece)
            offsets.append(index)
    return "".join(folded), offsets


def _word_spans(text: str, words: Iterable[str]) -> Iterator[tuple[int, int]]:
    folded_words = sorted({"".join(_fold(c) for c in word.strip()) for word in words if word and word.strip()})
    if not folded_words:
        return
    folded, offsets = _folded_with_offsets(text)
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(word) for word in sorted(folded_words, key=len, reverse=True)) + r")(?!\w)"
    )
    for match in pattern.finditer(folded):
        yield offsets[match.start()], offsets[match.end() - 1] + 1


# --- Detectors, in order of priority ----------------------------------------------------------------------------


def _regex_spans(regex: re.Pattern, group: str | int = 0) -> Callable[[str], Iterator[tuple[int, int]]]:
    def spans(text: str) -> Iterator[tuple[int, int]]:
        for match in regex.finditer(text):
            yield match.span(group)

    return spans


def _url_spans(text: str) -> Iterator[tuple[int, int]]:
    for match in _URL_RE.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _TRAILING_PUNCTUATION:
            end -= 1
        yield start, end
    yield from _regex_spans(_OBFUSCATED_URL_RE)(text)


def _email_spans(text: str) -> Iterator[tuple[int, int]]:
    yield from _regex_spans(_EMAIL_RE)(text)
    yield from _regex_spans(_OBFUSCATED_EMAIL_RE)(text)


def _handle_spans(text: str) -> Iterator[tuple[int, int]]:
    yield from _regex_spans(_LABELLED_HANDLE_RE, "name")(text)
    yield from _regex_spans(_OWNED_HANDLE_RE, "name")(text)
    yield from _regex_spans(_AT_HANDLE_RE)(text)


def _address_spans(text: str) -> Iterator[tuple[int, int]]:
    for match in _ADDRESS_RE.finditer(text):
        end = _street_name_end(text, match.end(), needs_capital=match.group("ambiguous") is not None)
        if end is not None:
            yield match.start(), end


_DETECTORS: tuple[tuple[str, Callable[[str], Iterator[tuple[int, int]]]], ...] = (
    (EMAIL, _email_spans),
    (URL, _url_spans),
    (PHONE, _regex_spans(_PHONE_RE)),
    (HANDLE, _handle_spans),
    (ADDRESS, _address_spans),
)


def mask_contact_details(text: str, *, extra_words: Iterable[str] = ()) -> FilterResult:
    """Replace every contact detail of `text`, and every word of `extra_words` (whole words, whatever the accents
    and case), by "[masqué]"; `masked` lists the kinds found, in the order of `KINDS`."""
    claimed: list[tuple[int, int, str]] = []

    def claim(kind: str, spans: Iterable[tuple[int, int]]) -> None:
        for start, end in spans:
            if end > start and all(end <= other_start or start >= other_end for other_start, other_end, _ in claimed):
                claimed.append((start, end, kind))

    for kind, detector in _DETECTORS:
        claim(kind, detector(text))
    claim(WORD, _word_spans(text, extra_words))
    if not claimed:
        return FilterResult(text=text, masked=())
    mask = str(MASK)
    pieces: list[str] = []
    position = 0
    for start, end, _kind in sorted(claimed):
        pieces.append(text[position:start])
        pieces.append(mask)
        position = end
    pieces.append(text[position:])
    found = {kind for _start, _end, kind in claimed}
    return FilterResult(text="".join(pieces), masked=tuple(kind for kind in KINDS if kind in found))


def _kind_labels() -> dict[str, str]:
    return {
        PHONE: _("un numéro de téléphone"),
        EMAIL: _("une adresse e-mail"),
        URL: _("un lien"),
        HANDLE: _("un pseudo de réseau social"),
        ADDRESS: _("une adresse postale"),
        WORD: _("un mot qui n’est pas autorisé ici"),
    }


def reason_for(masked: Iterable[str]) -> str:
    """One sentence telling the author what was masked in her message and why; empty when nothing was."""
    labels = _kind_labels()
    kinds = [kind for kind in KINDS if kind in set(masked)]
    if not kinds:
        return ""
    return _(
        "Pour ta sécurité, nous avons masqué dans ton message %(what)s : les coordonnées personnelles ne se "
        "partagent pas ici."
    ) % {"what": get_text_list([labels[kind] for kind in kinds], _("et"))}
