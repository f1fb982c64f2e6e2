import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.accounts.enums import MembershipStatus
from backend.schools.enums import Academie, Level, Priority, SchoolKind, StaffRole
from backend.schools.validators import normalise_uai, validate_uai

# Join codes avoid characters that are easy to misread on a board (0/O, 1/I/L).
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


class School(models.Model):
    uai = models.CharField(_("numéro UAI"), max_length=8, unique=True, validators=[validate_uai])
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=SchoolKind.choices)
    commune = models.ForeignKey(
        "geo.Commune", on_delete=models.PROTECT, related_name="schools", verbose_name=_("commune")
    )
    academie = models.CharField(_("académie"), max_length=32, choices=Academie.choices)
    priority = models.CharField(
        _("éducation prioritaire"), max_length=16, choices=Priority.choices, default=Priority.NONE
    )
    qpv = models.BooleanField(_("en quartier prioritaire de la politique de la ville (QPV)"), default=False)
    has_segpa = models.BooleanField(_("avec une section SEGPA"), default=False)
    cite_educative = models.BooleanField(_("dans une Cité éducative"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("établissement")
        verbose_name_plural = _("établissements")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.uai})"

    def save(self, *args, **kwargs):
        self.uai = normalise_uai(self.uai)
        super().save(*args, **kwargs)

    @property
    def is_priority(self) -> bool:
        """Eligible to offers reserved for priority education: REP+, REP or a QPV neighbourhood."""
        return self.priority != Priority.NONE or self.qpv


class SchoolStaff(models.Model):
    """A teacher or a head in a school. A head confirms her school's teachers; staff confirm heads."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="school_memberships")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(_("fonction"), max_length=16, choices=StaffRole.choices)
    status = models.CharField(
        _("statut"), max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.PENDING
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmé par"),
    )
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("membre de l'équipe d'un établissement")
        verbose_name_plural = _("membres des équipes des établissements")
        constraints = [models.UniqueConstraint(fields=["user", "school"], name="schools_staff_unique")]

    def __str__(self):
        return f"{self.user} — {self.school} ({self.get_role_display()})"

    @property
    def is_confirmed(self) -> bool:
        return self.status == MembershipStatus.CONFIRMED


class SchoolClass(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(_("nom de la classe"), max_length=50, help_text=_("Par exemple : 3e B"))
    level = models.CharField(_("niveau"), max_length=20, choices=Level.choices)
    specialty = models.CharField(
        _("spécialité"),
        max_length=150,
        blank=True,
        help_text=_("Pour le CAP et le bac pro : la spécialité préparée."),
    )
    school_year = models.PositiveSmallIntegerField(
        _("année scolaire"), help_text=_("L'année de la rentrée : 2026 pour 2026-2027.")
    )
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="taught_classes", verbose_name=_("enseignants")
    )
    # The Monday of the week the class leaves for its internship (the school decides it): every pupil should have
    # a confirmed internship before it. Empty until the school sets it.
    internship_week = models.DateField(
        _("semaine de stage"), null=True, blank=True, help_text=_("Le lundi de la semaine de stage de la classe.")
    )
    join_code = models.CharField(_("code pour rejoindre la classe"), max_length=JOIN_CODE_LENGTH, unique=True)
    join_code_enabled = models.BooleanField(_("inscriptions ouvertes"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(_("archivée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("classe")
        verbose_name_plural = _("classes")
        ordering = ["-school_year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year", "name"], name="schools_class_name_unique"),
        ]

    def __str__(self):
        return f"{self.name} — {self.school.name} ({self.school_year_label})"

    @property
    def school_year_label(self) -> str:
        return f"{self.school_year}-{self.school_year + 1}"


class Enrolment(models.Model):
    """A pupil in a class. A pupil has at most one current class."""

    pupil = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="enrolments")
    joined_at = models.DateTimeField(_("inscrit le"), auto_now_add=True)
    left_at = models.DateTimeField(_("parti le"), null=True, blank=True)

    class Meta:
        verbose_name = _("inscription dans une classe")
        verbose_name_plural = _("inscriptions dans les classes")
        constraints = [
            models.UniqueConstraint(
                fields=["pupil"], condition=Q(left_at__isnull=True), name="schools_one_current_class_per_pupil"
            ),
        ]

    def __str__(self):
        return f"{self.pupil} — {self.school_class}"
