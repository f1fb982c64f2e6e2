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
