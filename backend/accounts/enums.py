from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person does on the platform. One person may hold several roles through several memberships."""

    PUPIL = "pupil", _("Élève")
    TEACHER = "teacher", _("Enseignant ou enseignante")
    SCHOOL_HEAD = "school_head", _("Chef ou cheffe d'établissement")
    TUTOR = "tutor", _("Tuteur ou tutrice bénévole")
    PROFESSIONAL = "professional", _("Professionnel ou professionnelle")
    EMPLOYER = "employer", _("Employeur")
    ASSOCIATION_STAFF = "association_staff", _("Équipe d'une association partenaire")
    PLATFORM_STAFF = "platform_staff", _("Équipe de la plateforme")
    REFERENT = "referent", _("Référent ou référente de préfecture")  # --- referent ---


# Order in which a person holding several roles lands on a home page.
ROLE_PRIORITY = [
    Role.PLATFORM_STAFF,
    Role.REFERENT,  # --- referent ---
    Role.SCHOOL_HEAD,
    Role.TEACHER,
    Role.ASSOCIATION_STAFF,
    Role.EMPLOYER,
    Role.PROFESSIONAL,
    Role.TUTOR,
    Role.PUPIL,
]


class ConsentStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Non requis (15 ans ou plus)")
    PENDING = "pending", _("En attente de l'accord du représentant légal")
    RECEIVED = "received", _("Accord du représentant légal reçu")


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("En attente de confirmation")
    CONFIRMED = "confirmed", _("Confirmé")


# Mainland and overseas France: each person sees times in her own zone.
TIME_ZONES = [
    ("Europe/Paris", _("France métropolitaine et Corse")),
    ("America/Guadeloupe", _("Guadeloupe, Saint-Martin, Saint-Barthélemy")),
    ("America/Martinique", _("Martinique")),
    ("America/Cayenne", _("Guyane")),
    ("Indian/Reunion", _("La Réunion")),
    ("Indian/Mayotte", _("Mayotte")),
    ("America/Miquelon", _("Saint-Pierre-et-Miquelon")),
    ("Pacific/Noumea", _("Nouvelle-Calédonie")),
    ("Pacific/Tahiti", _("Polynésie française")),
    ("Pacific/Wallis", _("Wallis-et-Futuna")),
]
TIME_ZONE_NAMES = {value for value, _label in TIME_ZONES}
