import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# La Poste's establishments share one SIREN whose SIRET numbers do not follow the Luhn key: INSEE checks
# them by the sum of their digits instead (a multiple of 5).
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
    if siret.startswith(LA_POSTE_SIREN) and siret != LA_POSTE_SIREN + "00000":
        valid = sum(int(c) for c in siret) % 5 == 0
    else:
        valid = luhn_valid(siret)
    if not valid:
        raise ValidationError(
            _("Ce numéro SIRET n'est pas valide : vérifiez les chiffres saisis (clé de contrôle incorrecte)."),
            code="siret_key",
        )
