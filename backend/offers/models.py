from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from backend.geo.search import normalise_search
from backend.offers.enums import (
    AgreementStatus,
    ApplicationStatus,
    DeclineReason,
    OfferEventKind,
    OfferFormat,
    OfferStatus,
    ReportDecision,
    ReportReason,
    Reservation,
    Track,
)
from backend.offers.rules import iso_week, validate_rome_code
from backend.organisations.enums import Sector


class Offer(models.Model):
    """An internship offer of a host organisation: a 3e observation internship or a vocational-lycée PFMP."""

    organisation = models.ForeignKey(
        "organisations.HostOrganisation", on_delete=models.PROTECT, related_name="offers", verbose_name=_("structure")
    )
    # Set when an association posts the offer for the organisation (by hand or through the partner API).
    association = models.ForeignKey(
        "organisations.Association",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offers",
        verbose_name=_("association"),
    )
    external_id = models.CharField(
        _("identifiant chez le partenaire"), max_length=100, blank=True, help_text=_("Pour les offres de l'API.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    title = models.CharField(_("titre"), max_length=150)
    description = models.TextField(_("description"))
    sector = models.CharField(_("secteur"), max_length=1, choices=Sector.choices)
    domain = models.CharField(_("domaine professionnel"), max_length=3)
    job_title = models.CharField(_("métier"), max_length=150)
    rome_code = models.CharField(_("code ROME"), max_length=5, blank=True, validators=[validate_rome_code])
    track = models.CharField(_("type de stage"), max_length=16, choices=Track.choices)
    specialties = models.JSONField(
        _("spécialités de lycée professionnel"), default=list, blank=True, help_text=_("Pour une PFMP.")
    )
    format = models.CharField(_("format"), max_length=8, choices=OfferFormat.choices, default=OfferFormat.ON_SITE)
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    commune = models.ForeignKey(
        "geo.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    # Copied from the commune; none for a remote offer, which matches any place.
    latitude = models.FloatField(null=True, blank=True, editable=False)
    longitude = models.FloatField(null=True, blank=True, editable=False)
    group_size = models.PositiveSmallIntegerField(
        _("élèves accueillis ensemble"), default=1, help_text=_("Combien d'élèves par groupe, la même semaine.")
    )
    reservation = models.CharField(_("public"), max_length=8, choices=Reservation.choices, default=Reservation.OPEN)
    reserved_schools = models.ManyToManyField(
        "schools.School", blank=True, related_name="reserved_offers", verbose_name=_("établissements choisis")
    )
    disability_friendly = models.BooleanField(_("accessible aux élèves en situation de handicap"), default=False)
    schedule = models.JSONField(_("horaires"), default=dict)

    status = models.CharField(_("état"), max_length=12, choices=OfferStatus.choices, default=OfferStatus.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Hidden by the moderation after a report: out of the catalogue whatever its state.
    hidden_at = models.DateTimeField(_("masquée le"), null=True, blank=True)
    moderation_note = models.TextField(_("message de la modération"), blank=True)
    # Accent-free words of the title, job, domain, organisation and description, kept by `save`.
    search_document = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("offre")
        verbose_name_plural = _("offres")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "sector"], name="offers_status_sector"),
            models.Index(fields=["latitude", "longitude"], name="offers_coordinates"),
            models.Index(fields=["-published_at"], name="offers_published_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "external_id"],
                condition=~Q(external_id=""),
                name="offers_external_id_unique",
            ),
            models.CheckConstraint(condition=Q(group_size__gte=1), name="offers_group_size_positive"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.search_document = self.build_search_document()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_document"}
        super().save(*args, **kwargs)

    def build_search_document(self) -> str:
        from backend.offers.taxonomy import domains

        domain = domains().get(self.domain)
        parts = [
            self.title,
            self.job_title,
            domain.name if domain else "",
            self.organisation.name if self.organisation_id else "",
            " ".join(self.specialties or []),
            self.description,
        ]
        return normalise_search(" ".join(part for part in parts if part))

    @property
    def is_remote(self) -> bool:
        return self.format == OfferFormat.REMOTE

    @property
    def is_visible_in_catalogue(self) -> bool:
        return self.status == OfferStatus.PUBLISHED and self.hidden_at is None


class OfferWeek(models.Model):
    """A week an offer is open, with its seats: the unit pupils apply for and confirm."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="weeks")
    week_start = models.DateField(_("semaine du"), help_text=_("Le lundi de la semaine ISO."))
    seats = models.PositiveSmallIntegerField(_("places"))
    seats_taken = models.PositiveSmallIntegerField(_("places prises"), default=0)

    class Meta:
        verbose_name = _("semaine proposée")
        verbose_name_plural = _("semaines proposées")
        ordering = ["week_start"]
        indexes = [models.Index(fields=["week_start", "offer"], name="offers_week_start")]
        constraints = [
            models.UniqueConstraint(fields=["offer", "week_start"], name="offers_week_unique"),
            models.CheckConstraint(condition=Q(seats_taken__lte=F("seats")), name="offers_week_not_oversold"),
        ]

    def __str__(self):
        return self.iso_week

    @property
    def iso_week(self) -> str:
        return iso_week(self.week_start)

    @property
    def seats_left(self) -> int:
        return max(self.seats - self.seats_taken, 0)


class OfferReport(models.Model):
    """Anyone can report an offer; platform staff dismiss the report, hide the offer or delete it."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("motif"), max_length=16, choices=ReportReason.choices)
    detail = models.TextField(_("précisions"), blank=True)
    created_at = models.DateTimeField(_("signalée le"), auto_now_add=True)
    decision = models.CharField(_("décision"), max_length=12, choices=ReportDecision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("traité le"), null=True, blank=True)

    class Meta:
        verbose_name = _("signalement d'offre")
        verbose_name_plural = _("signalements d'offres")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.offer} — {self.get_reason_display()}"


class OfferEvent(models.Model):
    """What happened to an offer and who did it: the moderation log and the offer's history."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("événement"), max_length=20, choices=OfferEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        verbose_name = _("événement d'une offre")
        verbose_name_plural = _("historique des offres")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.offer} — {self.get_kind_display()}"


class Application(models.Model):
    """A pupil's application to an offer, for the weeks she can do."""

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="applications")
    pupil = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications")
    motivation = models.TextField(_("message de motivation"))
    weeks = models.ManyToManyField(OfferWeek, related_name="applications", verbose_name=_("semaines possibles"))
    status = models.CharField(
        _("état"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    # The week the employer accepts, and that the pupil confirms (a seat of it is then hers).
    week = models.ForeignKey(
        OfferWeek,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name=_("semaine retenue"),
    )
    decline_reason = models.CharField(_("motif du refus"), max_length=10, choices=DeclineReason.choices, blank=True)
    decline_detail = models.TextField(_("précisions sur le refus"), blank=True)
    # Seen only by the teachers of the pupil's class.
    teacher_note = models.TextField(_("note de l'enseignant"), blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("envoyée le"), auto_now_add=True)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    answered_at = models.DateTimeField(_("réponse le"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmée le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("retirée ou expirée le"), null=True, blank=True)
    # When the pupil last looked at it: a later change of state is highlighted on her applications page.
    pupil_seen_at = models.DateTimeField(_("vue par l'élève le"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("candidature")
        verbose_name_plural = _("candidatures")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="offers_application_status")]
        constraints = [models.UniqueConstraint(fields=["offer", "pupil"], name="offers_application_unique")]

    def __str__(self):
        return f"{self.pupil} → {self.offer}"


class Agreement(models.Model):
    """The internship agreement (convention de stage) of a confirmed application: written when the pupil confirms,
    signed by the host organisation and the school's head; the school records that the copy signed by the
    pupil's legal representative came back. Signed when the three are there; cancelled if the internship is
    withdrawn. The school is the pupil's school when she confirmed."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="agreement")
    school = models.ForeignKey(
        "schools.School", on_delete=models.SET_NULL, null=True, blank=True, related_name="agreements"
    )
    school_class = models.ForeignKey(
        "schools.SchoolClass", on_delete=models.SET_NULL, null=True, blank=True, related_name="agreements"
    )
    status = models.CharField(
        _("état"), max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.TO_SIGN
    )
    host_signed_at = models.DateTimeField(_("signée par la structure le"), null=True, blank=True)
    host_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    school_signed_at = models.DateTimeField(_("signée par l'établissement le"), null=True, blank=True)
    school_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    guardian_signed_at = models.DateTimeField(_("exemplaire signé par la famille reçu le"), null=True, blank=True)
    guardian_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("établie le"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("convention de stage")
        verbose_name_plural = _("conventions de stage")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["school", "status"], name="offers_agreement_school")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="signed")
                | (
                    Q(host_signed_at__isnull=False)
                    & Q(school_signed_at__isnull=False)
                    & Q(guardian_signed_at__isnull=False)
                ),
                name="offers_agreement_signed_by_all",
            ),
        ]

    def __str__(self):
        return f"{self.application} · {self.get_status_display()}"
