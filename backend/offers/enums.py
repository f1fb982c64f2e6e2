from django.db import models
from django.utils.translation import gettext_lazy as _


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("En attente de validation")
    PUBLISHED = "published", _("Publiée")
    UNPUBLISHED = "unpublished", _("Dépubliée")
    ARCHIVED = "archived", _("Archivée")


class Track(models.TextChoices):
    OBSERVATION_3E = "observation_3e", _("Stage d'observation de 3e")
    PFMP = "pfmp", _("Période de formation en milieu professionnel (lycée professionnel)")


class OfferFormat(models.TextChoices):
    ON_SITE = "on_site", _("Sur place")
    REMOTE = "remote", _("À distance")
    HYBRID = "hybrid", _("Sur place et à distance")


class Reservation(models.TextChoices):
    OPEN = "open", _("Ouverte à tous les élèves")
    PRIORITY = "priority", _("Réservée aux élèves de l'éducation prioritaire (REP, REP+, QPV)")
    SCHOOLS = "schools", _("Réservée aux élèves d'établissements choisis")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Envoyée")
    READ = "read", _("Lue par la structure")
    ACCEPTED = "accepted", _("Acceptée, à confirmer par l'élève")
    DECLINED = "declined", _("Refusée")
    CONFIRMED = "confirmed", _("Stage confirmé")
    WITHDRAWN = "withdrawn", _("Retirée")
    EXPIRED = "expired", _("Expirée")


# Applications that still wait for somebody: the employer (submitted, read) or the pupil (accepted).
PENDING_APPLICATION_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.READ, ApplicationStatus.ACCEPTED)


class DeclineReason(models.TextChoices):
    FULL = "full", _("Plus de place pour ces semaines")
    WEEKS = "weeks", _("Les semaines proposées ne conviennent pas")
    DISTANCE = "distance", _("Le trajet serait trop long pour l'élève")
    TRACK = "track", _("L'offre ne correspond pas à la formation de l'élève")
    OTHER = "other", _("Autre raison (précisée)")


class ReportReason(models.TextChoices):
    INAPPROPRIATE = "inappropriate", _("Contenu inapproprié ou choquant")
    DISCRIMINATORY = "discriminatory", _("Discrimination")
    MISLEADING = "misleading", _("Offre trompeuse ou qui n'est pas un stage")
    PERSONAL_DATA = "personal_data", _("Données personnelles exposées")
    OTHER = "other", _("Autre raison (précisée)")


class ReportDecision(models.TextChoices):
    DISMISSED = "dismissed", _("Signalement écarté")
    HIDDEN = "hidden", _("Offre masquée")
    DELETED = "deleted", _("Offre supprimée")


class OfferEventKind(models.TextChoices):
    CREATED = "created", _("Création")
    EDITED = "edited", _("Modification")
    SUBMITTED = "submitted", _("Envoi pour validation")
    PUBLISHED = "published", _("Publication")
    REJECTED = "rejected", _("Renvoi en brouillon par la modération")
    UNPUBLISHED = "unpublished", _("Dépublication")
    ARCHIVED = "archived", _("Archivage")
    REPORTED = "reported", _("Signalement")
    HIDDEN = "hidden", _("Masquée par la modération")
    UNHIDDEN = "unhidden", _("Rétablie par la modération")
    REPORT_DISMISSED = "report_dismissed", _("Signalement écarté")


class AgreementStatus(models.TextChoices):
    """The internship agreement (convention de stage) of a confirmed internship."""

    TO_SIGN = "to_sign", _("À signer")
    SIGNED = "signed", _("Signée par toutes les parties")
    CANCELLED = "cancelled", _("Annulée")


class AgreementParty(models.TextChoices):
    """Who signs: the host organisation, the school's head, and the pupil's legal representative (on paper: the
    school records that the signed copy came back)."""

    HOST = "host", _("Structure d'accueil")
    SCHOOL = "school", _("Chef ou cheffe d'établissement")
    GUARDIAN = "guardian", _("Représentant légal de l'élève")
