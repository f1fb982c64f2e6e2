"""Sectors and professional domains: the 14 "grands domaines" of France Travail's ROME and the domains under
them, shipped as data in `data/rome_domains.csv` (see data/SOURCE.md), read once at import."""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from backend.organisations.enums import Sector

DATA_FILE = Path(__file__).parent / "data" / "rome_domains.csv"


@dataclass(frozen=True)
class Domain:
    code: str  # "F16": the sector's letter and two digits
    name: str

    @property
    def sector(self) -> str:
        return self.code[0]


@cache
def domains() -> dict[str, Domain]:
    """Every professional domain by code, in the file's order."""
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: Domain(code=row["code"], name=row["name"]) for row in csv.DictReader(handle)}


def domains_of(sector: str) -> list[Domain]:
    return [domain for domain in domains().values() if domain.sector == sector]


def domain_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Choices grouped by sector, for a <select> with <optgroup>s."""
    return [
        (str(label), [(domain.code, f"{domain.code} — {domain.name}") for domain in domains_of(value)])
        for value, label in Sector.choices
    ]


def validate_domain(code: str, sector: str | None = None) -> None:
    if code not in domains():
        raise ValidationError(
            _("« %(code)s » n'est pas un domaine professionnel du ROME."), code="unknown_domain", params={"code": code}
        )
    if sector and code[0] != sector:
        raise ValidationError(
            _("Le domaine %(code)s n'appartient pas au secteur choisi."), code="domain_sector", params={"code": code}
        )
