"""Who was at a remote discovery session: the roll an adult takes, the pupils who joined the live room, and the
figures the follow-up dashboards read (sessions attended per pupil, attendance and no-shows per session).

One `SessionAttendance` row per pupil and session; no row means nobody knows yet (neither present nor absent).

Rules, in one place:
- The roll is taken for a *confirmed* booking of a *published* session, from the session's start until
  `ROLL_CALL_DAYS` days after its end. Two weeks leave a teacher who was not in front of the screen the time to
  ask the facilitator and correct her class's roll at the next lesson (school holidays last two weeks), while the
  figures the dashboards show stop moving soon after the session; a later correction goes through platform staff.
  The end of the window keeps the local wall-clock time of the session's end in the session's zone: across a
  daylight-saving change it is not a whole number of 24-hour days.
- Who takes it: for a class booking, the class's teachers (confirmed staff of its school) and the session's
  facilitators and the staff of its association; for a pupil booked on her own, the facilitators and the
  association's staff. School heads, professionals and platform staff do not (they were not there).
- Which pupils: a class booking's current pupils at the time of the roll (enrolment not left); an individual
  booking's pupil.
- Who wins: an adult's roll is the truth: taking it again corrects it, and it overrides a live-room row. A pupil
  who joined the session's live room was there: the join marks her present unless an adult already recorded her
  (present or absent); the adult's roll may still change it afterwards. A join counts from the room's opening
  (`ROOM_JOIN_LEAD` before the start, realtime's rule) until the end.

Services raise `ValidationError` with a translated sentence when a rule refuses, and then write nothing.
Authorisation is the caller's job (`may_take_roll`, `rollable_bookings`), as everywhere in scheduling.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from backend.schools.models import Enrolment
from backend.schools.selectors import taught_classes
from scheduling.enums import AttendanceSource, SessionBookingStatus, SessionStatus
from scheduling.models import DiscoverySession, SessionAttendance, SessionBooking
from scheduling.permissions import staffed_association_ids

ROLL_CALL_DAYS = 14
# The live room opens a quarter of an hour before the start (realtime.models.Room); a pupil waiting in it is there.
# Scheduling never imports realtime, hence the copy.
ROOM_JOIN_LEAD = datetime.timedelta(minutes=15)

# The states of a session's roll.
ROLL_CANCELLED = "cancelled"
ROLL_TOO_EARLY = "too_early"
ROLL_OPEN = "open"
ROLL_CLOSED = "closed"


# --- Rules ---------------------------------------------------------------------------------------------------------


def roll_closes_at(session: DiscoverySession) -> datetime.datetime:
    """`ROLL_CALL_DAYS` days after the end, at the same wall-clock time in the session's zone."""
    zone = zoneinfo.ZoneInfo(session.time_zone or "Europe/Paris")
    local_end = session.ends_at.astimezone(zone)
    later = datetime.datetime.combine(
        local_end.date() + datetime.timedelta(days=ROLL_CALL_DAYS), local_end.timetz().replace(tzinfo=None)
    )
    return later.replace(tzinfo=zone).astimezone(datetime.UTC)


def roll_state(session: DiscoverySession, now: datetime.datetime | None = None) -> str:
    now = now or timezone.now()
    if session.status == SessionStatus.CANCELLED:
        return ROLL_CANCELLED
    if now < session.starts_at:
        return ROLL_TOO_EARLY
    if now > roll_closes_at(session):
        return ROLL_CLOSED
    return ROLL_OPEN


def _local(moment: datetime.datetime) -> str:
    """A moment in the active zone (the reader's, activated by the middleware), e.g. "mardi 3 mars 2026 à 10:00"."""
    local = timezone.localtime(moment)
    return _("%(date)s à %(time)s") % {
        "date": formats.date_format(local, "l j F Y"),
        "time": formats.time_format(local, "H:i"),
    }


def roll_refusal(session: DiscoverySession, now: datetime.datetime | None = None) -> str | None:
    """Why the roll cannot be taken now, in a sentence for the reader; None when it can."""
    state = roll_state(session, now)
    if state == ROLL_CANCELLED:
        return _("Cette séquence a été annulée : il n'y a pas d'appel à faire.")
    if session.status != SessionStatus.PUBLISHED:
        return _("Cette séquence n'est pas publiée : il n'y a pas d'appel à faire.")
    if state == ROLL_TOO_EARLY:
        return _("L'appel ouvre au début de la séquence, le %(moment)s.") % {"moment": _local(session.starts_at)}
    if state == ROLL_CLOSED:
        return _("L'appel est clos depuis le %(moment)s : les présences ne peuvent plus être modifiées.") % {
            "moment": _local(roll_closes_at(session))
        }
    return None


# --- Who takes the roll --------------------------------------------------------------------------------------------


def _organises(user, session: DiscoverySession) -> bool:
    """A facilitator of the session or a confirmed staff member of its association."""
    if not getattr(user, "is_authenticated", False) or user.is_pupil:
        return False
    return session.association_id in staffed_association_ids(user) or session.facilitators.filter(pk=user.pk).exists()


def _confirmed_bookings(session: DiscoverySession):
    return (
        SessionBooking.objects.filter(session=session, status=SessionBookingStatus.CONFIRMED)
        .select_related("school_class__school", "pupil")
        .order_by("school_class__name", "pupil__first_name", "pk")
    )


def rollable_bookings(user, session: DiscoverySession) -> list[SessionBooking]:
    """The confirmed bookings of the session whose roll this person takes (and reads)."""
    if not getattr(user, "is_authenticated", False) or user.is_pupil:
        return []
    bookings = _confirmed_bookings(session)
    if _organises(user, session):
        return list(bookings)
    return list(bookings.filter(school_class__in=taught_classes(user)))


def may_take_roll(user, session: DiscoverySession) -> bool:
    """Whether the roll page of the session exists for this person: its organisers, and the teachers of a class
    confirmed on it."""
    if session.status not in (SessionStatus.PUBLISHED, SessionStatus.CANCELLED):
        return False
    return _organises(user, session) or bool(rollable_bookings(user, session))


# --- Reads ---------------------------------------------------------------------------------------------------------


@dataclass
class PupilMark:
    pupil: object
    present: bool | None = None  # None: not recorded
    source: str | None = None
    recorded_at: datetime.datetime | None = None

    @property
    def from_live_room(self) -> bool:
        return self.source == AttendanceSource.LIVE_ROOM


@dataclass
class BookingRoll:
    """One booking's pupils with what is known of each."""

    booking: SessionBooking
    marks: list[PupilMark] = field(default_factory=list)

    @property
    def present(self) -> int:
        return sum(1 for mark in self.marks if mark.present is True)

    @property
    def absent(self) -> int:
        return sum(1 for mark in self.marks if mark.present is False)

    @property
    def unknown(self) -> int:
        return sum(1 for mark in self.marks if mark.present is None)

    @property
    def total(self) -> int:
        return len(self.marks)

    @property
    def recorded(self) -> bool:
        return self.unknown < self.total

    @property
    def called(self) -> bool:
        """An adult took this booking's roll (live-room joins alone do not make a roll)."""
        return any(mark.source == AttendanceSource.ROLL_CALL for mark in self.marks)


def booking_rolls(session: DiscoverySession, bookings: list[SessionBooking]) -> list[BookingRoll]:
    """Each booking's current pupils (a class's, or the pupil booked on her own) with their marks: two queries,
    whatever the number of bookings and pupils."""
    class_ids = {booking.school_class_id for booking in bookings if booking.school_class_id}
    pupils_of_class: dict[int, list] = {class_id: [] for class_id in class_ids}
    if class_ids:
        enrolments = (
            Enrolment.objects.filter(school_class_id__in=class_ids, left_at__isnull=True)
            .select_related("pupil__pupil_profile")
            .order_by("pupil__first_name", "pupil__last_name", "pupil_id")
        )
        for enrolment in enrolments:
            pupils_of_class[enrolment.school_class_id].append(enrolment.pupil)
    rows = {row.pupil_id: row for row in SessionAttendance.objects.filter(session=session)} if bookings else {}
    rolls = []
    for booking in bookings:
        pupils = pupils_of_class[booking.school_class_id] if booking.school_class_id else [booking.pupil]
        marks = []
        for pupil in pupils:
            row = rows.get(pupil.pk)
            marks.append(
                PupilMark(pupil, row.present, row.source, row.recorded_at) if row is not None else PupilMark(pupil)
            )
        rolls.append(BookingRoll(booking, marks))
    return rolls


def session_attendance_summary(session: DiscoverySession) -> list[BookingRoll]:
    """Per confirmed booking of the session: its pupils, present, absent and not recorded (three queries)."""
    return booking_rolls(session, list(_confirmed_bookings(session)))


def attendance_counts(sessions) -> dict[int, tuple[int, int, int]]:
    """{session id: (present, absent, unknown)} for every session of the queryset, in three queries whatever their
    number: present and absent count the recorded rows; unknown counts the pupils of the confirmed bookings (the
    classes' current pupils, the pupils booked on their own) for whom nothing is recorded — the no-shows are the
    absent ones."""
    session_ids = list(sessions.values_list("pk", flat=True))
    counts = {session_id: [0, 0, 0] for session_id in session_ids}
    if not session_ids:
        return {}
    recorded = (
        SessionAttendance.objects.filter(session_id__in=session_ids)
        .values("session_id")
        .annotate(present_count=Count("pk", filter=Q(present=True)), absent_count=Count("pk", filter=Q(present=False)))
    )
    for row in recorded:
        counts[row["session_id"]][0] = row["present_count"]
        counts[row["session_id"]][1] = row["absent_count"]
    class_pupil_recorded = SessionAttendance.objects.filter(
        session_id=OuterRef("session_id"), pupil_id=OuterRef("school_class__enrolments__pupil_id")
    )
    own_recorded = SessionAttendance.objects.filter(session_id=OuterRef("session_id"), pupil_id=OuterRef("pupil_id"))
    expected = (
        SessionBooking.objects.filter(session_id__in=session_ids, status=SessionBookingStatus.CONFIRMED)
        .values("session_id")
        .annotate(
            class_unknown=Count(
                "school_class__enrolments",
                filter=Q(school_class__enrolments__left_at__isnull=True) & ~Exists(class_pupil_recorded),
                distinct=True,
            ),
            own_unknown=Count("pk", filter=Q(pupil_id__isnull=False) & ~Exists(own_recorded), distinct=True),
        )
    )
    for row in expected:
        counts[row["session_id"]][2] = row["class_unknown"] + row["own_unknown"]
    return {session_id: tuple(values) for session_id, values in counts.items()}


# --- Writes --------------------------------------------------------------------------------------------------------


def _ids(values, what: str) -> set[int]:
    try:
        return {int(value) for value in values}
    except (TypeError, ValueError):
        raise ValidationError(_("La liste des élèves %(what)s n'est pas valable.") % {"what": what}) from None


def attendance_record(
    *,
    booking: SessionBooking,
    present_pupil_ids,
    by,
    absent_pupil_ids=None,
    now: datetime.datetime | None = None,
) -> list[SessionAttendance]:
    """Take (or correct) the roll of one confirmed booking: the pupils in `present_pupil_ids` were there, those in
    `absent_pupil_ids` were not — by default every other pupil of the booking. Every row is written in one
    statement and one transaction (an upsert on (session, pupil)): an adult's answer replaces whatever was known,
    a live-room join included. Pupils outside the booking, a booking not confirmed, a session not published, too
    early or too late: `ValidationError`, nothing written."""
    now = now or timezone.now()
    present = _ids(present_pupil_ids, _("présents"))
    with transaction.atomic():
        # The booking's row, locked: two adults saving the same roll at once are applied one after the other.
        booking = (
            SessionBooking.objects.select_for_update(of=("self",))
            .select_related("session", "school_class", "pupil")
            .get(pk=booking.pk)
        )
        session = booking.session
        if booking.status != SessionBookingStatus.CONFIRMED:
            raise ValidationError(_("L'appel ne se fait que pour une inscription confirmée."))
        refusal = roll_refusal(session, now)
        if refusal:
            raise ValidationError(refusal)
        if booking.school_class_id:
            members = set(
                Enrolment.objects.filter(school_class_id=booking.school_class_id, left_at__isnull=True).values_list(
                    "pupil_id", flat=True
                )
            )
        else:
            members = {booking.pupil_id}
        absent = members - present if absent_pupil_ids is None else _ids(absent_pupil_ids, _("absents"))
        if present & absent:
            raise ValidationError(_("Un ou une élève ne peut pas être à la fois présent et absent."))
        if not (present | absent) <= members:
            raise ValidationError(_("Certains élèves ne font pas partie de cette inscription."))
        rows = [
            SessionAttendance(
                session=session,
                booking=booking,
                pupil_id=pupil_id,
                present=pupil_id in present,
                source=AttendanceSource.ROLL_CALL,
                recorded_by=by,
                recorded_at=now,
            )
            for pupil_id in sorted(present | absent)
        ]
        SessionAttendance.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["session", "pupil"],
            update_fields=["booking", "present", "source", "recorded_by", "recorded_at"],
        )
    return rows


def attendance_record_roll(
    *,
    session: DiscoverySession,
    bookings: list[SessionBooking],
    present_pupil_ids,
    listed_pupil_ids,
    by,
    now: datetime.datetime | None = None,
) -> int:
    """The roll page's form: several bookings at once, all or nothing. `listed_pupil_ids` are the pupils the form
    showed (those not ticked among them were absent); a pupil who joined the class since the page was shown stays
    not recorded. Returns the number of pupils present."""
    present = _ids(present_pupil_ids, _("présents"))
    listed = _ids(listed_pupil_ids, _("de l'appel"))
    if not bookings or not listed:
        raise ValidationError(_("Il n'y a aucun élève dans cet appel."))
    if any(booking.session_id != session.pk for booking in bookings):
        raise ValidationError(_("Cette inscription ne concerne pas cette séquence."))
    if not present <= listed:
        raise ValidationError(_("Certains élèves cochés ne font pas partie de l'appel."))
    rolls = booking_rolls(session, bookings)
    covered = set()
    with transaction.atomic():
        for roll in rolls:
            members = {mark.pupil.pk for mark in roll.marks}
            covered |= members
            if not members & listed:
                continue
            attendance_record(
                booking=roll.booking,
                present_pupil_ids=present & members,
                absent_pupil_ids=(listed - present) & members,
                by=by,
                now=now,
            )
        if not listed <= covered:
            # Rolled back: the form named a pupil of none of these bookings.
            raise ValidationError(_("Certains élèves ne font pas partie de ces inscriptions."))
    return len(present)


def attendance_from_room_join(
    *, session: DiscoverySession, pupil, now: datetime.datetime | None = None
) -> SessionAttendance | None:
    """A pupil joined the session's live room: she was there. Idempotent; an adult's roll is never overridden (the
    row is only created when none exists). Nothing happens outside the session's time (from the room's opening to
    the end), for a session not published, or when she holds no confirmed booking (her own, or her current
    class's). Returns her row, or None."""
    now = now or timezone.now()
    if session.status != SessionStatus.PUBLISHED or not (session.starts_at - ROOM_JOIN_LEAD <= now <= session.ends_at):
        return None
    own_class = Enrolment.objects.filter(pupil=pupil, left_at__isnull=True).values("school_class_id")
    booking = (
        SessionBooking.objects.filter(session=session, status=SessionBookingStatus.CONFIRMED)
        .filter(Q(pupil=pupil) | Q(school_class_id__in=own_class))
        .order_by("pk")
        .first()
    )
    if booking is None:
        return None
    row, _created = SessionAttendance.objects.get_or_create(
        session=session,
        pupil=pupil,
        defaults={"booking": booking, "present": True, "source": AttendanceSource.LIVE_ROOM, "recorded_at": now},
    )
    return row
