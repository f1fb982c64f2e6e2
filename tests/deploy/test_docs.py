"""The README lists every environment variable the settings read, and only those."""

import re

from .composefile import ROOT, settings_variables

DOC = ROOT / "README.md"


def table_names(section_title: str) -> set[str]:
    text = DOC.read_text()
    section = text.split(f"## {section_title}\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", section, re.MULTILINE))


def test_environment_table_matches_the_settings():
    documented = table_names("Production environment variables")
    read = settings_variables()
    assert sorted(read - documented) == [], "read by backend/settings.py but missing from the README"
    assert sorted(documented - read) == [], "documented but not read by backend/settings.py"
