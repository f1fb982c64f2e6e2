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
    UNPIN_MESSAGE = "unpin_message", _("Message désépinglé")
    APPROVE_QUESTION = "approve_question", _("Question validée")
    REJECT_QUESTION = "reject_question", _("Question écartée")
    LOWER_HAND = "lower_hand", _("Main baissée par la modération")
    DISMISS_REPORT = "dismiss_report", _("Signalement classé sans suite")
    PREMODERATION = "premoderation", _("Validation des questions changée")


class QuestionStatus(models.TextChoices):
    PENDING = "pending", _("En attente de validation")
    APPROVED = "approved", _("Validée")
    ANSWERED = "answered", _("Répondue")
    REJECTED = "rejected", _("Écartée")


class ReportResolution(models.TextChoices):
    DELETED = "deleted", _("Message supprimé")
    DISMISSED = "dismissed", _("Classé sans suite")
