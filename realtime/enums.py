from django.db import models
from django.utils.translation import gettext_lazy as _


class RoomState(models.TextChoices):
    """Where a room stands at a given moment (computed from its session or booking, never stored)."""

    NOT_YET_OPEN = "not_yet_open", _("Pas encore ouvert")
    OPEN = "open", _("Ouvert")
    LOCKED = "locked", _("Verrouillé par la modération")
    CLOSED = "closed", _("Terminé : lecture seule")


class MaskedKind(models.TextChoices):
    """What the contact-details filter masked in a pupil's message (see `realtime.filters`)."""

    PHONE = "phone", _("numéro de téléphone")
    EMAIL = "email", _("adresse électronique")
    URL = "url", _("lien")
    HANDLE = "handle", _("identifiant de réseau social")
    ADDRESS = "address", _("adresse postale")
    WORD = "word", _("mot interdit")


class ModerationKind(models.TextChoices):
    DELETE_MESSAGE = "delete_message", _("Message supprimé")
    PIN_MESSAGE = "pin_message", _("Message épinglé")
    MUTE = "mute", _("Participant rendu muet")
    UNMUTE = "unmute", _("Parole rendue")
    REMOVE = "remove", _("Participant retiré du salon")
    LOCK = "lock", _("Salon verrouillé")
    UNLOCK = "unlock", _("Salon déverrouillé")
