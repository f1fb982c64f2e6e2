"""Availability rules and exceptions turned into times, without the database.

A rule says "every Wednesday 14:00–17:00 in Europe/Paris": its days are expanded with dateutil in the rule's own
zone, so the slots stay at 14:00 local time across daylight saving, and are returned in UTC. A local time that does
not exist (the hour skipped in spring) gives no slot; an ambiguous one (the hour repeated in autumn) is its first
occurrence.

Callers pass the rules and exceptions of one person and one purpose (model instances, saved or not) and the dates
on which nothing opens (`closed_dates`, dates in each rule's zone: public and school holidays, see
`scheduling.holidays.closed_dates`). Extra windows are explicit: they open even on a closed date.
"""

import datetime
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from scheduling.enums import ExceptionKind, SlotFormat
from scheduling.rules import occurrence_dates

UTC = datetime.UTC
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Window:
    """A candidate slot: UTC-aware times, what it offers and where it comes from (a rule, else an extra window)."""

    starts_at: datetime.datetime
    ends_at: datetime.datetime
    format: str
    seats: int
    topics: tuple[str, ...]
    rule_id: int | None
    exception_id: int | None = None


def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def _local(day: datetime.date, at: datetime.time, zone: zoneinfo.ZoneInfo) -> datetime.datetime | None:
    """The UTC moment of a wall-clock time, or None when that time does not exist that day (spring forward)."""
    moment = datetime.datetime.combine(day, at, tzinfo=zone)
    in_utc = moment.astimezone(UTC)
    back = in_utc.astimezone(zone)
    if (back.date(), back.time()) != (day, at.replace(tzinfo=None)):
        return None
    return in_utc


def _window_bounds(day: datetime.date, start: datetime.time, end: datetime.time, zone) -> tuple:
    """A day's window in UTC; a bound inside a skipped hour moves to the first moment that exists after it."""
    starts = datetime.datetime.combine(day, start, tzinfo=zone).astimezone(UTC)
    ends = datetime.datetime.combine(day, end, tzinfo=zone).astimezone(UTC)
    return starts, ends


def _unavailable_intervals(exceptions) -> list[tuple[datetime.datetime, datetime.datetime]]:
    intervals = []
    for exception in exceptions:
        if exception.kind != ExceptionKind.UNAVAILABLE:
            continue
        zone = _zone(exception.time_zone)
        if exception.start_time is None:
            starts = datetime.datetime.combine(exception.date, datetime.time(), tzinfo=zone).astimezone(UTC)
            ends = datetime.datetime.combine(exception.date + ONE_DAY, datetime.time(), tzinfo=zone).astimezone(UTC)
        else:
            starts, ends = _window_bounds(exception.date, exception.start_time, exception.end_time, zone)
        intervals.append((starts, ends))
    return merge(intervals)


def _local_range(start: datetime.datetime, end: datetime.datetime, zone) -> tuple[datetime.date, datetime.date]:
    """The local dates on which a slot starting between start and end can start."""
    return start.astimezone(zone).date(), end.astimezone(zone).date()


def _seats(source) -> int:
    return 1 if source.format == SlotFormat.ONE_TO_ONE else max(1, source.group_size)


def _cut(day, source, zone, *, rule_id, exception_id) -> list[Window]:
    """Cut one day's window of a rule or an extra exception into slots of `slot_minutes` plus the buffer."""
    _window_start, window_end = _window_bounds(day, source.start_time, source.end_time, zone)
    length = datetime.timedelta(minutes=source.slot_minutes)
    step = datetime.timedelta(minutes=source.slot_minutes + (source.buffer_minutes or 0))
    wall = datetime.datetime.combine(day, source.start_time)  # naive wall clock
    wall_end = datetime.datetime.combine(day, source.end_time)
    topics = tuple(source.topics or ())
    seats = _seats(source)
    windows = []
    while wall + length <= wall_end:
        starts = _local(day, wall.time(), zone)
        if starts is not None and starts + length <= window_end:
            windows.append(
                Window(
                    starts_at=starts,
                    ends_at=starts + length,
                    format=source.format,
                    seats=seats,
                    topics=topics,
                    rule_id=rule_id,
                    exception_id=exception_id,
                )
            )
        wall += step
    return windows


def _overlaps_any(starts, ends, intervals) -> bool:
    return any(other_start < ends and starts < other_end for other_start, other_end in intervals)


def expand(
    rules: Iterable,
    exceptions: Iterable,
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    closed_dates: frozenset[datetime.date] = frozenset(),
) -> list[Window]:
    """The candidate slots that start in [start, end), sorted, never overlapping one another.

    Rules repeat on their RRULE days between `starts_on` and `ends_on`, except on `closed_dates` (local dates in the
    rule's zone); "unavailable" exceptions remove every slot they touch (the whole day when they have no times);
    "extra" exceptions add their own slots. Where two sources would open overlapping slots (an extra window over a
    rule), the earlier slot wins, so that the list can be booked without conflicts.
    """
    rules = list(rules)
    exceptions = list(exceptions)
    blocked = _unavailable_intervals(exceptions)
    candidates: list[Window] = []
    for rule in rules:
        zone = _zone(rule.time_zone)
        first, last = _local_range(start, end, zone)
        for day in occurrence_dates(rule.rrule, rule.starts_on, rule.ends_on, first=first, last=last):
            if day in closed_dates:
                continue
            candidates.extend(_cut(day, rule, zone, rule_id=rule.pk, exception_id=None))
    for exception in exceptions:
        if exception.kind != ExceptionKind.EXTRA or exception.start_time is None:
            continue
        zone = _zone(exception.time_zone)
        first, last = _local_range(start, end, zone)
        if first <= exception.date <= last:
            candidates.extend(_cut(exception.date, exception, zone, rule_id=None, exception_id=exception.pk))
    candidates.sort(key=lambda window: (window.starts_at, window.rule_id is None, window.ends_at))
    windows: list[Window] = []
    for window in candidates:
        if not start <= window.starts_at < end:
            continue
        if _overlaps_any(window.starts_at, window.ends_at, blocked):
            continue
        if windows and window.starts_at < windows[-1].ends_at:
            continue
        windows.append(window)
    return windows


def merge(intervals: Iterable[tuple]) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """Sorted intervals, touching or overlapping ones merged into one, empty ones dropped."""
    merged: list[list] = []
    for starts, ends in sorted(intervals):
        if ends <= starts:
            continue
        if merged and starts <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], ends)
        else:
            merged.append([starts, ends])
    return [(starts, ends) for starts, ends in merged]


def subtract(intervals, removed) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """`intervals` minus `removed` (both lists of (start, end)), merged."""
    result = []
    removed = merge(removed)
    for starts, ends in merge(intervals):
        pieces = [(starts, ends)]
        for cut_start, cut_end in removed:
            next_pieces = []
            for piece_start, piece_end in pieces:
                if cut_end <= piece_start or piece_end <= cut_start:
                    next_pieces.append((piece_start, piece_end))
                    continue
                if piece_start < cut_start:
                    next_pieces.append((piece_start, cut_start))
                if cut_end < piece_end:
                    next_pieces.append((cut_end, piece_end))
            pieces = next_pieces
        result.extend(pieces)
    return merge(result)


def free_intervals(
    rules: Iterable,
    exceptions: Iterable,
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    closed_dates: frozenset[datetime.date] = frozenset(),
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """When a person is free between start and end, as merged UTC intervals (whole windows, not cut into slots).

    Used to match discovery sessions (rules with purpose "sessions"): the rules' windows on their days (not on
    closed dates), plus extra windows, minus unavailable exceptions, clipped to [start, end).
    """
    intervals = []
    for rule in rules:
        zone = _zone(rule.time_zone)
        first, last = _local_range(start, end, zone)
        for day in occurrence_dates(rule.rrule, rule.starts_on, rule.ends_on, first=first, last=last):
            if day not in closed_dates:
                intervals.append(_window_bounds(day, rule.start_time, rule.end_time, zone))
    exceptions = list(exceptions)
    for exception in exceptions:
        if exception.kind == ExceptionKind.EXTRA and exception.start_time is not None:
            zone = _zone(exception.time_zone)
            intervals.append(_window_bounds(exception.date, exception.start_time, exception.end_time, zone))
    clipped = [(max(starts, start), min(ends, end)) for starts, ends in intervals if starts < end and start < ends]
    return subtract(clipped, _unavailable_intervals(exceptions))
