"""Writes on discovery sessions: creating and changing sessions, booking them (classes or pupils), the waiting list,
the association's confirmation, and teachers' requests matched to a proposed time.

Keyword-only functions named `<entity>_<action>`, each in one transaction, raising `ValidationError` with a
translated sentence when a rule refuses (nothing is written then). Authorisation is the caller's job (views ask
`scheduling.permissions`); the rules about sessions live here, for the pages and the API alike.

Capacity: a booking holds `places` (1 for a class when the session counts classes, the class's pupils when it
counts pupils, 1 for a pupil); pending and confirmed bookings hold their places, waiting ones hold none. Booking
locks the session's row (`SELECT … FOR UPDATE`), so two teachers booking the last place at once never both get
it. The waiting list is served strictly in order: when places free up, the first waiting booking is promoted
(to pending: the association still confirms) if it fits, then the next, and so on.

Who is told: `scheduling.notifications` and the `scheduling.events` signals, after the transaction commits.
"""

import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.enums import ConsentStatus, MembershipStatus
from backend.offers.rules import parse_iso_week
from backend.offers.taxonomy import validate_domain
from backend.organisations.enums import AssociationRole
from backend.organisations.models import HostOrganisation
from backend.schools.models import Enrolment, SchoolClass
from scheduling import events, matching, notifications, session_selectors
from scheduling.enums import (
    CapacityUnit,
    RequestStatus,
    SessionBookingStatus,
    SessionMode,
    SessionStatus,
)
from scheduling.models import DiscoverySession, SessionBooking, SessionRequest

MIN_DURATION, MAX_DURATION = 15, 240
MAX_REQUEST_WEEKS = 8
MAX_REQUEST_AHEAD_DAYS = 366

# Fields that describe the session; changing the time or the link tells everyone taking part.
SESSION_FIELDS = {
    "host_organisation",
    "professionals",
    "facilitators",
    "title",
    "description",
    "sector",
    "starts_at",
    "duration_minutes",
    "time_zone",
    "mode",
    "capacity",
    "capacity_unit",
    "video_provider",
    "video_url",
    "materials",
}
NOTIFIED_FIELDS = {"starts_at", "duration_minutes", "video_provider", "video_url", "host_organisation"}


# --- Helpers ------------------------------------------------------------------------------------------------------


def local_to_utc(day: datetime.date, time: datetime.time, time_zone: str) -> datetime.datetime:
    """A wall-clock time in a zone, as a UTC instant. A time that does not exist that day (the hour skipped when
    clocks go forward) is refused rather than silently moved."""
    zone = zoneinfo.ZoneInfo(time_zone)
    local = datetime.datetime.combine(day, time, tzinfo=zone)
    as_utc = local.astimezone(datetime.UTC)
    if as_utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValidationError(
            _(
                "%(time)s n'existe pas le %(day)s dans ce fuseau horaire (changement d'heure) : "
                "choisissez une autre heure."
            ),
            code="nonexistent_time",
            params={"time": time.strftime("%H:%M"), "day": day.strftime("%d/%m/%Y")},
        )
    return as_utc


def _locked_session(session: DiscoverySession) -> DiscoverySession:
    return DiscoverySession.objects.select_for_update().get(pk=session.pk)


def _notify_booking(booking: SessionBooking, *, by, action: str) -> None:
    transaction.on_commit(lambda: notifications.session_booking_changed(booking, by=by))
    events.send_session_changed_on_commit(booking.session, action=action, by=by)


def _notify_session(session: DiscoverySession, *, by, action: str) -> None:
    transaction.on_commit(lambda: notifications.session_changed(session, by=by))
    events.send_session_changed_on_commit(session, action=action, by=by)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Donnez le motif : les personnes prévenues le liront."), code="reason_required")
    return reason[:500]


def class_places(session: DiscoverySession, school_class: SchoolClass) -> int:
    """What a class holds: one place when the session counts classes, its current pupils (at least one) otherwise."""
    if session.capacity_unit == CapacityUnit.CLASSES:
        return 1
    pupils = Enrolment.objects.filter(school_class=school_class, left_at__isnull=True).count()
    return max(pupils, 1)


# --- Sessions -------------------------------------------------------------------------------------------------------


def _check_session(fields: dict, *, association, now) -> None:
    """The rules a session's description must follow; `fields` holds every field of SESSION_FIELDS."""
    errors = []
    organisation = fields["host_organisation"]
    if not HostOrganisation.objects.filter(
        pk=organisation.pk, memberships__status=MembershipStatus.CONFIRMED
    ).exists():
        errors.append(_("La structure d'accueil n'a encore aucun membre confirmé."))
    professionals = list(fields["professionals"])
    if not professionals:
        errors.append(_("Choisissez au moins un professionnel ou une professionnelle."))
    members = set(organisation.memberships.filter(status=MembershipStatus.CONFIRMED).values_list("user_id", flat=True))
    if any(person.pk not in members for person in professionals):
        errors.append(_("Les professionnels doivent être des membres confirmés de la structure d'accueil."))
    staff = set(
        association.memberships.filter(role=AssociationRole.STAFF, status=MembershipStatus.CONFIRMED).values_list(
            "user_id", flat=True
        )
    )
    if any(person.pk not in staff for person in fields["facilitators"]):
        errors.append(_("Les animateurs doivent faire partie de l'équipe confirmée de l'association."))
    if not (fields["title"] or "").strip():
        errors.append(_("Donnez un thème à la séquence."))
    if fields["sector"]:
        try:
            validate_domain(fields["sector"])
        except ValidationError as error:
            errors.extend(error.messages)
    duration = fields["duration_minutes"]
    if not duration or not MIN_DURATION <= duration <= MAX_DURATION:
        errors.append(
            _("La durée doit être comprise entre %(min)s et %(max)s minutes.")
            % {"min": MIN_DURATION, "max": MAX_DURATION}
        )
    if fields["starts_at"] <= now:
        errors.append(_("La séquence doit commencer dans le futur."))
    if not fields["capacity"] or fields["capacity"] < 1:
        errors.append(_("La capacité doit être d'au moins une place."))
    if fields["mode"] == SessionMode.INDIVIDUAL and fields["capacity_unit"] != CapacityUnit.PUPILS:
        errors.append(_("Quand les élèves s'inscrivent un par un, la capacité se compte en élèves."))
    if not str(fields["video_url"]).lower().startswith("https://"):
        errors.append(_("Le lien de visioconférence doit commencer par https://."))
    if errors:
        raise ValidationError(errors)


def session_create(
    *, association, created_by, status: str = SessionStatus.DRAFT, now=None, **fields
) -> DiscoverySession:
    """Creates a session of `association` (draft by default, or published at once). `fields` are those of
    SESSION_FIELDS; `starts_at` is an aware datetime; `facilitators` may be empty."""
    unknown = set(fields) - SESSION_FIELDS
    if unknown:
        raise TypeError(f"Not a session field: {', '.join(sorted(unknown))}")
    fields = {"facilitators": [], "description": "", "sector": "", "materials": "", **fields}
    fields.setdefault("time_zone", getattr(created_by, "time_zone", "Europe/Paris"))
    fields.setdefault("capacity_unit", CapacityUnit.CLASSES)
    fields.setdefault("mode", SessionMode.CLASS)
    if status not in (SessionStatus.DRAFT, SessionStatus.PUBLISHED, SessionStatus.PROPOSED):
        raise ValueError(status)
    _check_session(fields, association=association, now=now or timezone.now())
    professionals, facilitators = fields.pop("professionals"), fields.pop("facilitators")
    with transaction.atomic():
        session = DiscoverySession.objects.create(
            association=association,
            created_by=created_by,
            status=status,
            ends_at=fields["starts_at"] + datetime.timedelta(minutes=fields["duration_minutes"]),
            **fields,
        )
        session.professionals.set(professionals)
        session.facilitators.set(facilitators)
        events.send_session_changed_on_commit(session, action="created", by=created_by)
    return session


def session_update(*, session: DiscoverySession, by, now=None, **fields) -> DiscoverySession:
    """Changes a session that is not cancelled nor over. A new time or link bumps the calendar SEQUENCE and tells
    everyone taking part; the capacity cannot go below the places already held."""
    unknown = set(fields) - SESSION_FIELDS
    if unknown:
        raise TypeError(f"Not a session field: {', '.join(sorted(unknown))}")
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_session(session)
        if locked.status == SessionStatus.CANCELLED:
            raise ValidationError(_("Cette séquence est annulée : elle ne peut plus être modifiée."), code="cancelled")
        if locked.ends_at <= now:
            raise ValidationError(_("Cette séquence est passée : elle ne peut plus être modifiée."), code="past")
        current = {name: getattr(locked, name) for name in SESSION_FIELDS - {"professionals", "facilitators"}}
        current["professionals"] = list(locked.professionals.all())
        current["facilitators"] = list(locked.facilitators.all())
        merged = {**current, **fields}
        check_now = now if merged["starts_at"] != locked.starts_at else min(now, merged["starts_at"])
        _check_session(merged, association=locked.association, now=check_now)
        taken = session_selectors.places_taken(locked)
        if merged["capacity"] < taken:
            raise ValidationError(
                _("%(taken)s places sont déjà réservées : la capacité ne peut pas descendre en dessous.")
                % {"taken": taken},
                code="capacity_below_taken",
            )
        if merged["capacity_unit"] != locked.capacity_unit and taken:
            raise ValidationError(
                _("Des places sont déjà réservées : l'unité de capacité ne peut plus changer."), code="unit_locked"
            )
        if merged["mode"] != locked.mode and locked.bookings.filter(status__in=SessionBooking.ACTIVE).exists():
            raise ValidationError(
                _("La séquence a déjà des réservations : son mode d'inscription ne peut plus changer."),
                code="mode_locked",
            )
        changed = {name for name in fields if merged[name] != current[name]}
        professionals, facilitators = merged.pop("professionals"), merged.pop("facilitators")
        for name, value in merged.items():
            setattr(locked, name, value)
        locked.ends_at = locked.starts_at + datetime.timedelta(minutes=locked.duration_minutes)
        notify = bool(changed & NOTIFIED_FIELDS) and locked.status != SessionStatus.DRAFT
        if notify:
            locked.sequence = F("sequence") + 1
        locked.save()
        locked.professionals.set(professionals)
        locked.facilitators.set(facilitators)
        locked.refresh_from_db()
        if notify:
            _notify_session(locked, by=by, action="updated")
        else:
            events.send_session_changed_on_commit(locked, action="updated", by=by)
        # Room made by a larger capacity goes to the waiting list.
        _promote(locked, by=by)
    return locked


def session_publish(*, session: DiscoverySession, by, now=None) -> DiscoverySession:
    """Opens a draft to bookings."""
    with transaction.atomic():
        locked = _locked_session(session)
        if locked.status != SessionStatus.DRAFT:
            raise ValidationError(_("Seul un brouillon peut être publié."), code="not_draft")
        if locked.starts_at <= (now or timezone.now()):
            raise ValidationError(_("Cette séquence a déjà commencé : changez sa date avant de la publier."))
        locked.status = SessionStatus.PUBLISHED
        locked.save(update_fields=["status", "updated_at"])
        events.send_session_changed_on_commit(locked, action="published", by=by)
    return locked


def session_cancel(*, session: DiscoverySession, by, reason: str, now=None) -> DiscoverySession:
    """Cancels a session and every booking in force on it; a request it answered is open again for another time."""
    reason = _reason(reason)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_session(session)
        if locked.status == SessionStatus.CANCELLED:
            raise ValidationError(_("Cette séquence est déjà annulée."), code="already_cancelled")
        if locked.ends_at <= now:
            raise ValidationError(_("Cette séquence est passée : elle ne peut plus être annulée."), code="past")
        locked.status = SessionStatus.CANCELLED
        locked.cancelled_at = now
        locked.cancel_reason = reason
        locked.sequence = F("sequence") + 1
        locked.save()
        locked.refresh_from_db()
        locked.bookings.filter(status__in=SessionBooking.ACTIVE).update(
            status=SessionBookingStatus.CANCELLED,
            cancel_reason=reason,
            decided_at=now,
            sequence=F("sequence") + 1,
            updated_at=now,
        )
        SessionRequest.objects.filter(
            session=locked, status__in=(RequestStatus.PROPOSED, RequestStatus.SCHEDULED)
        ).update(status=RequestStatus.OPEN, session=None, updated_at=now)
        _notify_session(locked, by=by, action="cancelled")
    return locked


# --- Bookings -------------------------------------------------------------------------------------------------------


def _bookable(session: DiscoverySession, *, now) -> None:
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("Cette séquence est annulée."), code="cancelled")
    if session.status != SessionStatus.PUBLISHED:
        raise ValidationError(_("Cette séquence n'est pas ouverte aux réservations."), code="not_published")
    if session.starts_at <= now:
        raise ValidationError(_("Cette séquence a déjà commencé."), code="started")


def _place(session: DiscoverySession, *, places: int, by, action: str, **party) -> SessionBooking:
    """Inserts the booking in the locked session: pending when its places fit and nobody waits before it,
    waitlisted otherwise."""
    if places > session.capacity:
        raise ValidationError(
            _("Cette séquence accueille %(capacity)s %(unit)s au plus : elle est trop petite pour cette classe.")
            % {"capacity": session.capacity, "unit": session.get_capacity_unit_display()},
            code="too_large",
        )
    taken = session_selectors.places_taken(session)
    someone_waits = session.bookings.filter(status=SessionBookingStatus.WAITLISTED).exists()
    fits = not someone_waits and taken + places <= session.capacity
    try:
        with transaction.atomic():
            booking = SessionBooking.objects.create(
                session=session,
                booked_by=by,
                places=places,
                status=SessionBookingStatus.PENDING if fits else SessionBookingStatus.WAITLISTED,
                **party,
            )
    except IntegrityError:
        raise ValidationError(
            _("Une réservation est déjà en cours pour cette séquence."), code="already_booked"
        ) from None
    _notify_booking(booking, by=by, action=action)
    return booking


def session_book_class(*, session: DiscoverySession, school_class: SchoolClass, by, now=None) -> SessionBooking:
    """A teacher or a head books a class-mode session for her class: pending until the association confirms, or on
    the waiting list when the session is full."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_session(session)
        _bookable(locked, now=now)
        if locked.mode != SessionMode.CLASS:
            raise ValidationError(
                _("Pour cette séquence, les élèves s'inscrivent eux-mêmes un par un."), code="individual_mode"
            )
        if school_class.archived_at is not None:
            raise ValidationError(_("Cette classe est archivée."), code="archived_class")
        if session_selectors.active_booking_for(locked, school_class=school_class):
            raise ValidationError(
                _("La classe %(name)s est déjà inscrite à cette séquence.") % {"name": school_class.name},
                code="already_booked",
            )
        return _place(
            locked, places=class_places(locked, school_class), by=by, action="booked", school_class=school_class
        )


def session_book_pupil(*, session: DiscoverySession, pupil, now=None) -> SessionBooking:
    """A pupil books herself on an individual-mode session (pending until the association confirms, or waiting)."""
    now = now or timezone.now()
    if not pupil.is_pupil:
        raise ValidationError(_("Seuls les élèves s'inscrivent eux-mêmes."), code="not_pupil")
    if pupil.pupil_profile.consent_status == ConsentStatus.PENDING:
        raise ValidationError(
            _("Ton enseignant ou ton enseignante doit d'abord enregistrer l'accord de ton représentant légal."),
            code="consent_pending",
        )
    if not Enrolment.objects.filter(pupil=pupil, left_at__isnull=True).exists():
        raise ValidationError(_("Rejoins d'abord ta classe pour t'inscrire."), code="no_class")
    with transaction.atomic():
        locked = _locked_session(session)
        _bookable(locked, now=now)
        if locked.mode != SessionMode.INDIVIDUAL:
            raise ValidationError(
                _("Pour cette séquence, c'est ton enseignant ou ton enseignante qui inscrit la classe."),
                code="class_mode",
            )
        if session_selectors.active_booking_for(locked, pupil=pupil):
            raise ValidationError(_("Tu es déjà inscrit ou inscrite à cette séquence."), code="already_booked")
        return _place(locked, places=1, by=pupil, action="booked", pupil=pupil)


def _promote(session: DiscoverySession, *, by) -> list[SessionBooking]:
    """Serves the waiting list of a locked session in order while the first waiting booking fits."""
    if session.status != SessionStatus.PUBLISHED:
        return []
    promoted = []
    taken = session_selectors.places_taken(session)
    waiting = session.bookings.filter(status=SessionBookingStatus.WAITLISTED).order_by("created_at", "pk")
    for booking in waiting:
        if taken + booking.places > session.capacity:
            break
        booking.status = SessionBookingStatus.PENDING
        booking.sequence = F("sequence") + 1
        booking.save(update_fields=["status", "sequence", "updated_at"])
        booking.refresh_from_db()
        taken += booking.places
        promoted.append(booking)
        _notify_booking(booking, by=by, action="promoted")
    return promoted


def _locked_booking(booking: SessionBooking) -> tuple[DiscoverySession, SessionBooking]:
    session = _locked_session(booking.session)
    return session, SessionBooking.objects.select_for_update().get(pk=booking.pk)


def session_booking_confirm(*, booking: SessionBooking, by, now=None) -> SessionBooking:
    """The association confirms a pending booking."""
    now = now or timezone.now()
    with transaction.atomic():
        session, locked = _locked_booking(booking)
        if session.status == SessionStatus.PROPOSED:
            raise ValidationError(
                _("L'horaire proposé attend encore la réponse de l'enseignant ou de l'enseignante."),
                code="awaiting_teacher",
            )
        _bookable(session, now=now)
        if locked.status != SessionBookingStatus.PENDING:
            raise ValidationError(
                _("Seule une réservation en attente peut être confirmée (celle-ci est : %(status)s).")
                % {"status": locked.get_status_display().lower()},
                code="not_pending",
            )
        locked.status = SessionBookingStatus.CONFIRMED
        locked.decided_at = now
        locked.sequence = F("sequence") + 1
        locked.save(update_fields=["status", "decided_at", "sequence", "updated_at"])
        locked.refresh_from_db()
        _notify_booking(locked, by=by, action="confirmed")
    return locked


def session_booking_decline(*, booking: SessionBooking, by, reason: str, now=None) -> SessionBooking:
    """The association declines a pending or waiting booking; the waiting list moves up."""
    reason = _reason(reason)
    now = now or timezone.now()
    with transaction.atomic():
        session, locked = _locked_booking(booking)
        if locked.status not in (SessionBookingStatus.PENDING, SessionBookingStatus.WAITLISTED):
            raise ValidationError(
                _("Seule une réservation en attente peut être refusée (celle-ci est : %(status)s).")
                % {"status": locked.get_status_display().lower()},
                code="not_pending",
            )
        locked.status = SessionBookingStatus.DECLINED
        locked.cancel_reason = reason
        locked.decided_at = now
        locked.sequence = F("sequence") + 1
        locked.save(update_fields=["status", "cancel_reason", "decided_at", "sequence", "updated_at"])
        locked.refresh_from_db()
        _notify_booking(locked, by=by, action="declined")
        _promote(session, by=by)
    return locked


def session_booking_cancel(*, booking: SessionBooking, by, reason: str, now=None) -> SessionBooking:
    """Cancels a booking in force, before the session starts; the waiting list moves up."""
    reason = _reason(reason)
    now = now or timezone.now()
    with transaction.atomic():
        session, locked = _locked_booking(booking)
        if locked.status not in SessionBooking.ACTIVE:
            raise ValidationError(
                _("Cette réservation n'est plus en cours (elle est : %(status)s).")
                % {"status": locked.get_status_display().lower()},
                code="not_active",
            )
        if session.starts_at <= now:
            raise ValidationError(_("La séquence a commencé : la réservation ne peut plus être annulée."))
        locked.status = SessionBookingStatus.CANCELLED
        locked.cancel_reason = reason
        locked.decided_at = now
        locked.sequence = F("sequence") + 1
        locked.save(update_fields=["status", "cancel_reason", "decided_at", "sequence", "updated_at"])
        locked.refresh_from_db()
        _notify_booking(locked, by=by, action="booking_cancelled")
        _promote(session, by=by)
    return locked


# --- Requests -------------------------------------------------------------------------------------------------------


def _check_weeks(weeks, *, now) -> list[str]:
    weeks = sorted({str(week).strip() for week in weeks if str(week).strip()})
    if not weeks:
        raise ValidationError(_("Indiquez au moins une semaine possible."), code="no_week")
    if len(weeks) > MAX_REQUEST_WEEKS:
        raise ValidationError(
            _("Indiquez %(max)s semaines au plus.") % {"max": MAX_REQUEST_WEEKS}, code="too_many_weeks"
        )
    today = now.date()
    this_monday = today - datetime.timedelta(days=today.weekday())
    for week in weeks:
        monday = parse_iso_week(week)
        if monday < this_monday:
            raise ValidationError(_("La semaine %(week)s est passée.") % {"week": week}, code="past_week")
        if monday > today + datetime.timedelta(days=MAX_REQUEST_AHEAD_DAYS):
            raise ValidationError(_("La semaine %(week)s est à plus d'un an.") % {"week": week}, code="far_week")
    return weeks


def _check_ranges(time_ranges) -> list[dict]:
    cleaned = []
    for item in time_ranges or []:
        try:
            weekday = int(item["weekday"])
            start = datetime.time.fromisoformat(str(item["start"]))
            end = datetime.time.fromisoformat(str(item["end"]))
        except (KeyError, TypeError, ValueError):
            raise ValidationError(
                _("Chaque plage donne un jour, une heure de début et une heure de fin (HH:MM)."), code="bad_range"
            ) from None
        if not 0 <= weekday <= 6:
            raise ValidationError(_("Le jour d'une plage doit aller du lundi au dimanche."), code="bad_weekday")
        if end <= start:
            raise ValidationError(_("Une plage doit finir après son début."), code="range_order")
        cleaned.append({"weekday": weekday, "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")})
    if not cleaned:
        raise ValidationError(_("Indiquez au moins une plage horaire où la classe est disponible."), code="no_range")
    return sorted(cleaned, key=lambda item: (item["weekday"], item["start"]))


def session_request_create(
    *,
    school_class: SchoolClass,
    by,
    association,
    theme: str,
    weeks,
    time_ranges,
    sector: str = "",
    time_zone: str | None = None,
    pupils_count: int | None = None,
    message: str = "",
    now=None,
) -> SessionRequest:
    """A teacher asks an association for a session on a theme, for ISO weeks and her class's usable ranges (local
    times in `time_zone`, hers by default)."""
    now = now or timezone.now()
    theme = (theme or "").strip()
    if not theme:
        raise ValidationError(_("Indiquez le thème souhaité."), code="no_theme")
    if sector:
        validate_domain(sector)
    weeks = _check_weeks(weeks, now=now)
    ranges = _check_ranges(time_ranges)
    if pupils_count is None:
        pupils_count = Enrolment.objects.filter(school_class=school_class, left_at__isnull=True).count()
    with transaction.atomic():
        return SessionRequest.objects.create(
            school_class=school_class,
            requested_by=by,
            association=association,
            theme=theme[:160],
            sector=sector,
            weeks=weeks,
            time_ranges=ranges,
            time_zone=time_zone or getattr(by, "time_zone", "Europe/Paris"),
            pupils_count=pupils_count,
            message=(message or "")[:2000],
        )


def _locked_request(session_request: SessionRequest) -> SessionRequest:
    return SessionRequest.objects.select_for_update().select_related("school_class").get(pk=session_request.pk)


def session_request_propose(
    *,
    session_request: SessionRequest,
    by,
    host_organisation,
    professionals,
    facilitators,
    starts_at: datetime.datetime,
    duration_minutes: int,
    video_provider: str,
    video_url: str,
    description: str = "",
    materials: str = "",
    now=None,
) -> DiscoverySession:
    """The association proposes a time found among the common free times: a session (status proposed, one class)
    with a pending booking for the class. The teacher then accepts or declines."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_request(session_request)
        if locked.status != RequestStatus.OPEN:
            raise ValidationError(
                _("Cette demande n'attend pas de proposition (elle est : %(status)s).")
                % {"status": locked.get_status_display().lower()},
                code="not_open",
            )
        people = [*professionals, *facilitators]
        common = matching.common_times(
            people=people,
            weeks=locked.weeks,
            time_ranges=locked.time_ranges,
            time_zone=locked.time_zone,
            duration_minutes=duration_minutes,
            school_class=locked.school_class,
            now=now,
        )
        if not matching.fits(common, starts_at, duration_minutes):
            raise ValidationError(
                _("Cet horaire n'est pas libre pour tout le monde : choisissez-en un parmi les horaires communs."),
                code="not_common",
            )
        session = session_create(
            association=locked.association,
            created_by=by,
            status=SessionStatus.PROPOSED,
            now=now,
            host_organisation=host_organisation,
            professionals=professionals,
            facilitators=facilitators,
            title=locked.theme,
            description=description,
            sector=locked.sector,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            time_zone=locked.time_zone,
            mode=SessionMode.CLASS,
            capacity=1,
            capacity_unit=CapacityUnit.CLASSES,
            video_provider=video_provider,
            video_url=video_url,
            materials=materials,
        )
        booking = SessionBooking.objects.create(
            session=session, school_class=locked.school_class, booked_by=by, places=1
        )
        locked.status = RequestStatus.PROPOSED
        locked.session = session
        locked.save(update_fields=["status", "session", "updated_at"])
        _notify_booking(booking, by=by, action="proposed")
    return session


def session_request_accept(*, session_request: SessionRequest, by, now=None) -> SessionRequest:
    """The teacher accepts the proposed time: the session is scheduled; the association then confirms it."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_request(session_request)
        if locked.status != RequestStatus.PROPOSED or locked.session_id is None:
            raise ValidationError(_("Aucun horaire n'attend votre réponse sur cette demande."), code="not_proposed")
        session = _locked_session(locked.session)
        if session.starts_at <= now:
            raise ValidationError(_("L'horaire proposé est passé."), code="started")
        session.status = SessionStatus.PUBLISHED
        session.save(update_fields=["status", "updated_at"])
        locked.status = RequestStatus.SCHEDULED
        locked.save(update_fields=["status", "updated_at"])
        booking = session.bookings.filter(school_class=locked.school_class, status__in=SessionBooking.ACTIVE).first()
        if booking is not None:
            _notify_booking(booking, by=by, action="accepted")
    return locked


def session_request_decline_proposal(*, session_request: SessionRequest, by, reason: str, now=None) -> SessionRequest:
    """The teacher declines the proposed time: the proposed session is cancelled and the request is open again for
    another proposal."""
    reason = _reason(reason)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_request(session_request)
        if locked.status != RequestStatus.PROPOSED or locked.session_id is None:
            raise ValidationError(_("Aucun horaire n'attend votre réponse sur cette demande."), code="not_proposed")
        session = _locked_session(locked.session)
        session.status = SessionStatus.CANCELLED
        session.cancelled_at = now
        session.cancel_reason = reason
        session.sequence = F("sequence") + 1
        session.save()
        session.bookings.filter(status__in=SessionBooking.ACTIVE).update(
            status=SessionBookingStatus.CANCELLED,
            cancel_reason=reason,
            decided_at=now,
            sequence=F("sequence") + 1,
            updated_at=now,
        )
        locked.status = RequestStatus.OPEN
        locked.session = None
        locked.answer = ""
        locked.save(update_fields=["status", "session", "answer", "updated_at"])
        session.refresh_from_db()
        _notify_session(session, by=by, action="proposal_declined")
    return locked


def session_request_decline(*, session_request: SessionRequest, by, answer: str) -> SessionRequest:
    """The association cannot organise the requested session, and says why."""
    answer = _reason(answer)
    with transaction.atomic():
        locked = _locked_request(session_request)
        if locked.status != RequestStatus.OPEN:
            raise ValidationError(_("Seule une demande à traiter peut être refusée."), code="not_open")
        locked.status = RequestStatus.DECLINED
        locked.answer = answer
        locked.save(update_fields=["status", "answer", "updated_at"])
    return locked


def session_request_withdraw(*, session_request: SessionRequest, by) -> SessionRequest:
    """The teacher withdraws a request that has no scheduled session; a proposed one is cancelled with it."""
    with transaction.atomic():
        locked = _locked_request(session_request)
        if locked.status not in (RequestStatus.OPEN, RequestStatus.PROPOSED):
            raise ValidationError(_("Cette demande ne peut plus être retirée."), code="not_withdrawable")
        if locked.status == RequestStatus.PROPOSED:
            session_request_decline_proposal(
                session_request=locked, by=by, reason=_("Demande retirée par l'établissement.")
            )
            locked = _locked_request(session_request)
        locked.status = RequestStatus.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
    return locked
