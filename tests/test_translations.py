"""The English catalogue: complete, faithful to the French msgids, compiled, and used at run time.

French is the source language: every msgid in the code and the templates is French, and
locale/en/LC_MESSAGES/django.po holds the English. After adding or changing a French string, run
`make messages`, translate the new entries (no `#, fuzzy` may remain) and compile again.

The tests that extract the strings of the code (`makemessages`) and compile the catalogue (`msgfmt`) need
GNU gettext: they are skipped without it on a workstation, never in CI.
"""

import gettext
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from backend.accounts.enums import Role

ROOT = Path(settings.BASE_DIR)
PO_PATH = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# The folders `make messages` leaves out: they hold no user-facing string.
IGNORED = ("bench", "docs", "tests", "var", ".venv")

MAKEMESSAGES_TIMEOUT = 120


def needs_gettext(program: str) -> str:
    """The full path of a GNU gettext program; skips the test without it, except in CI where it must exist."""
    path = shutil.which(program)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{program} (GNU gettext) is missing: CI must install the gettext package")
        pytest.skip(f"{program} (GNU gettext) is not installed; CI runs this test")
    return path


# --- A small reader for the PO format that makemessages writes --------------------------------------------

ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", '"': '"', "\\": "\\"}
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    fields: dict[str, str] = field(default_factory=dict)
    obsolete: bool = False

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def msgid_plural(self) -> str | None:
        return self.fields.get("msgid_plural")

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.fields.get("msgctxt"), self.msgid, self.msgid_plural)

    @property
    def msgstrs(self) -> dict[str, str]:
        """msgstr, or msgstr[0], msgstr[1]… for a plural entry."""
        return {name: value for name, value in self.fields.items() if name.startswith("msgstr")}

    def __str__(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def unquote(text: str, where: str) -> str:
    if len(text) < 2 or not text.startswith('"') or not text.endswith('"'):
        raise ValueError(f"{where}: not a quoted string: {text}")
    try:
        return re.sub(r"\\(.)", lambda match: ESCAPES[match.group(1)], text[1:-1])
    except KeyError as error:
        raise ValueError(f"{where}: unknown escape \\{error.args[0]}") from None


def parse_po(path: Path) -> list[Entry]:
    """Every entry of a PO file, the header (msgid "") first, obsolete ones (#~) marked as such."""
    entries: list[Entry] = []
    entry: Entry | None = None
    current: str | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        where = f"{path.name}:{number}"
        if not line:
            entry, current = None, None
            continue
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if line.startswith("|"):  # previous msgid of an obsolete entry
                continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        entry.obsolete = entry.obsolete or obsolete
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
        elif line.startswith("#"):
            continue  # references, comments, previous msgid (#|)
        elif line.startswith('"'):
            if current is None:
                raise ValueError(f"{where}: a string continues nothing")
            entry.fields[current] += unquote(line, where)
        else:
            match = KEYWORD.match(line)
            if match is None:
                raise ValueError(f"{where}: cannot read {raw!r}")
            current = match.group(1)
            if current in entry.fields:
                raise ValueError(f"{where}: {current} twice in one entry")
            entry.fields[current] = unquote(match.group(2), where)
    return entries


def messages(entries: list[Entry]) -> list[Entry]:
    """The translatable entries: neither the header nor the obsolete ones."""
    return [entry for entry in entries if entry.msgid and not entry.obsolete]


# Python %-format (named or positional, and the %% escape) and str.format fields.
PLACEHOLDER = re.compile(r"%%|%(?:\(\w+\))?[#0 +-]*\d*(?:\.\d+)?[sdiouxXeEfFgGcr]|\{\w*(?:![rsa])?(?::[^{}]*)?\}")


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    assert PO_PATH.is_file(), f"{PO_PATH} is missing: run `make messages`"
    return parse_po(PO_PATH)


# --- (a) Every entry is translated, none is fuzzy, placeholders are kept ---------------------------------


def test_the_header_declares_english_utf8_and_two_plural_forms(catalogue):
    header = next(entry for entry in catalogue if entry.msgid == "" and not entry.obsolete)
    assert "fuzzy" not in header.flags, "the header is still marked fuzzy"
    metadata = dict(
        line.split(":", 1) for line in header.fields["msgstr"].splitlines() if ":" in line
    )  # "Language: en" → {"Language": " en"}
    metadata = {name.strip(): value.strip() for name, value in metadata.items()}
    assert metadata.get("Language") == "en"
    assert metadata.get("Content-Type") == "text/plain; charset=UTF-8"
    assert metadata.get("Plural-Forms") == "nplurals=2; plural=(n != 1);"


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    entries = messages(catalogue)
    assert len(entries) > 100, "the catalogue looks truncated"
    fuzzy = [str(entry) for entry in entries if "fuzzy" in entry.flags]
    assert not fuzzy, "fuzzy entries (check the English, then remove the flag):\n" + "\n".join(fuzzy)
    untranslated = [str(entry) for entry in entries if not all(entry.msgstrs.values()) or not entry.msgstrs]
    assert not untranslated, "entries without English:\n" + "\n".join(untranslated)
    plural_forms = [
        str(entry)
        for entry in entries
        if entry.msgid_plural is not None and set(entry.msgstrs) != {"msgstr[0]", "msgstr[1]"}
    ]
    assert not plural_forms, "plural entries need msgstr[0] and msgstr[1]:\n" + "\n".join(plural_forms)


def test_the_english_keeps_every_placeholder(catalogue):
    mismatches = []
    for entry in messages(catalogue):
        for name, english in entry.msgstrs.items():
            french = entry.msgid_plural if name not in ("msgstr", "msgstr[0]") else entry.msgid
            if placeholders(french) != placeholders(english):
                mismatches.append(
                    f"{entry} {name}: {sorted(placeholders(french).elements())} "
                    f"≠ {sorted(placeholders(english).elements())}"
                )
    assert not mismatches, "placeholders differ between French and English:\n" + "\n".join(mismatches)


# The HTML elements that may appear inside a message; "<jeton>" in API prose is a word, not a tag.
HTML_TAG = re.compile(
    r"</?(?:a|abbr|b|br|code|em|i|kbd|li|mark|ol|p|small|span|strong|sub|sup|time|u|ul)(?=[\s>/])", re.IGNORECASE
)


def test_the_english_keeps_the_html_tags(catalogue):
    mismatches = [
        str(entry)
        for entry in messages(catalogue)
        for english in entry.msgstrs.values()
        if Counter(HTML_TAG.findall(entry.msgid)) != Counter(HTML_TAG.findall(english))
    ]
    assert not mismatches, "HTML tags differ between French and English:\n" + "\n".join(mismatches)


def test_the_reader_understands_plural_entries_and_escapes(tmp_path):
    po = tmp_path / "sample.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        "#: templates/a.html:1\n#, python-format\n"
        'msgid "%(counter)s membre"\nmsgid_plural ""\n"%(counter)s membres"\n'
        'msgstr[0] "%(counter)s member"\nmsgstr[1] "%(counter)s members"\n\n'
        '#, fuzzy\n#| msgid "Old"\nmsgid "Dis \\"bonjour\\"\\n"\nmsgstr ""\n\n'
        '#~ msgid "Gone"\n#~ msgstr "Gone"\n',
        encoding="utf-8",
    )
    header, plural, fuzzy, gone = parse_po(po)
    assert header.fields["msgstr"] == "Language: en\n"
    assert plural.key == (None, "%(counter)s membre", "%(counter)s membres")
    assert plural.msgstrs == {"msgstr[0]": "%(counter)s member", "msgstr[1]": "%(counter)s members"}
    assert plural.flags == {"python-format"}
    assert fuzzy.msgid == 'Dis "bonjour"\n'
    assert fuzzy.flags == {"fuzzy"}
    assert gone.obsolete
    assert messages([header, plural, fuzzy, gone]) == [plural, fuzzy]
    assert placeholders("%%(count)s, %(name)s, %s, %d, {label}, 100 %") == Counter(
        ["%%", "%(name)s", "%s", "%d", "{label}"]
    )
    assert HTML_TAG.findall('<strong>x</strong> <a href="/">y</a> « Token <jeton> »') == [
        "<strong",
        "</strong",
        "<a",
        "</a",
    ]


# --- (b) The catalogue holds every string of the code ----------------------------------------------------


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> list[Entry]:
    """The strings of the code, extracted by `makemessages` from a copy of the project into an empty locale
    folder, so that neither the committed catalogue nor the working tree is touched."""
    needs_gettext("xgettext")
    needs_gettext("msgmerge")
    copy = tmp_path_factory.mktemp("messages") / "project"
    skip = shutil.ignore_patterns(".*", "__pycache__", "*.pyc", "*.egg-info", "node_modules")
    copy.mkdir()
    for item in ROOT.iterdir():
        if item.name.startswith(".") or item.name in (*IGNORED, "locale") or item.name.endswith(".egg-info"):
            continue
        if item.is_dir():
            shutil.copytree(item, copy / item.name, ignore=skip)
        else:
            shutil.copy2(item, copy / item.name)
    (copy / "locale").mkdir()
    committed = PO_PATH.read_bytes()
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "backend.settings", "PYTHONDONTWRITEBYTECODE": "1"}
    environment.pop("PYTHONPATH", None)
    result = subprocess.run(  # noqa: S603 - our interpreter, our manage.py, fixed arguments
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "en",
            "--no-obsolete",
            *(f"--ignore={folder}" for folder in IGNORED),
        ],
        cwd=copy,
        env=environment,
        capture_output=True,
        text=True,
        timeout=MAKEMESSAGES_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert PO_PATH.read_bytes() == committed, "makemessages wrote into the committed catalogue"
    fresh = copy / "locale" / "en" / "LC_MESSAGES" / "django.po"
    assert fresh.is_file(), "makemessages did not write into the copy's locale folder:\n" + result.stderr
    return parse_po(fresh)


def describe(key: tuple[str | None, str, str | None]) -> str:
    context, msgid, plural = key
    return repr(msgid) + (f" / {plural!r}" if plural else "") + (f" (context {context!r})" if context else "")


def test_the_catalogue_holds_every_string_of_the_code(catalogue, extracted):
    committed = {entry.key for entry in messages(catalogue)}
    missing = [describe(entry.key) for entry in messages(extracted) if entry.key not in committed]
    assert not missing, (
        "French strings of the code missing from the English catalogue: run `make messages` and translate "
        "them in locale/en/LC_MESSAGES/django.po:\n" + "\n".join(missing)
    )


def test_the_catalogue_holds_no_string_the_code_dropped(catalogue, extracted):
    in_code = {entry.key for entry in messages(extracted)}
    stale = [describe(entry.key) for entry in messages(catalogue) if entry.key not in in_code]
    assert not stale, "entries no longer in the code: run `make messages` to drop them:\n" + "\n".join(stale)


# --- (c) The compiled catalogue matches the PO file -------------------------------------------------------


def test_the_compiled_catalogue_is_up_to_date(tmp_path):
    msgfmt = needs_gettext("msgfmt")
    assert MO_PATH.is_file(), f"{MO_PATH} is missing: run `make messages`"
    fresh = tmp_path / "django.mo"
    result = subprocess.run(  # noqa: S603 - GNU msgfmt on our own catalogue
        [msgfmt, "--check-format", "-o", str(fresh), str(PO_PATH)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with fresh.open("rb") as expected_file, MO_PATH.open("rb") as committed_file:
        expected = gettext.GNUTranslations(expected_file)._catalog
        committed = gettext.GNUTranslations(committed_file)._catalog
    differing = sorted(
        (str(key) for key in expected.keys() ^ committed.keys()),
    ) + sorted(str(key) for key in expected.keys() & committed.keys() if expected[key] != committed[key])
    assert not differing, "django.mo is out of date: run `make messages`. Differences:\n" + "\n".join(differing[:20])


# --- (d) Pages and labels come out in English ------------------------------------------------------------


def test_strings_come_out_in_english_and_stay_french_by_default():
    with translation.override("en"):
        assert translation.gettext("Se connecter") == "Log in"
        assert str(Role.PUPIL.label) == "Pupil"
        assert str(Role.TEACHER.label) == "Teacher"
    with translation.override("fr"):
        assert translation.gettext("Se connecter") == "Se connecter"
        assert str(Role.PUPIL.label) == "Élève"


def test_templates_render_in_english_with_plurals_and_escaped_percents():
    template = Template(
        "{% load i18n %}{% translate 'Mot de passe oublié' %}|"
        "{% blocktranslate count counter=n %}{{ counter }} membre{% plural %}{{ counter }} membres"
        "{% endblocktranslate %}|"
        "{% translate '%(count)s communes proposées. Parcourez la liste avec les flèches haut et bas, "
        "validez avec Entrée.' %}"
    )
    with translation.override("en"):
        one = template.render(Context({"n": 1}))
        many = template.render(Context({"n": 3}))
    assert one.startswith("Forgotten password|1 member|")
    assert many.startswith("Forgotten password|3 members|")
    # The JavaScript fills %(count)s in itself: the percent sign must come out single.
    assert one.endswith(
        "|%(count)s municipalities suggested. Use the up and down arrow keys to browse the list and Enter to select."
    )
