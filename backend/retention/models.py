"""The end of a school year and what it leaves behind: one `Rollover` row per closed school year (its uniqueness is
what makes a second run refuse), and one `ArchivedPupil` row per pupil left without a class by a roll-over, the clock
of her anonymisation (see README.md)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Rollover(models.Model):
    school_year = models.PositiveSmallIntegerField(
        _("année scolaire clôturée"), unique=True, help_text=_("L'année de la rentrée : 2026 pour 2026-2027.")
    )
    ran_at = models.DateTimeField(_("clôturée le"))
    ran_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("clôturée par"),
        help_text=_("Vide quand la commande ou la tâche planifiée l'a faite."),
    )
    classes_archived = models.PositiveIntegerField(_("classes archivées"), default=0)
    enrolments_ended = models.PositiveIntegerField(_("inscriptions terminées"), default=0)
    pupils_archived = models.PositiveIntegerField(_("élèves archivés"), default=0)

    class Meta:
        verbose_name = _("clôture d'année scolaire")
        verbose_name_plural = _("clôtures d'années scolaires")
        ordering = ["-school_year"]

    def __str__(self):
        return f"{self.school_year}-{self.school_year + 1}"


class ArchivedPupil(models.Model):
    """A pupil the roll-over left without a current class. Her account keeps working (she can still read her own
    history, and a teacher may put her in a class again, which ends the archive); after `RETENTION_PUPIL_MONTHS`
    without a class it is anonymised and `anonymised_at` is set. The row then stays, as the proof of what was done."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="retention_archive", verbose_name=_("élève")
    )
    archived_at = models.DateTimeField(_("archivé le"))
    rollover = models.ForeignKey(
        Rollover,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="archived_pupils",
        verbose_name=_("par la clôture de"),
    )
    anonymised_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("élève archivé")
        verbose_name_plural = _("élèves archivés")
        indexes = [models.Index(fields=["anonymised_at", "archived_at"], name="retention_archived_due")]

    def __str__(self):
        return f"{self.user_id} · {self.archived_at:%Y-%m-%d}"
