import pytest
from django.core.exceptions import ValidationError

from backend.schools.validators import uai_check_letter, validate_uai


@pytest.mark.parametrize("uai", ["0750655E", "0932468C", "9720813B", " 0750655e "])
def test_valid_uai(uai):
    validate_uai(uai)


@pytest.mark.parametrize(
    ("uai", "code"),
    [
        ("0750655F", "uai_key"),  # wrong check letter
        ("075065E", "uai_format"),  # six digits
        ("07506551", "uai_format"),  # no letter
        ("A750655E", "uai_format"),
        ("", "uai_format"),
    ],
)
def test_invalid_uai(uai, code):
    with pytest.raises(ValidationError) as error:
        validate_uai(uai)
    assert error.value.code == code


def test_check_letter_skips_ambiguous_letters():
    letters = {uai_check_letter(f"{n:07d}") for n in range(23)}
    assert letters.isdisjoint({"I", "O", "Q"})
    assert len(letters) == 23
