"""Scheduling: when adults are free, what pupils and classes book, and the remote discovery sessions.

Times are stored in UTC. Availability rules are written in their owner's local time and time zone (a rule "every
Wednesday 14:00–17:00 in Paris" stays at 14:00 across daylight saving) and expanded on demand by
`scheduling.availability`; a `Slot` row exists only once somebody books it, and the database then guarantees
that a slot is never oversold, that a tutor never holds two overlapping slots and that a pupil never holds two
overlapping bookings (see migration 0002 for the PostgreSQL exclusion constraints).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.enums import TIME_ZONES
from scheduling.enums import (
    AttendanceSource,
    BookingStatus,
    CapacityUnit,
    ExceptionKind,
    ReminderOffset,
    RequestStatus,
    RulePurpose,
    SchoolZone,
    SessionBookingStatus,
    SessionMode,
    SessionStatus,
    SlotFormat,
    SlotStatus,
    VideoProvider,
)

SLOT_MINUTES = [(30, _("30 minutes")), (45, _("45 minutes")), (60, _("1 heure"))]


class AvailabilitySettings(models.Model):
    """What applies to all of a person's availability: notice, horizon, caps and holidays."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability")
    time_zone = models.CharField(_("fuseau horaire"), max_length=64, choices=TIME_ZONES, default="Europe/Paris")
    min_notice_hours = models.PositiveSmallIntegerField(
        _("délai de prévenance (heures)"),
        default=24,
        help_text=_("Un créneau ne peut pas être réservé moins de ce nombre d'heures avant son début."),
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("horizon de réservation (jours)"),
        default=28,
        help_text=_("Les créneaux sont ouverts jusqu'à ce nombre de jours à l'avance."),
    )
    max_per_day = models.PositiveSmallIntegerField(_("rendez-vous au plus par jour"), null=True, blank=True)
    max_per_week = models.PositiveSmallIntegerField(_("rendez-vous au plus par semaine"), null=True, blank=True)
    exclude_holidays = models.BooleanField(
        _("pas de créneau pendant les jours fériés et les vacances scolaires"), default=False
    )
    school_zone = models.CharField(
        _("zone de vacances scolaires"), max_length=24, choices=SchoolZone.choices, blank=True
    )
    association = models.ForeignKey(
        "organisations.Association",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("association qui accompagne le tutorat"),
    )
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("réglages de disponibilité")
        verbose_name_plural = _("réglages de disponibilité")
        constraints = [
            models.CheckConstraint(condition=Q(horizon_days__gte=1, horizon_days__lte=90), name="sched_horizon_range"),
            models.CheckConstraint(condition=Q(min_notice_hours__lte=24 * 14), name="sched_notice_range"),
        ]

    def __str__(self):
        return str(self.user)


class AvailabilityRule(models.Model):
    """A recurring window in its owner's local time, cut into slots of `slot_minutes` separated by a buffer."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="availability_rules",
        verbose_name=_("personne"),
    )
    purpose = models.CharField(_("usage"), max_length=16, choices=RulePurpose.choices, default=RulePurpose.TUTORING)
    rrule = models.CharField(
        _("récurrence (RRULE)"),
        max_length=255,
        help_text=_("Règle de récurrence RFC 5545, par exemple FREQ=WEEKLY;BYDAY=MO,WE."),
    )
    starts_on = models.DateField(_("à partir du"))
    ends_on = models.DateField(_("jusqu'au"), null=True, blank=True)
    start_time = models.TimeField(_("de"))
    end_time = models.TimeField(_("à"))
    time_zone = models.CharField(_("fuseau horaire"), max_length=64, choices=TIME_ZONES, default="Europe/Paris")
    slot_minutes = models.PositiveSmallIntegerField(_("durée d'un créneau"), choices=SLOT_MINUTES, default=45)
    buffer_minutes = models.PositiveSmallIntegerField(_("pause entre deux créneaux (minutes)"), default=0)
    topics = models.JSONField(_("thèmes"), default=list, blank=True)
    format = models.CharField(_("format"), max_length=16, choices=SlotFormat.choices, default=SlotFormat.GROUP)
    group_size = models.PositiveSmallIntegerField(_("élèves au plus"), default=1)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("règle de disponibilité")
        verbose_name_plural = _("règles de disponibilité")
        ordering = ["owner", "starts_on", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="sched_rule_times_ordered"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="sched_rule_dates_ordered"
            ),
            models.CheckConstraint(condition=Q(group_size__gte=1, group_size__lte=30), name="sched_rule_group_size"),
            models.CheckConstraint(condition=Q(buffer_minutes__lte=120), name="sched_rule_buffer"),
        ]

    def __str__(self):
        return f"{self.owner} · {self.rrule} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class AvailabilityException(models.Model):
    """A date that differs from the rules: a day (or part of it) off, or an extra window."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="availability_exceptions",
        verbose_name=_("personne"),
    )
    purpose = models.CharField(_("usage"), max_length=16, choices=RulePurpose.choices, default=RulePurpose.TUTORING)
    kind = models.CharField(_("type"), max_length=16, choices=ExceptionKind.choices)
    date = models.DateField(_("date"))
    # Blank times on an "unavailable" exception mean the whole day.
    start_time = models.TimeField(_("de"), null=True, blank=True)
    end_time = models.TimeField(_("à"), null=True, blank=True)
    time_zone = models.CharField(_("fuseau horaire"), max_length=64, choices=TIME_ZONES, default="Europe/Paris")
    slot_minutes = models.PositiveSmallIntegerField(_("durée d'un créneau"), choices=SLOT_MINUTES, default=45)
    buffer_minutes = models.PositiveSmallIntegerField(_("pause entre deux créneaux (minutes)"), default=0)
    topics = models.JSONField(_("thèmes"), default=list, blank=True)
    format = models.CharField(_("format"), max_length=16, choices=SlotFormat.choices, default=SlotFormat.GROUP)
    group_size = models.PositiveSmallIntegerField(_("élèves au plus"), default=1)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("exception de disponibilité")
        verbose_name_plural = _("exceptions de disponibilité")
        ordering = ["owner", "date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(start_time__isnull=True) & Q(end_time__isnull=True))
                | (Q(start_time__isnull=False) & Q(end_time__isnull=False) & Q(end_time__gt=F("start_time"))),
                name="sched_exception_times",
            ),
            models.CheckConstraint(
                condition=~Q(kind=ExceptionKind.EXTRA) | Q(start_time__isnull=False), name="sched_extra_has_times"
            ),
        ]

    def __str__(self):
        return f"{self.owner} · {self.get_kind_display()} {self.date}"


class HonourabilityAttestation(models.Model):
    """An attestation d'honorabilité seen by an association or the platform: without a valid one, a tutor offers
    group slots only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="honourability_attestations"
    )
    issued_on = models.DateField(_("délivrée le"))
    expires_on = models.DateField(_("valable jusqu'au"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("vérifiée par"),
    )
    recorded_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)
    expiry_reminder_sent_at = models.DateTimeField(_("rappel d'expiration envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("attestation d'honorabilité")
        verbose_name_plural = _("attestations d'honorabilité")
        ordering = ["user", "-expires_on"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_on__gt=F("issued_on")), name="sched_attestation_dates"),
        ]

    def __str__(self):
        return f"{self.user} · {self.expires_on}"


class SchoolHolidayPeriod(models.Model):
    """School holidays of one zone, from the ministry's published calendar; editable by platform staff."""

    zone = models.CharField(_("zone"), max_length=24, choices=SchoolZone.choices)
    name = models.CharField(_("nom"), max_length=120)
    school_year = models.CharField(_("année scolaire"), max_length=9, help_text=_("Par exemple 2026-2027."))
    # Inclusive dates: the first and the last day without school.
    starts_on = models.DateField(_("premier jour de vacances"))
    ends_on = models.DateField(_("dernier jour de vacances"))
    source = models.CharField(_("source"), max_length=255)

    class Meta:
        verbose_name = _("période de vacances scolaires")
        verbose_name_plural = _("périodes de vacances scolaires")
        ordering = ["zone", "starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="sched_holiday_dates"),
            models.UniqueConstraint(fields=["zone", "starts_on"], name="sched_holiday_unique"),
        ]

    def __str__(self):
        return f"{self.get_zone_display()} · {self.name} {self.school_year}"


class Slot(models.Model):
    """A booked time of a tutor. Created by the first booking; a group slot then holds up to `seats` pupils."""

    tutor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tutoring_slots")
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    format = models.CharField(_("format"), max_length=16, choices=SlotFormat.choices)
    seats = models.PositiveSmallIntegerField(_("places"))
    seats_taken = models.PositiveSmallIntegerField(_("places prises"), default=0)
    topics = models.JSONField(_("thèmes"), default=list, blank=True)
    status = models.CharField(_("état"), max_length=16, choices=SlotStatus.choices, default=SlotStatus.OPEN)
    rule = models.ForeignKey(AvailabilityRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("créneau")
        verbose_name_plural = _("créneaux")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="sched_slot_times_ordered"),
            models.CheckConstraint(condition=Q(seats_taken__lte=F("seats")), name="sched_slot_not_oversold"),
            models.UniqueConstraint(
                fields=["tutor", "starts_at"], condition=Q(status=SlotStatus.OPEN), name="sched_slot_unique_start"
            ),
        ]
        indexes = [models.Index(fields=["tutor", "starts_at"], name="sched_slot_tutor_start")]

    def __str__(self):
        return f"{self.tutor} · {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def seats_left(self) -> int:
        return self.seats - self.seats_taken


class Booking(models.Model):
    """A pupil's place in a tutoring slot. Its times copy the slot's, so that the database can refuse a pupil two
    overlapping bookings."""

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    pupil = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tutoring_bookings")
    topic = models.CharField(_("thème"), max_length=24)
    message = models.TextField(_("message au tuteur"), blank=True, max_length=1000)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    status = models.CharField(_("état"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    created_at = models.DateTimeField(_("réservé le"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("motif"), max_length=500, blank=True)
    rescheduled_from = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="rescheduled_to"
    )
    # Calendar identity: one UID for the booking's whole life, SEQUENCE bumped at every change.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("réservation de tutorat")
        verbose_name_plural = _("réservations de tutorat")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "pupil"], condition=Q(status="booked"), name="sched_booking_once_per_slot"
            ),
        ]
        indexes = [models.Index(fields=["pupil", "starts_at"], name="sched_booking_pupil_start")]

    def __str__(self):
        return f"{self.pupil} · {self.slot}"


class DiscoverySession(models.Model):
    """A remote discovery session: a class (or pupils one by one) meets professionals of a host organisation."""

    association = models.ForeignKey("organisations.Association", on_delete=models.PROTECT, related_name="sessions")
    host_organisation = models.ForeignKey(
        "organisations.HostOrganisation",
        on_delete=models.PROTECT,
        related_name="discovery_sessions",
        verbose_name=_("structure d'accueil"),
    )
    professionals = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="sessions_as_professional", verbose_name=_("professionnels")
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="sessions_as_facilitator", blank=True, verbose_name=_("animateurs")
    )
    title = models.CharField(_("thème"), max_length=160)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    sector = models.CharField(_("domaine professionnel"), max_length=8, blank=True)
    starts_at = models.DateTimeField(_("début"))
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"))
    ends_at = models.DateTimeField(_("fin"))
    time_zone = models.CharField(_("fuseau horaire"), max_length=64, choices=TIME_ZONES, default="Europe/Paris")
    mode = models.CharField(_("inscription"), max_length=16, choices=SessionMode.choices, default=SessionMode.CLASS)
    capacity = models.PositiveSmallIntegerField(_("capacité"))
    capacity_unit = models.CharField(
        _("capacité en"), max_length=16, choices=CapacityUnit.choices, default=CapacityUnit.CLASSES
    )
    video_provider = models.CharField(_("outil de visioconférence"), max_length=16, choices=VideoProvider.choices)
    video_url = models.URLField(_("lien de visioconférence"), max_length=500)
    materials = models.TextField(_("supports"), blank=True, max_length=4000)
    status = models.CharField(_("état"), max_length=16, choices=SessionStatus.choices, default=SessionStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    cancel_reason = models.CharField(_("motif d'annulation"), max_length=500, blank=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("séquence de découverte à distance")
        verbose_name_plural = _("séquences de découverte à distance")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="sched_session_times_ordered"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="sched_session_capacity_positive"),
        ]

    def __str__(self):
        return f"{self.title} · {self.starts_at:%Y-%m-%d}"


class SessionRequest(models.Model):
    """A teacher asks an association for a session on a theme, for weeks and time ranges her class can attend."""

    school_class = models.ForeignKey("schools.SchoolClass", on_delete=models.CASCADE, related_name="session_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    association = models.ForeignKey(
        "organisations.Association", on_delete=models.CASCADE, related_name="session_requests"
    )
    theme = models.CharField(_("thème souhaité"), max_length=160)
    sector = models.CharField(_("domaine professionnel"), max_length=8, blank=True)
    weeks = models.JSONField(_("semaines possibles"), default=list)
    # [{"weekday": 0-6, "start": "HH:MM", "end": "HH:MM"}] in `time_zone`: when the class can attend.
    time_ranges = models.JSONField(_("créneaux possibles de la classe"), default=list)
    time_zone = models.CharField(_("fuseau horaire"), max_length=64, choices=TIME_ZONES, default="Europe/Paris")
    pupils_count = models.PositiveSmallIntegerField(_("nombre d'élèves"), default=0)
    message = models.TextField(_("message"), blank=True, max_length=2000)
    status = models.CharField(_("état"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    session = models.ForeignKey(
        DiscoverySession, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    answer = models.CharField(_("réponse de l'association"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("envoyée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("demande de séquence")
        verbose_name_plural = _("demandes de séquence")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.school_class} · {self.theme}"


class SessionBooking(models.Model):
    """A class (class mode) or a pupil (individual mode) booked on a session, confirmed by the association."""

    session = models.ForeignKey(DiscoverySession, on_delete=models.CASCADE, related_name="bookings")
    school_class = models.ForeignKey(
        "schools.SchoolClass", on_delete=models.CASCADE, null=True, blank=True, related_name="session_bookings"
    )
    pupil = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="session_bookings"
    )
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # What the booking counts against the capacity: 1 for a class counted in classes, its pupils otherwise.
    places = models.PositiveSmallIntegerField(_("places"), default=1)
    status = models.CharField(
        _("état"), max_length=16, choices=SessionBookingStatus.choices, default=SessionBookingStatus.PENDING
    )
    created_at = models.DateTimeField(_("réservée le"), auto_now_add=True)
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    cancel_reason = models.CharField(_("motif"), max_length=500, blank=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)

    ACTIVE = (SessionBookingStatus.PENDING, SessionBookingStatus.CONFIRMED, SessionBookingStatus.WAITLISTED)

    class Meta:
        verbose_name = _("réservation de séquence")
        verbose_name_plural = _("réservations de séquence")
        ordering = ["session", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(school_class__isnull=False) & Q(pupil__isnull=True))
                | (Q(school_class__isnull=True) & Q(pupil__isnull=False)),
                name="sched_session_booking_one_party",
            ),
            models.UniqueConstraint(
                fields=["session", "school_class"],
                condition=Q(status__in=["pending", "confirmed", "waitlisted"]),
                name="sched_session_booking_class_once",
            ),
            models.UniqueConstraint(
                fields=["session", "pupil"],
                condition=Q(status__in=["pending", "confirmed", "waitlisted"]),
                name="sched_session_booking_pupil_once",
            ),
        ]

    def __str__(self):
        return f"{self.school_class or self.pupil} · {self.session}"


class SessionAttendance(models.Model):
    """Whether one pupil was at one discovery session: written when an adult takes the roll, or when the pupil
    joins the session's live room. No row means nobody knows yet (it is neither a presence nor an absence)."""

    session = models.ForeignKey(DiscoverySession, on_delete=models.CASCADE, related_name="attendances")
    booking = models.ForeignKey(SessionBooking, on_delete=models.CASCADE, related_name="attendances")
    pupil = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_attendances")
    present = models.BooleanField(_("présent ou présente"))
    source = models.CharField(_("relevé par"), max_length=16, choices=AttendanceSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("relevé le"), default=timezone.now)

    class Meta:
        verbose_name = _("présence à une séance")
        verbose_name_plural = _("présences aux séances")
        constraints = [
            models.UniqueConstraint(fields=["session", "pupil"], name="sched_attendance_once_per_pupil"),
        ]
        indexes = [models.Index(fields=["pupil", "session"], name="sched_attendance_pupil")]

    def __str__(self):
        return f"{self.pupil} · {self.session} · {'present' if self.present else 'absent'}"


class CalendarFeed(models.Model):
    """A private ICS feed URL. Only a hash of the secret is stored; revoking it and asking for a new one gives a new
    URL."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernière lecture"), null=True, blank=True)

    class Meta:
        verbose_name = _("flux de calendrier")
        verbose_name_plural = _("flux de calendrier")
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(revoked_at__isnull=True), name="sched_one_live_feed"),
        ]

    def __str__(self):
        return f"{self.user} · {self.created_at:%Y-%m-%d}"


class ReminderSent(models.Model):
    """One row per reminder e-mail sent: the unique constraint makes a retried or doubled task send it only once."""

    kind = models.CharField(max_length=16)  # "booking", "session" or "digest"
    object_id = models.PositiveBigIntegerField()
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    offset = models.CharField(max_length=4, choices=ReminderOffset.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rappel envoyé")
        verbose_name_plural = _("rappels envoyés")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "recipient", "offset"], name="sched_reminder_once"),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id} → {self.recipient} ({self.offset})"
