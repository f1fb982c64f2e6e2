"""Feedback: the short questionnaires pupils and the adults who received them answer after a discovery session, a
tutoring appointment or an internship, and the record of the e-mails that invited them.

An answer keeps its respondent only to refuse a second answer: the facts the dashboards count by (the event, the
respondent's role, and for a pupil her school and class, its priority-education kind, its QPV flag and its
département, the sector, the association) are copied when she answers, so that an anonymisation can later null the
respondent, and the deletion of an account can take its bookings and applications away, and the row still counts.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.follow_up.enums import FeedbackKind, HelpedChoose, RespondentRole, Satisfaction
from backend.organisations.enums import Sector
from backend.schools.enums import Priority

COMMENT_MAX = 1000

# The target of each kind; the two others stay empty.
TARGET_FIELDS = {
    FeedbackKind.SESSION: "session",
    FeedbackKind.TUTORING: "tutoring_booking",
    FeedbackKind.INTERNSHIP: "application",
}


def _only_its_target(kind: str) -> Q:
    others = [field for other, field in TARGET_FIELDS.items() if other != kind]
    return Q(kind=kind, **{f"{field}__isnull": True for field in others})


class FeedbackAnswer(models.Model):
    kind = models.CharField(_("sur"), max_length=16, choices=FeedbackKind.choices)
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_answers",
        verbose_name=_("répondant"),
    )
    respondent_role = models.CharField(_("répondant en tant que"), max_length=8, choices=RespondentRole.choices)
    # The event. Set when the answer is written; emptied only if the event itself is deleted later (a pupil's
    # account takes her bookings and applications with it), and the copied facts below keep the row countable.
    session = models.ForeignKey(
        "scheduling.DiscoverySession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_answers",
        verbose_name=_("séquence"),
    )
    tutoring_booking = models.ForeignKey(
        "scheduling.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_answers",
        verbose_name=_("rendez-vous de tutorat"),
    )
    application = models.ForeignKey(
        "offers.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_answers",
        verbose_name=_("stage (candidature confirmée)"),
    )
    # Facts copied at answer time, for the dashboards.
    association = models.ForeignKey(
        "organisations.Association",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("association"),
        help_text=_("Celle de la séquence, celle du tuteur, ou celle qui a publié l'offre."),
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("établissement de l'élève"),
    )
    school_class = models.ForeignKey(
        "schools.SchoolClass",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("classe de l'élève"),
    )
    school_priority = models.CharField(
        _("éducation prioritaire de l'établissement"), max_length=16, choices=Priority.choices, blank=True
    )
    school_qpv = models.BooleanField(_("établissement en QPV"), null=True, blank=True)
    departement = models.CharField(_("département de l'établissement"), max_length=3, blank=True)
    sector = models.CharField(_("secteur"), max_length=1, choices=Sector.choices, blank=True)
    # The answer.
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), choices=Satisfaction.choices)
    helped_choose = models.CharField(
        _("cela a aidé à choisir"), max_length=16, choices=HelpedChoose.choices, blank=True
    )
    comment = models.CharField(_("commentaire"), max_length=COMMENT_MAX, blank=True)
    created_at = models.DateTimeField(_("répondu le"), default=timezone.now)

    class Meta:
        verbose_name = _("avis")
        verbose_name_plural = _("avis")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__gte=1, satisfaction__lte=5), name="follow_up_satisfaction_1_to_5"
            ),
            models.CheckConstraint(
                condition=_only_its_target(FeedbackKind.SESSION)
                | _only_its_target(FeedbackKind.TUTORING)
                | _only_its_target(FeedbackKind.INTERNSHIP),
                name="follow_up_target_of_its_kind",
            ),
            # Pupils say whether it helped them choose and write no comment; adults may comment.
            models.CheckConstraint(
                condition=Q(respondent_role=RespondentRole.PUPIL, helped_choose__in=HelpedChoose.values, comment="")
                | Q(respondent_role=RespondentRole.HOST, helped_choose=""),
                name="follow_up_fields_of_the_role",
            ),
            *[
                models.UniqueConstraint(
                    fields=["respondent", field],
                    condition=Q(respondent__isnull=False, **{f"{field}__isnull": False}),
                    name=f"follow_up_once_per_{field}",
                )
                for field in TARGET_FIELDS.values()
            ],
        ]
        indexes = [models.Index(fields=["kind", "created_at"], name="follow_up_kind_created")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.satisfaction}/5"


class FeedbackInvitation(models.Model):
    """One row per questionnaire a person was e-mailed about: the unique constraint makes a retried or doubled task
    invite her only once."""

    kind = models.CharField(max_length=16, choices=FeedbackKind.choices)
    object_id = models.PositiveBigIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("invitation à donner son avis")
        verbose_name_plural = _("invitations à donner son avis")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "user"], name="follow_up_invited_once"),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id} → {self.user_id}"


# --- territory referents ---
def validate_departement_code(code: str) -> None:
    """A département that has communes in the reference data: mainland, Corsica (2A, 2B) and overseas (971-976)."""
    from django.core.exceptions import ValidationError  # imported here to keep this block self-contained

    from backend.geo.models import Commune

    if not Commune.objects.filter(departement_code=code).exists():
        raise ValidationError(
            _("« %(code)s » n'est pas un code de département connu."),
            code="unknown_departement",
            params={"code": code},
        )


class TerritoryReferent(models.Model):
    """A prefecture's internship referent ("référent stage") for one département: platform staff grant it in the
    admin, and it gives the referent the national view restricted to her départements (role `referent`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="territory_referents",
        verbose_name=_("personne"),
    )
    departement_code = models.CharField(
        _("code du département"),
        max_length=3,
        validators=[validate_departement_code],
        help_text=_("Par exemple 93, 2A ou 974."),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accordé par"),
    )
    granted_at = models.DateTimeField(_("accordé le"), default=timezone.now)

    class Meta:
        verbose_name = _("référent ou référente de préfecture")
        verbose_name_plural = _("référents et référentes de préfecture")
        ordering = ["departement_code", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "departement_code"], name="follow_up_referent_unique"),
        ]

    def __str__(self):
        return f"{self.user} — {self.departement_code}"

    def clean(self):
        from django.core.exceptions import ValidationError

        # Pupils are minors: the role opens figures about other pupils' schools.
        if self.user_id and self.user.is_pupil:
            raise ValidationError({"user": _("Un compte d'élève ne peut pas être référent de préfecture.")})


# --- end territory referents ---


# --- class follow-up ---


class NudgeKind(models.TextChoices):
    """The few fixed messages a teacher may send a pupil from the class follow-up. No free text: pupils are minors,
    and fixed, kind words need no moderation."""

    APPLY = "apply", _("Candidater à des offres de stage")
    TUTORING = "tutoring", _("Réserver un rendez-vous de tutorat")
    SESSION = "session", _("Participer à une séquence de découverte")
    VIDEOS = "videos", _("Regarder des vidéos sur les métiers")


class Nudge(models.Model):
    """A teacher's encouragement to one pupil of her class, shown on the pupil's home until she marks it seen (and
    e-mailed to her when she has an address). At most one of a kind per pupil and day — `sent_on` is the pupil's
    date when it was sent — so that a pupil is never flooded with the same message."""

    pupil = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nudges")
    school_class = models.ForeignKey(
        "schools.SchoolClass", on_delete=models.CASCADE, related_name="nudges", verbose_name=_("classe")
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("envoyée par"),
    )
    kind = models.CharField(_("message"), max_length=16, choices=NudgeKind.choices)
    sent_on = models.DateField(_("jour d'envoi (fuseau de l'élève)"))
    created_at = models.DateTimeField(_("envoyée le"), default=timezone.now)
    seen_at = models.DateTimeField(_("vue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("relance d'un élève")
        verbose_name_plural = _("relances des élèves")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "kind", "sent_on"], name="follow_up_nudge_once_a_day"),
        ]
        indexes = [models.Index(fields=["pupil", "seen_at"], name="follow_up_nudge_pupil_seen")]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.pupil_id} ({self.sent_on})"


# --- end class follow-up ---


# --- association dashboard ---
class AssociationTarget(models.Model):
    """What an association aims for in one school year (1 September – 31 August, Paris time), set by its staff and
    shown against what it achieved on its dashboard (`association_dashboard`). An empty share means no target."""

    association = models.ForeignKey(
        "organisations.Association",
        on_delete=models.CASCADE,
        related_name="targets",
        verbose_name=_("association"),
    )
    school_year = models.PositiveSmallIntegerField(
        _("année scolaire"), help_text=_("L'année de la rentrée : 2026 pour 2026-2027.")
    )
    sessions = models.PositiveIntegerField(_("séquences tenues"), default=0)
    pupils = models.PositiveIntegerField(_("élèves touchés"), default=0)
    priority_pupils_share = models.PositiveSmallIntegerField(
        _("part des élèves de l'éducation prioritaire (%)"),
        null=True,
        blank=True,
        help_text=_("REP+, REP ou QPV, en pourcentage des élèves touchés (de 0 à 100)."),
    )
    professionals = models.PositiveIntegerField(_("professionnels mobilisés"), default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("objectif annuel d'association")
        verbose_name_plural = _("objectifs annuels des associations")
        ordering = ["association", "-school_year"]
        constraints = [
            models.UniqueConstraint(fields=["association", "school_year"], name="follow_up_target_once_per_year"),
            # Positive fields already refuse negatives on PostgreSQL only; these hold on every database.
            models.CheckConstraint(
                condition=Q(sessions__gte=0, pupils__gte=0, professionals__gte=0),
                name="follow_up_target_counts_positive",
            ),
            models.CheckConstraint(
                condition=Q(priority_pupils_share__isnull=True)
                | Q(priority_pupils_share__gte=0, priority_pupils_share__lte=100),
                name="follow_up_target_share_percent",
            ),
        ]

    def __str__(self):
        return f"{self.association} · {self.school_year}-{self.school_year + 1}"


# --- end association dashboard ---
