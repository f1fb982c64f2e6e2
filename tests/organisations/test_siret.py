import pytest
from django.core.exceptions import ValidationError

from backend.organisations.validators import validate_siret


@pytest.mark.parametrize(
    "siret",
    [
        "12001402200020",  # DGCL, a signatory of the founding agreement
        "13002603200016",  # ANCT
        "120 014 022 00020",
        "35600000000048",  # La Poste's head office: an ordinary Luhn key
        "35600000049837",  # a La Poste establishment: digits summing to a multiple of 5
    ],
)
def test_valid_siret(siret):
    validate_siret(siret)


@pytest.mark.parametrize(
    ("siret", "code"),
    [
        ("12001402200021", "siret_key"),
        ("35600000049838", "siret_key"),
        ("1200140220002", "siret_format"),
        ("1200140220002A", "siret_format"),
    ],
)
def test_invalid_siret(siret, code):
    with pytest.raises(ValidationError) as error:
        validate_siret(siret)
    assert error.value.code == code
