"""Reads for tutoring: the open slots a pupil can book, bookings by pupil and by tutor, who supervises a booking,
attestations.

Open slots are computed, not stored: each tutor's rules and exceptions are expanded (`scheduling.availability`) over
the part of his booking horizon that lies beyond his minimum notice, holidays removed when he asked for it, then
matched with the `Slot` rows already booked (seats left, caps per day and per week). A handful of queries whatever
the number of tutors.
"""

import bisect
import datetime
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from backend.accounts.enums import MembershipStatus
from backend.organisations.enums import AssociationRole
from backend.schools.selectors import pupil_teachers
from scheduling import holidays
from scheduling.availability import Window, expand
from scheduling.enums import BookingStatus, ExceptionKind, RulePurpose, SlotFormat, SlotStatus
from scheduling.models import (
    AvailabilityException,
    AvailabilityRule,
    AvailabilitySettings,
    Booking,
    HonourabilityAttestation,
    Slot,
)
from scheduling.rules import WEEKDAY_CODES

User = get_user_model()
UTC = datetime.UTC
KEY_FORMAT = "%Y%m%dT%H%M%SZ"
# With a `limit`, the search expands this many days at a time and stops as soon as it has enough slots.
CHUNK_DAYS = 2
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class OpenSlot:
    """A time a pupil can book now. `key` finds it again (in a URL or a form): see `parse_slot_key`."""

    tutor: object  # a User
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    format: str
    seats: int
    seats_left: int
    topics: tuple[str, ...]
    rule_id: int | None = None
    slot_id: int | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return slot_key(self.tutor.pk, self.starts_at)

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_group(self) -> bool:
        return self.format == SlotFormat.GROUP


def slot_key(tutor_id: int, starts_at: datetime.datetime) -> str:
    return f"{tutor_id}-{starts_at.astimezone(UTC).strftime(KEY_FORMAT)}"


def parse_slot_key(key: str) -> tuple[int, datetime.datetime] | None:
    """(tutor id, UTC start) from an `OpenSlot.key`, or None when the text is not one."""
    tutor_id, _sep, moment = (key or "").partition("-")
    if not tutor_id.isdigit():
        return None
    try:
        starts_at = datetime.datetime.strptime(moment, KEY_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
    return int(tutor_id), starts_at


def tutor_and_start_of_key(key: str):
    """(tutor, UTC start) named by a slot key, or None when the key is malformed or names no active tutor."""
    parsed = parse_slot_key(key)
    if parsed is None:
        return None
    tutor = User.objects.filter(pk=parsed[0], tutor_profile__isnull=False, is_active=True).first()
    return (tutor, parsed[1]) if tutor is not None else None


# --- Settings and attestations -----------------------------------------------------------------------------------


def availability_settings_of(user) -> AvailabilitySettings:
    """The person's settings, or unsaved defaults (in her own time zone) when she has none yet."""
    found = AvailabilitySettings.objects.filter(user=user).first()
    return found or AvailabilitySettings(user=user, time_zone=getattr(user, "time_zone", None) or "Europe/Paris")


def has_valid_attestation(user, *, on: datetime.date | None = None) -> bool:
    """Whether an attestation d'honorabilité is recorded for `user` and valid on `on` (today by default)."""
    on = on or timezone.localdate()
    return HonourabilityAttestation.objects.filter(user=user, issued_on__lte=on, expires_on__gte=on).exists()


def current_attestation(user, *, on: datetime.date | None = None) -> HonourabilityAttestation | None:
    """The valid attestation that lasts longest, or None."""
    on = on or timezone.localdate()
    return (
        HonourabilityAttestation.objects.filter(user=user, issued_on__lte=on, expires_on__gte=on)
        .order_by("-expires_on")
        .first()
    )


def rules_of(owner, *, purpose: str = RulePurpose.TUTORING):
    return AvailabilityRule.objects.filter(owner=owner, purpose=purpose).order_by("starts_on", "start_time")


def exceptions_of(owner, *, purpose: str = RulePurpose.TUTORING, since: datetime.date | None = None):
    exceptions = AvailabilityException.objects.filter(owner=owner, purpose=purpose)
    if since is not None:
        exceptions = exceptions.filter(date__gte=since)
    return exceptions.order_by("date", "start_time")


# --- Open slots ----------------------------------------------------------------------------------------------------


@dataclass
class _TutorData:
    tutor: object
    settings: AvailabilitySettings
    rules: list = field(default_factory=list)
    exceptions: list = field(default_factory=list)
    attestations: list = field(default_factory=list)  # (issued_on, expires_on)
    slots: list = field(default_factory=list)  # Slot rows, sorted by start
    closed: frozenset = frozenset()

    def __post_init__(self):
        self.zone = zoneinfo.ZoneInfo(self.settings.time_zone)

    def attested_on(self, day: datetime.date) -> bool:
        return any(issued <= day <= expires for issued, expires in self.attestations)


def _viewer_zone(viewer):
    name = getattr(viewer, "time_zone", None)
    return zoneinfo.ZoneInfo(name) if name else timezone.get_current_timezone()


RULE_FIELDS = (
    "owner_id",
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
)
EXCEPTION_FIELDS = (*RULE_FIELDS[:1], "kind", "date", *RULE_FIELDS[4:])
SLOT_FIELDS = ("tutor_id", "starts_at", "ends_at", "format", "seats", "seats_taken", "topics", "status")


def _rows(queryset, fields) -> list[SimpleNamespace]:
    """Read-only records with attribute access (`pk` included): for the thousands of rows a search reads, building
    model instances took longer than the queries."""
    return [SimpleNamespace(pk=row["id"], **row) for row in queryset.values("id", *fields)]


def _among(model, column: str, ids) -> Q:
    """`model.column` is one of `ids`. On PostgreSQL as one array parameter (`= ANY(%s)`): for hundreds of tutors,
    psycopg took longer to prepare hundreds of placeholders than PostgreSQL took to run the query."""
    if connection.vendor == "postgresql":
        # Only the model's own table and column names are formatted into the SQL; the ids are a bound parameter.
        sql = f'"{model._meta.db_table}"."{column}" = ANY(%s)'
        return Q(RawSQL(sql, [list(ids)], output_field=BooleanField()))  # noqa: S611
    return Q(**{f"{column}__in": list(ids)})


def _load(tutor_ids, *, start, end, now) -> list[_TutorData]:
    """Everything needed to compute the tutors' open slots between start and end, in a fixed number of queries."""
    # Tutors are never pupils: reading the (absent) pupil profile here spares a query per tutor when a page shows
    # their display names.
    tutors = {
        user.pk: user
        for user in User.objects.filter(pk__in=tutor_ids, is_active=True)
        .select_related("pupil_profile")
        .only("id", "first_name", "last_name", "time_zone", "is_active", "pupil_profile__id")
    }
    if not tutors:
        return []
    settings_of = {
        item.user_id: item
        for item in AvailabilitySettings.objects.filter(_among(AvailabilitySettings, "user_id", tutors))
    }
    data = {}
    for pk, tutor in tutors.items():
        settings = settings_of.get(pk) or AvailabilitySettings(user=tutor, time_zone=tutor.time_zone or "Europe/Paris")
        data[pk] = _TutorData(tutor=tutor, settings=settings)
    first_day = start.date() - datetime.timedelta(days=2)
    last_day = end.date() + datetime.timedelta(days=2)
    # Every rule of these tutors, whatever its topic: the expansion needs them all to keep their slots apart.
    for rule in _rows(_rules_in_range(start, end).filter(_among(AvailabilityRule, "owner_id", tutors)), RULE_FIELDS):
        data[rule.owner_id].rules.append(rule)
    exceptions = AvailabilityException.objects.filter(
        _among(AvailabilityException, "owner_id", tutors),
        purpose=RulePurpose.TUTORING,
        date__gte=first_day,
        date__lte=last_day,
    )
    for exception in _rows(exceptions, EXCEPTION_FIELDS):
        data[exception.owner_id].exceptions.append(exception)
    attestations = HonourabilityAttestation.objects.filter(
        _among(HonourabilityAttestation, "user_id", tutors), expires_on__gte=first_day, issued_on__lte=last_day
    )
    for user_id, issued_on, expires_on in attestations.values_list("user_id", "issued_on", "expires_on"):
        data[user_id].attestations.append((issued_on, expires_on))
    # Tutors with caps: a week on each side, the caps per week count the appointments of whole local weeks.
    capped = [pk for pk, item in data.items() if item.settings.max_per_day or item.settings.max_per_week]
    nearby = _among(Slot, "tutor_id", tutors) & Q(starts_at__gte=start - ONE_DAY, starts_at__lt=end + ONE_DAY)
    around = _among(Slot, "tutor_id", capped) & Q(
        starts_at__gte=start - 8 * ONE_DAY,
        starts_at__lt=end + 8 * ONE_DAY,
        status=SlotStatus.OPEN,
        seats_taken__gt=0,
    )
    slots = Slot.objects.filter(nearby | around if capped else nearby).order_by("starts_at")
    for slot in _rows(slots, SLOT_FIELDS):
        data[slot.tutor_id].slots.append(slot)
    closed_cache: dict = {}
    for item in data.values():
        if item.settings.exclude_holidays:
            zone_name = item.settings.school_zone or holidays.default_zone(item.settings.time_zone)
            cache_key = (item.settings.time_zone, zone_name)
            if cache_key not in closed_cache:
                closed_cache[cache_key] = holidays.closed_dates(
                    time_zone=item.settings.time_zone, zone=zone_name, start=first_day, end=last_day
                )
            item.closed = closed_cache[cache_key]
    return [data[pk] for pk in sorted(data, key=lambda pk: pk)]


def _topic_q(topic) -> Q:
    """Rules or windows offering this topic: its JSON string inside the list (a text match that PostgreSQL and SQLite
    both run; no topic name contains another's quoted name)."""
    return Q(topics__icontains=f'"{topic}"') if topic else Q()


def _rules_in_range(start, end, *, topic=None):
    """Tutoring rules that may open a slot between start and end (offering `topic` when given). For a range of a
    few days, only those whose RRULE names one of its weekdays (or none: daily) — a prefilter, the expansion
    decides."""
    first_day = start.date() - ONE_DAY  # local dates differ from UTC ones by less than a day
    last_day = end.date() + ONE_DAY
    rules = AvailabilityRule.objects.filter(
        _topic_q(topic), purpose=RulePurpose.TUTORING, starts_on__lte=last_day
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first_day))
    if (last_day - first_day).days < 6:
        days = {WEEKDAY_CODES[(first_day + ONE_DAY * n).weekday()] for n in range((last_day - first_day).days + 1)}
        named = Q(rrule__contains="BYDAY=")
        for code in sorted(days):
            named &= ~Q(rrule__contains=code)
        rules = rules.exclude(named)
    return rules


def _tutor_ids(*, tutor, start, end, topic=None):
    """The tutors who may have a slot between start and end: a list, or a subquery for the search of every tutor."""
    if tutor is not None:
        return [tutor.pk]
    first_day = start.date() - datetime.timedelta(days=2)
    last_day = end.date() + datetime.timedelta(days=2)
    by_rule = _rules_in_range(start, end, topic=topic)
    by_extra = AvailabilityException.objects.filter(
        _topic_q(topic),
        purpose=RulePurpose.TUTORING,
        kind=ExceptionKind.EXTRA,
        date__gte=first_day,
        date__lte=last_day,
    )
    return User.objects.filter(Q(pk__in=by_rule.values("owner_id")) | Q(pk__in=by_extra.values("owner_id"))).values(
        "pk"
    )


class _Counter:
    """Appointments (slots with at least one pupil) of a tutor per local day and per ISO week."""

    def __init__(self, item: _TutorData):
        self.per_day: dict = defaultdict(int)
        self.per_week: dict = defaultdict(int)
        for slot in item.slots:
            if slot.status == SlotStatus.OPEN and slot.seats_taken > 0:
                local = slot.starts_at.astimezone(item.zone).date()
                self.per_day[local] += 1
                self.per_week[local.isocalendar()[:2]] += 1

    def full(self, settings: AvailabilitySettings, day: datetime.date) -> bool:
        if settings.max_per_day is not None and self.per_day[day] >= settings.max_per_day:
            return True
        return settings.max_per_week is not None and self.per_week[day.isocalendar()[:2]] >= settings.max_per_week


def _evaluate(item: _TutorData, window: Window, *, counter: _Counter, starts_index: list) -> OpenSlot | None:
    """The window as an open slot, or None: withdrawn, overlapping another booked slot, full, over a cap, or
    one-to-one without a valid attestation."""
    local_day = window.starts_at.astimezone(item.zone).date()
    exact = None
    withdrawn = False
    # Slots that could overlap start before the window ends; they are sorted, and none lasts more than 2 hours.
    low = bisect.bisect_left(starts_index, window.starts_at - datetime.timedelta(hours=2))
    high = bisect.bisect_left(starts_index, window.ends_at)
    for slot in item.slots[low:high]:
        if slot.starts_at == window.starts_at:
            if slot.status == SlotStatus.OPEN:
                exact = slot
            else:
                withdrawn = True
    if exact is None and withdrawn:
        # The tutor cancelled this time: it is not offered again.
        return None
    for slot in item.slots[low:high]:
        if slot is exact or slot.status != SlotStatus.OPEN:
            continue
        if slot.starts_at < window.ends_at and window.starts_at < slot.ends_at:
            return None
    if exact is not None:
        if exact.seats_taken >= exact.seats:
            return None
        if exact.seats_taken == 0 and counter.full(item.settings, local_day):
            return None
        if exact.format == SlotFormat.ONE_TO_ONE and not item.attested_on(local_day):
            return None
        return OpenSlot(
            tutor=item.tutor,
            starts_at=exact.starts_at,
            ends_at=exact.ends_at,
            format=exact.format,
            seats=exact.seats,
            seats_left=exact.seats - exact.seats_taken,
            topics=tuple(exact.topics or ()),
            rule_id=window.rule_id,
            slot_id=exact.pk,
        )
    if counter.full(item.settings, local_day):
        return None
    if window.format == SlotFormat.ONE_TO_ONE and not item.attested_on(local_day):
        return None
    return OpenSlot(
        tutor=item.tutor,
        starts_at=window.starts_at,
        ends_at=window.ends_at,
        format=window.format,
        seats=window.seats,
        seats_left=window.seats,
        topics=window.topics,
        rule_id=window.rule_id,
    )


def _bookable_range(item: _TutorData, now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    return (
        now + datetime.timedelta(hours=item.settings.min_notice_hours),
        now + datetime.timedelta(days=item.settings.horizon_days),
    )


def _compute(items, *, start, end, now, topic=None, busy=(), limit=None) -> list[OpenSlot]:
    counters = {id(item): _Counter(item) for item in items}
    indexes = {id(item): [slot.starts_at for slot in item.slots] for item in items}
    ranges = {id(item): _bookable_range(item, now) for item in items}
    found: list[OpenSlot] = []
    chunk = datetime.timedelta(days=CHUNK_DAYS) if limit else end - start
    chunk_start = start
    while chunk_start < end:
        chunk_end = min(end, chunk_start + chunk)
        in_chunk = []
        for item in items:
            earliest, latest = ranges[id(item)]
            window_start, window_end = max(chunk_start, earliest), min(chunk_end, latest)
            if window_start >= window_end:
                continue
            for window in expand(
                item.rules, item.exceptions, start=window_start, end=window_end, closed_dates=item.closed
            ):
                if topic and topic not in window.topics:
                    continue
                if any(starts < window.ends_at and window.starts_at < ends for starts, ends in busy):
                    continue
                slot = _evaluate(item, window, counter=counters[id(item)], starts_index=indexes[id(item)])
                if slot is not None and (not topic or topic in slot.topics):
                    in_chunk.append(slot)
        in_chunk.sort(key=lambda slot: (slot.starts_at, slot.tutor.last_name, slot.tutor.first_name, slot.tutor.pk))
        found.extend(in_chunk)
        if limit and len(found) >= limit:
            return found[:limit]
        chunk_start = chunk_end
    return found


def _viewer_busy(viewer, *, start, end) -> list[tuple]:
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return []
    return list(
        Booking.objects.filter(
            pupil=viewer, status=BookingStatus.BOOKED, starts_at__lt=end, ends_at__gt=start
        ).values_list("starts_at", "ends_at")
    )


def open_slots(*, viewer=None, topic=None, day=None, tutor=None, now=None, limit=None) -> list[OpenSlot]:
    """The slots that can be booked now, sorted by start (then tutor).

    Each tutor's slots lie between his minimum notice and his booking horizon, outside his closed dates (holidays,
    when he excludes them) and his days off; group slots show the seats left; a tutor past his cap of appointments
    for a day or a week offers no new slot that day or week (joining a group slot already booked still works);
    one-to-one slots need a valid attestation d'honorabilité on their date. `day` is a date in the viewer's time
    zone; `topic` a `Topic` value; `viewer`, a pupil, does not see slots overlapping her own bookings.
    """
    now = now or timezone.now()
    start, end = now, now + datetime.timedelta(days=91)
    if day is not None:
        zone = _viewer_zone(viewer)
        day_start = datetime.datetime.combine(day, datetime.time(), tzinfo=zone).astimezone(UTC)
        day_end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
        start, end = max(start, day_start), min(end, day_end.astimezone(UTC))
        if start >= end:
            return []
    items = _load(_tutor_ids(tutor=tutor, start=start, end=end, topic=topic), start=start, end=end, now=now)
    if items:
        end = min(end, max(_bookable_range(item, now)[1] for item in items))
    return _compute(
        items, start=start, end=end, now=now, topic=topic, busy=_viewer_busy(viewer, start=start, end=end), limit=limit
    )


def find_open_slot(*, tutor, starts_at: datetime.datetime, now=None) -> OpenSlot | None:
    """The tutor's open slot that starts exactly at `starts_at`, if it can be booked now."""
    now = now or timezone.now()
    start, end = starts_at, starts_at + datetime.timedelta(seconds=1)
    items = _load([tutor.pk], start=start, end=end, now=now)
    for slot in _compute(items, start=start, end=end, now=now):
        if slot.starts_at == starts_at:
            return slot
    return None


def find_window(*, tutor, starts_at: datetime.datetime) -> Window | None:
    """The tutor's candidate window that starts at `starts_at`, whatever its notice, horizon, seats or caps (used to
    explain why a time cannot be booked)."""
    start, end = starts_at, starts_at + datetime.timedelta(seconds=1)
    for item in _load([tutor.pk], start=start, end=end, now=timezone.now()):
        for window in expand(item.rules, item.exceptions, start=start, end=end, closed_dates=item.closed):
            if window.starts_at == starts_at:
                return window
    return None


# --- Bookings ------------------------------------------------------------------------------------------------------


def _bookings():
    return Booking.objects.select_related("slot__tutor", "pupil", "pupil__pupil_profile", "cancelled_by")


def bookings_of_pupil(pupil, *, upcoming: bool = True, now=None):
    """A pupil's tutoring bookings: upcoming ones (not yet over, cancelled ones included so that she sees them)
    soonest first, or past ones latest first. A booking moved elsewhere shows only as its new booking."""
    now = now or timezone.now()
    bookings = _bookings().filter(pupil=pupil, rescheduled_to__isnull=True)
    if upcoming:
        return bookings.filter(ends_at__gte=now).order_by("starts_at")
    return bookings.filter(ends_at__lt=now).order_by("-starts_at")


def bookings_of_tutor(tutor, *, start=None, end=None, include_cancelled: bool = True):
    """The bookings of a tutor's slots that start in [start, end), soonest first."""
    bookings = _bookings().filter(slot__tutor=tutor)
    if start is not None:
        bookings = bookings.filter(starts_at__gte=start)
    if end is not None:
        bookings = bookings.filter(starts_at__lt=end)
    if not include_cancelled:
        bookings = bookings.exclude(status=BookingStatus.CANCELLED)
    return bookings.order_by("starts_at", "pk")


def tutoring_bookings_of_pupils(pupil_ids, *, start, end):
    """The bookings (any state) of these pupils that start in [start, end), for a class calendar."""
    return (
        _bookings()
        .filter(pupil_id__in=list(pupil_ids), starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at", "pk")
    )


def tutor_associations(tutor) -> list[int]:
    """The associations behind a tutor's tutoring: the one chosen in his settings, else those he is a confirmed
    tutor of."""
    chosen = AvailabilitySettings.objects.filter(user=tutor, association__isnull=False).values_list(
        "association_id", flat=True
    )
    if chosen:
        return list(chosen)
    return list(
        tutor.association_memberships.filter(
            role=AssociationRole.TUTOR, status=MembershipStatus.CONFIRMED
        ).values_list("association_id", flat=True)
    )


def association_staff_of_tutor(tutor):
    return User.objects.filter(
        is_active=True,
        association_memberships__association_id__in=tutor_associations(tutor),
        association_memberships__role=AssociationRole.STAFF,
        association_memberships__status=MembershipStatus.CONFIRMED,
    ).distinct()


def booking_supervisors(booking) -> set:
    """The adults who watch over a booking: the pupil's teachers and the staff of the tutor's association."""
    return set(pupil_teachers(booking.pupil)) | set(association_staff_of_tutor(booking.slot.tutor))


def booking_invariant_violations() -> int:
    """What the database's constraints make impossible, counted: overlapping open slots of a tutor, overlapping
    booked appointments of a pupil, slots oversold or whose seats taken differ from their bookings. Always 0; the
    benchmark and the race tests check it after their storms."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT
              (SELECT count(*) FROM scheduling_slot a JOIN scheduling_slot b
                 ON a.tutor_id = b.tutor_id AND a.id < b.id AND a.status = 'open' AND b.status = 'open'
                AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at)
            + (SELECT count(*) FROM scheduling_booking a JOIN scheduling_booking b
                 ON a.pupil_id = b.pupil_id AND a.id < b.id AND a.status = 'booked' AND b.status = 'booked'
                AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at)
            + (SELECT count(*) FROM scheduling_slot s
                WHERE s.seats_taken > s.seats
                   OR s.seats_taken <> (SELECT count(*) FROM scheduling_booking k
                                         WHERE k.slot_id = s.id AND k.status = 'booked'))
            """
        )
        return int(cursor.fetchone()[0])
