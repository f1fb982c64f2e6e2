import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The UAI (unité administrative immatriculée) is seven digits and a check letter: the remainder of the
# number by 23, read in an alphabet without I, O and Q.
UAI_KEY_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ"
UAI_PATTERN = re.compile(r"^(\d{7})([A-Z])$")


def uai_check_letter(digits: str) -> str:
    return UAI_KEY_ALPHABET[int(digits) % 23]


def normalise_uai(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def validate_uai(value: str) -> None:
    match = UAI_PATTERN.match(normalise_uai(value))
    if not match:
        raise ValidationError(
            _("Un numéro UAI compte 7 chiffres suivis d'une lettre, par exemple 0750655E."), code="uai_format"
        )
    digits, letter = match.groups()
    if uai_check_letter(digits) != letter:
        raise ValidationError(
            _("Ce numéro UAI n'est pas valide : sa lettre de contrôle ne correspond pas aux chiffres."),
            code="uai_key",
        )
