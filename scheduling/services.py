"""Writes for tutoring: availability settings, rules and exceptions, attestations, bookings.

Every function is keyword-only, runs in one transaction and raises `django.core.exceptions.ValidationError` with
translated French messages when a rule refuses the operation (nothing is written then). Authorisation is the
caller's job (`scheduling.permissions`); the rules about times, seats and states live here, so that pages, API and
admin share them.

Bookings never oversell and never overlap: the tutor's row is locked (`SELECT … FOR NO KEY UPDATE`) while his slot is
found or created, seats are taken with a conditional `F()` update, and PostgreSQL's constraints (unique open slot per
start, no overlapping open slots of a tutor, no overlapping bookings of a pupil — migration 0002) refuse whatever
slips through; their `IntegrityError` becomes a translated message. Notifications and the `scheduling.events` signals
leave after commit.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.enums import TIME_ZONE_NAMES, ConsentStatus, MembershipStatus
from backend.organisations.enums import AssociationRole
from scheduling import events, notifications, selectors
from scheduling.enums import BookingStatus, RulePurpose, SchoolZone, SlotFormat, SlotStatus, Topic
from scheduling.models import (
    AvailabilityException,
    AvailabilityRule,
    AvailabilitySettings,
    Booking,
    HonourabilityAttestation,
    Slot,
)
from scheduling.rules import cancel_cutoff_hours, find_overlapping_rule, validate_exception, validate_rule

User = get_user_model()

# In the order the settings form shows them.
SETTINGS_FIELDS = (
    "time_zone",
    "min_notice_hours",
    "horizon_days",
    "max_per_day",
    "max_per_week",
    "exclude_holidays",
    "school_zone",
    "association",
)
RULE_FIELDS = {
    "purpose",
    "rrule",
    "starts_on",
    "ends_on",
    "start_time",
    "end_time",
    "time_zone",
    "slot_minutes",
    "buffer_minutes",
    "topics",
    "format",
    "group_size",
}
EXCEPTION_FIELDS = RULE_FIELDS - {"rrule", "starts_on", "ends_on"} | {"kind", "date", "note"}
MAX_NOTICE_HOURS = 24 * 14
MAX_HORIZON_DAYS = 90


def _unknown(fields: dict, allowed, what: str) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Not editable on {what}: {', '.join(sorted(unknown))}")


def _lock_user(user) -> None:
    """Serialise the writes about one person (her rules, her bookings as a tutor) for the transaction.

    FOR NO KEY UPDATE does not block rows that merely reference the user."""
    User.objects.select_for_update(no_key=True).filter(pk=user.pk).values_list("pk", flat=True).first()


# --- Settings ------------------------------------------------------------------------------------------------------


def availability_settings_update(*, user, **fields) -> AvailabilitySettings:
    """Create or change a person's availability settings (time zone, notice, horizon, caps, holidays, association)."""
    _unknown(fields, SETTINGS_FIELDS, "availability settings")
    errors: dict[str, list] = {}
    if "time_zone" in fields and fields["time_zone"] not in TIME_ZONE_NAMES:
        errors["time_zone"] = [_("Choisissez un fuseau horaire de la liste.")]
    notice = fields.get("min_notice_hours")
    if "min_notice_hours" in fields and (not isinstance(notice, int) or not 0 <= notice <= MAX_NOTICE_HOURS):
        errors["min_notice_hours"] = [
            _("Le délai de prévenance est compris entre 0 et %(max)d heures.") % {"max": MAX_NOTICE_HOURS}
        ]
    horizon = fields.get("horizon_days")
    if "horizon_days" in fields and (not isinstance(horizon, int) or not 1 <= horizon <= MAX_HORIZON_DAYS):
        errors["horizon_days"] = [
            _("L'horizon de réservation est compris entre 1 et %(max)d jours.") % {"max": MAX_HORIZON_DAYS}
        ]
    for name in ("max_per_day", "max_per_week"):
        value = fields.get(name)
        if value is not None and (not isinstance(value, int) or value < 1):
            errors[name] = [_("Indiquez un nombre d'au moins 1, ou laissez vide pour ne pas limiter.")]
    if fields.get("school_zone") and fields["school_zone"] not in SchoolZone.values:
        errors["school_zone"] = [_("Choisissez une zone de vacances scolaires de la liste.")]
    association = fields.get("association")
    if (
        association is not None
        and not user.association_memberships.filter(
            association=association, status=MembershipStatus.CONFIRMED, role=AssociationRole.TUTOR
        ).exists()
    ):
        errors["association"] = [_("Choisissez une association dont vous êtes tuteur ou tutrice confirmé(e).")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock_user(user)
        settings, _created = AvailabilitySettings.objects.get_or_create(
            user=user, defaults={"time_zone": getattr(user, "time_zone", None) or "Europe/Paris"}
        )
        for name, value in fields.items():
            setattr(settings, name, value)
        if (
            settings.max_per_day is not None
            and settings.max_per_week is not None
            and settings.max_per_day > settings.max_per_week
        ):
            raise ValidationError(
                {"max_per_day": [_("Le nombre de rendez-vous par jour ne peut dépasser celui par semaine.")]}
            )
        settings.save()
    return settings


# --- Rules and exceptions ------------------------------------------------------------------------------------------


def _check_one_to_one(owner, fields: dict) -> None:
    if (
        fields.get("purpose", RulePurpose.TUTORING) == RulePurpose.TUTORING
        and fields.get("format") == SlotFormat.ONE_TO_ONE
        and not selectors.has_valid_attestation(owner)
    ):
        raise ValidationError(
            {
                "format": [
                    _(
                        "Les créneaux individuels demandent une attestation d'honorabilité valide, enregistrée par "
                        "votre association ou l'équipe de la plateforme. Proposez des créneaux en petit groupe."
                    )
                ]
            }
        )


def _rule_fields(rule: AvailabilityRule) -> dict:
    return {name: getattr(rule, name) for name in RULE_FIELDS}


def _save_rule(rule: AvailabilityRule, owner) -> AvailabilityRule:
    others = list(AvailabilityRule.objects.filter(owner=owner, purpose=rule.purpose).exclude(pk=rule.pk))
    overlapping = find_overlapping_rule(rule, others)
    if overlapping is not None:
        raise ValidationError(
            _(
                "Cette plage chevauche une autre de vos règles (%(rule)s, à partir du %(date)s). "
                "Modifiez les jours, les heures ou les dates."
            )
            % {
                "rule": f"{overlapping.start_time:%H:%M}–{overlapping.end_time:%H:%M}",
                "date": overlapping.starts_on.strftime("%d/%m/%Y"),
            }
        )
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as error:
        raise ValidationError(
            _("Cette règle n'a pas pu être enregistrée : vérifiez ses dates et ses heures.")
        ) from error
    return rule


def rule_create(*, owner, **fields) -> AvailabilityRule:
    """Add a recurring window to a person's availability (in her time zone unless `time_zone` is given).

    Refused: a malformed RRULE, times or dates in the wrong order, a window shorter than one slot, unknown topics, a
    one-to-one format without a valid attestation, a window overlapping another rule of the same purpose."""
    _unknown(fields, RULE_FIELDS, "an availability rule")
    fields.setdefault("time_zone", selectors.availability_settings_of(owner).time_zone)
    cleaned = validate_rule(**fields)
    _check_one_to_one(owner, cleaned)
    with transaction.atomic():
        _lock_user(owner)
        return _save_rule(AvailabilityRule(owner=owner, **cleaned), owner)


def rule_update(*, rule: AvailabilityRule, **fields) -> AvailabilityRule:
    """Change a rule. Slots already booked keep their time; the change applies to the slots still open."""
    _unknown(fields, RULE_FIELDS, "an availability rule")
    cleaned = validate_rule(**{**_rule_fields(rule), **fields})
    _check_one_to_one(rule.owner, cleaned)
    with transaction.atomic():
        _lock_user(rule.owner)
        for name, value in cleaned.items():
            setattr(rule, name, value)
        return _save_rule(rule, rule.owner)


def rule_delete(*, rule: AvailabilityRule) -> None:
    """Remove a rule. Its bookings stay (their slots forget the rule); no new slot opens from it."""
    with transaction.atomic():
        rule.delete()


def exception_create(*, owner, **fields) -> AvailabilityException:
    """Add a day (or part of a day) off, or an extra window, to a person's availability.

    Bookings already made on a day off stay: the tutor cancels them himself if he must (the pupil is told)."""
    _unknown(fields, EXCEPTION_FIELDS, "an availability exception")
    fields.setdefault("time_zone", selectors.availability_settings_of(owner).time_zone)
    fields.setdefault("format", SlotFormat.GROUP)
    cleaned = validate_exception(**fields)
    if cleaned["kind"] == "extra":
        _check_one_to_one(owner, cleaned)
    with transaction.atomic():
        exception = AvailabilityException(owner=owner, **cleaned)
        try:
            with transaction.atomic():
                exception.save()
        except IntegrityError as error:
            raise ValidationError(_("Cette exception n'a pas pu être enregistrée : vérifiez ses heures.")) from error
    return exception


def exception_delete(*, exception: AvailabilityException) -> None:
    with transaction.atomic():
        exception.delete()


# --- Attestations --------------------------------------------------------------------------------------------------


def attestation_record(*, user, issued_on: datetime.date, expires_on: datetime.date, recorded_by):
    """Record an attestation d'honorabilité seen by an association's staff or the platform's.

    Refused: an issue date in the future, an expiry not after the issue date, an attestation already expired."""
    today = timezone.localdate()
    errors: dict[str, list] = {}
    if issued_on is None:
        errors["issued_on"] = [_("Indiquez la date de délivrance.")]
    elif issued_on > today:
        errors["issued_on"] = [_("La date de délivrance ne peut pas être dans le futur.")]
    if expires_on is None:
        errors["expires_on"] = [_("Indiquez la date de fin de validité.")]
    elif issued_on is not None and expires_on <= issued_on:
        errors["expires_on"] = [_("La fin de validité doit être après la date de délivrance.")]
    elif expires_on < today:
        errors["expires_on"] = [_("Cette attestation a déjà expiré : elle ne peut pas être enregistrée.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return HonourabilityAttestation.objects.create(
            user=user, issued_on=issued_on, expires_on=expires_on, recorded_by=recorded_by, recorded_at=timezone.now()
        )


# --- Bookings ------------------------------------------------------------------------------------------------------


def _clean_text(value: str, *, limit: int, field: str, label: str) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise ValidationError(
            {field: [_("%(label)s : %(limit)d caractères au plus.") % {"label": label, "limit": limit}]}
        )
    return text


def _explain_unbookable(*, tutor, starts_at, now) -> ValidationError:
    """Why a time cannot be booked, in words for the pupil."""
    settings = selectors.availability_settings_of(tutor)
    if starts_at <= now:
        return ValidationError(_("Ce créneau est déjà passé."))
    if starts_at < now + datetime.timedelta(hours=settings.min_notice_hours):
        return ValidationError(
            _("Ce créneau commence trop tôt : il se réserve au moins %(hours)d heures à l'avance.")
            % {"hours": settings.min_notice_hours}
        )
    if starts_at >= now + datetime.timedelta(days=settings.horizon_days):
        return ValidationError(
            _("Ce créneau est trop loin : il se réserve au plus %(days)d jours à l'avance.")
            % {"days": settings.horizon_days}
        )
    slot = Slot.objects.filter(tutor=tutor, starts_at=starts_at, status=SlotStatus.OPEN).first()
    if slot is not None and slot.seats_taken >= slot.seats:
        return ValidationError(_("Ce créneau est complet."))
    return ValidationError(_("Ce créneau n'est pas ou plus proposé. Choisissez un autre créneau."))


def _check_pupil(pupil) -> None:
    if not getattr(pupil, "is_pupil", False):
        raise ValidationError(_("Seuls les élèves réservent un créneau de tutorat."))
    if pupil.pupil_profile.consent_status == ConsentStatus.PENDING:
        raise ValidationError(
            _("L'accord de ton représentant légal est attendu avant de pouvoir réserver un créneau de tutorat.")
        )


def _book(*, pupil, tutor, starts_at, topic, message, now, rescheduled_from=None) -> Booking:
    """Take a seat, inside the caller's transaction. Raises ValidationError (the caller's transaction rolls back)."""
    _lock_user(tutor)
    found = selectors.find_open_slot(tutor=tutor, starts_at=starts_at, now=now)
    if found is None:
        raise _explain_unbookable(tutor=tutor, starts_at=starts_at, now=now)
    if topic not in found.topics:
        raise ValidationError({"topic": [_("Ce créneau ne propose pas ce thème.")]})
    if Booking.objects.filter(
        pupil=pupil, status=BookingStatus.BOOKED, starts_at__lt=found.ends_at, ends_at__gt=found.starts_at
    ).exists():
        raise ValidationError(_("Tu as déjà un rendez-vous à cette heure-là."))
    slot = Slot.objects.select_for_update().filter(tutor=tutor, starts_at=starts_at, status=SlotStatus.OPEN).first()
    if slot is None:
        try:
            with transaction.atomic():
                slot = Slot.objects.create(
                    tutor=tutor,
                    starts_at=found.starts_at,
                    ends_at=found.ends_at,
                    format=found.format,
                    seats=found.seats,
                    topics=list(found.topics),
                    rule_id=found.rule_id,
                )
        except IntegrityError as error:
            raise ValidationError(_("Ce créneau vient d'être pris. Choisissez un autre créneau.")) from error
    taken = Slot.objects.filter(pk=slot.pk, status=SlotStatus.OPEN, seats_taken__lt=F("seats")).update(
        seats_taken=F("seats_taken") + 1
    )
    if taken != 1:
        raise ValidationError(_("Ce créneau est complet."))
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                slot=slot,
                pupil=pupil,
                topic=topic,
                message=message,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                rescheduled_from=rescheduled_from,
            )
    except IntegrityError as error:
        raise ValidationError(
            _("Tu as déjà un rendez-vous à cette heure-là, ou ce créneau vient d'être pris.")
        ) from error
    booking.slot.refresh_from_db()
    return booking


def booking_create(*, pupil, tutor, starts_at: datetime.datetime, topic: str, message: str = "", now=None) -> Booking:
    """A pupil books the tutor's slot that starts at `starts_at` (UTC-aware), for a topic, with a short message.

    Refused: not a pupil (or her guardian's consent pending), an unknown topic or one the slot does not offer, a slot
    past, inside the tutor's notice, beyond his horizon, not offered, full or over his caps, a pupil already busy
    then. The tutor and the pupil's teachers are told after commit."""
    now = now or timezone.now()
    _check_pupil(pupil)
    if topic not in Topic.values:
        raise ValidationError({"topic": [_("Choisissez un thème de la liste.")]})
    message = _clean_text(message, limit=1000, field="message", label=_("Message"))
    if starts_at is None or timezone.is_naive(starts_at):
        raise ValidationError(_("L'heure du créneau est invalide."))
    starts_at = starts_at.astimezone(datetime.UTC)
    with transaction.atomic():
        booking = _book(pupil=pupil, tutor=tutor, starts_at=starts_at, topic=topic, message=message, now=now)
        transaction.on_commit(lambda: notifications.booking_booked(booking))
        events.send_booking_changed_on_commit(booking, action="booked", by=pupil)
    return booking


def _is_staff(user) -> bool:
    return bool(getattr(user, "is_staff", False))


def _cancel(*, booking: Booking, by, reason: str, now, status=BookingStatus.CANCELLED) -> Booking:
    """Cancel inside the caller's transaction; returns the locked, updated booking."""
    reason = _clean_text(reason, limit=500, field="reason", label=_("Motif"))
    if not reason:
        raise ValidationError({"reason": [_("Indiquez le motif de l'annulation.")]})
    locked = Booking.objects.select_for_update().select_related("slot").get(pk=booking.pk)
    if locked.status != BookingStatus.BOOKED:
        raise ValidationError(
            _("Ce rendez-vous ne peut plus être annulé (il est : %(status)s).")
            % {"status": locked.get_status_display().lower()}
        )
    if locked.starts_at <= now:
        raise ValidationError(_("Ce rendez-vous a déjà commencé : il ne peut plus être annulé ni déplacé."))
    cutoff = cancel_cutoff_hours()
    if not _is_staff(by) and locked.starts_at - now < datetime.timedelta(hours=cutoff):
        raise ValidationError(
            _(
                "Un rendez-vous s'annule ou se déplace au plus tard %(hours)d heures avant son début. "
                "Prévenez votre tuteur ou votre enseignant."
            )
            % {"hours": cutoff}
        )
    locked.status = status
    locked.cancelled_at = now
    locked.cancelled_by = by if getattr(by, "is_authenticated", False) else None
    locked.cancel_reason = reason
    locked.sequence += 1
    locked.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason", "sequence", "updated_at"])
    Slot.objects.filter(pk=locked.slot_id, seats_taken__gt=0).update(seats_taken=F("seats_taken") - 1)
    slot = Slot.objects.get(pk=locked.slot_id)
    if slot.seats_taken == 0 and by is not None and by.pk == slot.tutor_id:
        # The tutor withdrew from this time: the empty slot closes and is not offered again.
        slot.status = SlotStatus.CANCELLED
        slot.save(update_fields=["status"])
    locked.slot = slot
    return locked


def booking_cancel(*, booking: Booking, by, reason: str, now=None) -> Booking:
    """Cancel a booking with a reason: the pupil or the tutor up to the cut-off (`SCHEDULING_CANCEL_CUTOFF_HOURS`
    before the start), platform staff until it starts. The seat frees; a slot emptied by its tutor closes. Those
    concerned are told after commit."""
    now = now or timezone.now()
    with transaction.atomic():
        cancelled = _cancel(booking=booking, by=by, reason=reason, now=now)
        transaction.on_commit(lambda: notifications.booking_cancelled(cancelled, by=by))
        events.send_booking_changed_on_commit(cancelled, action="cancelled", by=by)
    _copy(cancelled, booking)
    return booking


def booking_reschedule(*, booking: Booking, by, starts_at: datetime.datetime, reason: str, now=None) -> Booking:
    """Move a booking to another open slot of the same tutor: the old one is cancelled (same cut-off as a
    cancellation) and a new one booked, both or neither. Returns the new booking."""
    now = now or timezone.now()
    if starts_at is None or timezone.is_naive(starts_at):
        raise ValidationError(_("L'heure du créneau est invalide."))
    starts_at = starts_at.astimezone(datetime.UTC)
    if starts_at == booking.starts_at:
        raise ValidationError(_("Choisissez un autre horaire que celui du rendez-vous actuel."))
    with transaction.atomic():
        old = _cancel(booking=booking, by=by, reason=reason, now=now)
        new = _book(
            pupil=old.pupil,
            tutor=old.slot.tutor,
            starts_at=starts_at,
            topic=old.topic,
            message=old.message,
            now=now,
            rescheduled_from=old,
        )
        transaction.on_commit(lambda: notifications.booking_rescheduled(old, new, by=by))
        events.send_booking_changed_on_commit(old, action="cancelled", by=by)
        events.send_booking_changed_on_commit(new, action="rescheduled", by=by)
    _copy(old, booking)
    return new


def booking_mark(*, booking: Booking, by, attended: bool, now=None) -> Booking:
    """The tutor records whether the pupil came, once the appointment has started (he may correct it later)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if locked.status == BookingStatus.CANCELLED:
            raise ValidationError(_("Ce rendez-vous a été annulé."))
        if locked.starts_at > now:
            raise ValidationError(_("La présence se note une fois le rendez-vous commencé."))
        locked.status = BookingStatus.ATTENDED if attended else BookingStatus.NO_SHOW
        locked.save(update_fields=["status", "updated_at"])
        events.send_booking_changed_on_commit(locked, action=locked.status, by=by)
    _copy(locked, booking)
    return booking


def _copy(source: Booking, target: Booking) -> None:
    """The caller's object reflects the new state."""
    if source is target:
        return
    for name in ("status", "cancelled_at", "cancelled_by_id", "cancel_reason", "sequence", "updated_at"):
        setattr(target, name, getattr(source, name))
