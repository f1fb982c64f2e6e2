import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# La Poste's establishments share one SIREN and most of their SIRET numbers do not follow the Luhn key:
# INSEE accepts them when the sum of their digits is a multiple of 5.
LA_POSTE_SIREN = "356000000"


def normalise_siret(value: str) -> str:
    return re.sub(r"[\s.]+", "", value or "")


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def validate_siret(value: str) -> None:
    siret = normalise_siret(value)
    if not re.fullmatch(r"\d{14}", siret):
        raise ValidationError(_("Un numéro SIRET compte 14 chiffres."), code="siret_format")
    la_poste_valid = siret.startswith(LA_POSTE_SIREN) and sum(int(c) for c in siret) % 5 == 0
    if not (luhn_valid(siret) or la_poste_valid):
        raise ValidationError(
            _("Ce numéro SIRET n'est pas valide : vérifiez les chiffres saisis (clé de contrôle incorrecte)."),
            code="siret_key",
        )
