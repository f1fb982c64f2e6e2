"""The ROME professional domains shipped in backend/offers/data/rome_domains.csv, and the taxonomy helpers."""

import csv
import re

import pytest
from django.core.exceptions import ValidationError

from backend.offers import taxonomy
from backend.organisations.enums import Sector

DOMAIN_CODE = re.compile(r"^[A-N]\d{2}$")


def file_rows() -> list[dict]:
    with taxonomy.DATA_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_file_has_a_code_and_a_name_per_line():
    rows = file_rows()
    assert list(rows[0]) == ["code", "name"]
    for row in rows:
        assert DOMAIN_CODE.match(row["code"]), row
        assert row["name"].strip() == row["name"], row
        assert row["name"], row


def test_codes_are_unique_and_all_are_loaded():
    codes = [row["code"] for row in file_rows()]
    assert len(codes) == len(set(codes))
    assert list(taxonomy.domains()) == codes


def test_the_rome_has_110_domains_sorted_by_code():
    """14 grands domaines and 110 domaines professionnels, as France Travail publishes them (data/SOURCE.md)."""
    codes = list(taxonomy.domains())
    assert len(codes) == 110
    assert codes == sorted(codes)


def test_every_sector_has_domains_and_every_domain_a_sector():
    sectors = {value for value, _label in Sector.choices}
    assert len(sectors) == 14
    assert {domain.sector for domain in taxonomy.domains().values()} == sectors
    for sector in sectors:
        assert taxonomy.domains_of(sector), sector


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("A13", "Etudes et assistance technique"),
        ("F16", "Second oeuvre"),
        ("G17", "Accueil en hôtellerie"),
        ("H23", "Chimie et pharmacie"),
        ("H26", "Electronique et électricité"),
        ("I15", "Travaux d'accès difficile"),
        ("M18", "Systèmes d'information et de télécommunication"),
        ("N44", "Personnel sédentaire du transport ferroviaire et réseau filo guidé"),
    ],
)
def test_names_are_france_travails(code, name):
    assert taxonomy.domains()[code].name == name


def test_validate_domain_accepts_a_real_domain():
    taxonomy.validate_domain("H26")
    taxonomy.validate_domain("H26", sector="H")
    taxonomy.validate_domain("K21", sector=Sector.K)


@pytest.mark.parametrize("code", ["Z11", "H20", "N45", "h26", "", "H2602"])
def test_validate_domain_refuses_an_unknown_domain(code):
    with pytest.raises(ValidationError) as error:
        taxonomy.validate_domain(code)
    assert error.value.code == "unknown_domain"
    assert "n'est pas un domaine professionnel du ROME" in error.value.messages[0]


def test_validate_domain_refuses_a_domain_of_another_sector():
    with pytest.raises(ValidationError) as error:
        taxonomy.validate_domain("H26", sector="F")
    assert error.value.code == "domain_sector"
    assert "n'appartient pas au secteur choisi" in error.value.messages[0]


def test_domain_choices_are_grouped_by_sector_in_the_sectors_order():
    choices = taxonomy.domain_choices()
    assert [str(label) for label, _options in choices] == [str(label) for _value, label in Sector.choices]
    for (label, options), (value, _sector_label) in zip(choices, Sector.choices, strict=True):
        assert options, label
        assert all(code.startswith(value) for code, _text in options)
    industry = dict(choices[[value for value, _label in Sector.choices].index("H")][1])
    assert industry["H26"] == "H26 — Electronique et électricité"
    assert sum(len(options) for _label, options in choices) == len(taxonomy.domains())
