"""When can a class meet professionals? The times when the professionals, the facilitators and the class are all
free, in the weeks the teacher asked for.

- The adults say when they are free for sessions with availability rules and exceptions of purpose "sessions"
  (`scheduling.availability.free_intervals` expands them in each person's zone).
- The class gives usable time ranges ("Tuesdays 14:00–16:00") in the teacher's zone, for ISO weeks.
- Sessions they already take part in (not cancelled) are taken out, and so are the class's public and school
  holidays (the zone of its school's académie).

Everything is computed on UTC intervals `(start, end)`, half-open.
"""

import datetime
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from backend.offers.rules import parse_iso_week
from scheduling import availability, holidays, session_selectors
from scheduling.availability import merge, subtract
from scheduling.enums import RulePurpose
from scheduling.models import AvailabilityException, AvailabilityRule

Interval = tuple[datetime.datetime, datetime.datetime]

# A proposal leaves the school and the professionals time to organise themselves.
MIN_LEAD = datetime.timedelta(hours=48)


@dataclass(frozen=True)
class CommonTime:
    """A stretch when everybody is free, long enough for the session."""

    starts_at: datetime.datetime
    ends_at: datetime.datetime

    def starts(self, duration: datetime.timedelta, step: datetime.timedelta) -> list[datetime.datetime]:
        """The start times a session of `duration` can take inside, every `step`."""
        found, moment = [], self.starts_at
        while moment + duration <= self.ends_at:
            found.append(moment)
            moment += step
        return found


# --- Interval arithmetic (pure) ----------------------------------------------------------------------------------


def intersect(first: Sequence[Interval], second: Sequence[Interval]) -> list[Interval]:
    """Where both lists (each merged) cover time."""
    result, i, j = [], 0, 0
    while i < len(first) and j < len(second):
        start = max(first[i][0], second[j][0])
        end = min(first[i][1], second[j][1])
        if start < end:
            result.append((start, end))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return result


# --- The class's ranges ---------------------------------------------------------------------------------------------


def class_intervals(*, weeks: Iterable[str], time_ranges: Iterable[dict], time_zone: str) -> list[Interval]:
    """The class's usable ranges, `[{"weekday": 0-6, "start": "HH:MM", "end": "HH:MM"}]` in `time_zone`, laid on
    each ISO week, in UTC. Local times follow daylight saving: "14:00" stays 14:00 in Paris all year."""
    zone = zoneinfo.ZoneInfo(time_zone)
    found = []
    for week in weeks:
        monday = parse_iso_week(week)
        for item in time_ranges:
            day = monday + datetime.timedelta(days=int(item["weekday"]))
            start = datetime.datetime.combine(day, datetime.time.fromisoformat(item["start"]), tzinfo=zone)
            end = datetime.datetime.combine(day, datetime.time.fromisoformat(item["end"]), tzinfo=zone)
            found.append((start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)))
    return merge(found)


def _as_interval(item) -> Interval:
    if isinstance(item, tuple | list):
        return item[0], item[1]
    return item.starts_at, item.ends_at


def person_free(user, *, start: datetime.datetime, end: datetime.datetime) -> list[Interval]:
    """When a professional or facilitator said she is free for sessions, between start and end (UTC)."""
    rules = list(AvailabilityRule.objects.filter(owner=user, purpose=RulePurpose.SESSIONS))
    exceptions = list(AvailabilityException.objects.filter(owner=user, purpose=RulePurpose.SESSIONS))
    if not rules and not exceptions:
        return []
    free = availability.free_intervals(rules, exceptions, start=start, end=end, closed_dates=frozenset())
    return merge(_as_interval(item) for item in free)


# --- Common times ---------------------------------------------------------------------------------------------------


def common_times(
    *,
    people: Iterable,
    weeks: Iterable[str],
    time_ranges: Iterable[dict],
    time_zone: str,
    duration_minutes: int,
    school_class=None,
    exclude_session=None,
    now: datetime.datetime | None = None,
) -> list[CommonTime]:
    """The stretches, in the requested weeks, when every person of `people` (professionals and facilitators) is
    free for sessions and the class can attend, minus the sessions any of them (or the class) already has, at least
    MIN_LEAD from now, each at least `duration_minutes` long. Without anybody to ask, nothing is common."""
    people = list(people)
    weeks = list(weeks)
    if not people or not weeks:
        return []
    window = class_intervals(weeks=weeks, time_ranges=time_ranges, time_zone=time_zone)
    if not window:
        return []
    earliest = (now or timezone.now()) + MIN_LEAD
    window = intersect(window, [(earliest, max(earliest, window[-1][1]))])
    if not window:
        return []
    start, end = window[0][0], window[-1][1]
    common = window
    for person in people:
        common = intersect(common, person_free(person, start=start, end=end))
        if not common:
            return []
    busy = session_selectors.busy_intervals(
        user_ids=[person.pk for person in people],
        class_ids=[school_class.pk] if school_class is not None else [],
        start=start,
        end=end,
        exclude_session=exclude_session,
    )
    common = subtract(common, busy)
    if school_class is not None:
        common = subtract(common, _closed_days(school_class, time_zone=time_zone, start=start, end=end))
    duration = datetime.timedelta(minutes=duration_minutes)
    return [CommonTime(starts_at=s, ends_at=e) for s, e in common if e - s >= duration]


def _closed_days(school_class, *, time_zone: str, start: datetime.datetime, end: datetime.datetime) -> list[Interval]:
    """The class's public and school holidays between start and end, as whole local days in UTC."""
    zone = zoneinfo.ZoneInfo(time_zone)
    school_zone = holidays.default_zone(time_zone, school=school_class.school)
    closed = holidays.closed_dates(
        time_zone=time_zone,
        zone=school_zone,
        start=start.astimezone(zone).date(),
        end=end.astimezone(zone).date(),
    )
    return [
        (
            datetime.datetime.combine(day, datetime.time(), tzinfo=zone).astimezone(datetime.UTC),
            datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=zone).astimezone(
                datetime.UTC
            ),
        )
        for day in sorted(closed)
    ]


def fits(common: Iterable[CommonTime], starts_at: datetime.datetime, duration_minutes: int) -> bool:
    """Whether a session starting then lies wholly inside one of the common times."""
    ends_at = starts_at + datetime.timedelta(minutes=duration_minutes)
    return any(item.starts_at <= starts_at and ends_at <= item.ends_at for item in common)
