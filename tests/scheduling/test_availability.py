"""Availability: rules and exceptions expanded into UTC slots (daylight saving included), then the open slots a
pupil sees: notice, horizon, caps, seats left, holidays, attestations, her own time zone."""

import datetime
import itertools
import zoneinfo

import pytest

from scheduling import availability, selectors
from scheduling.models import AvailabilityException, AvailabilityRule, SchoolHolidayPeriod, Slot
from tests import factories
from tests.scheduling.factories import (
    AvailabilityRuleFactory,
    AvailabilitySettingsFactory,
    HonourabilityAttestationFactory,
    SeatedBookingFactory,
    SlotFactory,
)

UTC = datetime.UTC
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
REUNION = zoneinfo.ZoneInfo("Indian/Reunion")


def at(year, month, day, hour=0, minute=0, zone=UTC) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


def rule(pk=1, **fields) -> AvailabilityRule:
    values = {
        "rrule": "FREQ=WEEKLY;BYDAY=WE",
        "starts_on": datetime.date(2027, 1, 1),
        "start_time": datetime.time(14),
        "end_time": datetime.time(17),
        "time_zone": "Europe/Paris",
        "slot_minutes": 45,
        "buffer_minutes": 0,
        "topics": ["homework", "cv"],
        "format": "group",
        "group_size": 3,
    }
    return AvailabilityRule(pk=pk, **{**values, **fields})


def exception(kind, day, start=None, end=None, **fields) -> AvailabilityException:
    values = {"time_zone": "Europe/Paris", "slot_minutes": 45, "format": "group", "group_size": 2, "topics": ["cv"]}
    return AvailabilityException(kind=kind, date=day, start_time=start, end_time=end, **{**values, **fields})


# --- expand ---------------------------------------------------------------------------------------------------------


def test_a_wednesday_afternoon_gives_four_slots_in_utc():
    windows = availability.expand([rule()], [], start=at(2027, 3, 1), end=at(2027, 3, 8))
    assert [window.starts_at for window in windows] == [
        at(2027, 3, 3, 13),
        at(2027, 3, 3, 13, 45),
        at(2027, 3, 3, 14, 30),
        at(2027, 3, 3, 15, 15),
    ]
    first = windows[0]
    assert first.ends_at - first.starts_at == datetime.timedelta(minutes=45)
    assert (first.format, first.seats, first.topics, first.rule_id) == ("group", 3, ("homework", "cv"), 1)
    assert first.starts_at.tzinfo is not None


def test_buffer_and_one_to_one_seats():
    windows = availability.expand(
        [rule(buffer_minutes=15, format="one_to_one", group_size=1)], [], start=at(2027, 3, 1), end=at(2027, 3, 8)
    )
    assert [window.starts_at.astimezone(PARIS).time() for window in windows] == [
        datetime.time(14),
        datetime.time(15),
        datetime.time(16),
    ]
    assert {window.seats for window in windows} == {1}


def test_range_and_rule_dates_bound_the_slots():
    windows = availability.expand(
        [rule(starts_on=datetime.date(2027, 3, 10), ends_on=datetime.date(2027, 3, 24))],
        [],
        start=at(2027, 3, 1),
        end=at(2027, 3, 24, 13, 30),  # ends inside the last Wednesday: only its first slot starts before
    )
    days = sorted({window.starts_at.astimezone(PARIS).date() for window in windows})
    assert days == [datetime.date(2027, 3, 10), datetime.date(2027, 3, 17), datetime.date(2027, 3, 24)]
    assert len([w for w in windows if w.starts_at.astimezone(PARIS).date() == datetime.date(2027, 3, 24)]) == 1


def test_exceptions_remove_and_add_slots():
    windows = availability.expand(
        [rule()],
        [
            exception("unavailable", datetime.date(2027, 3, 3)),  # the whole day
            exception("unavailable", datetime.date(2027, 3, 10), datetime.time(15), datetime.time(16)),
            exception("extra", datetime.date(2027, 3, 11), datetime.time(9), datetime.time(10, 30)),
            # An extra window over the rule's: the rule's earlier slot wins, nothing overlaps.
            exception("extra", datetime.date(2027, 3, 17), datetime.time(14, 30), datetime.time(15, 15)),
        ],
        start=at(2027, 3, 1),
        end=at(2027, 3, 18),
    )
    local = [window.starts_at.astimezone(PARIS).replace(tzinfo=None) for window in windows]
    assert datetime.date(2027, 3, 3) not in {moment.date() for moment in local}
    assert [m.time() for m in local if m.date() == datetime.date(2027, 3, 10)] == [
        datetime.time(14),  # 14:45–15:30 and 15:30–16:15 touch the hour off
        datetime.time(16, 15),
    ]
    extras = [w for w in windows if w.starts_at.astimezone(PARIS).date() == datetime.date(2027, 3, 11)]
    assert [(w.starts_at.astimezone(PARIS).time(), w.seats, w.rule_id, w.topics) for w in extras] == [
        (datetime.time(9), 2, None, ("cv",)),
        (datetime.time(9, 45), 2, None, ("cv",)),
    ]
    on_17 = [w for w in windows if w.starts_at.astimezone(PARIS).date() == datetime.date(2027, 3, 17)]
    assert len(on_17) == 4
    assert all(a.ends_at <= b.starts_at for a, b in itertools.pairwise(windows))


def test_closed_dates_skip_rules_but_not_extra_windows():
    windows = availability.expand(
        [rule()],
        [exception("extra", datetime.date(2027, 3, 3), datetime.time(9), datetime.time(9, 45))],
        start=at(2027, 3, 1),
        end=at(2027, 3, 8),
        closed_dates=frozenset({datetime.date(2027, 3, 3)}),
    )
    assert [window.starts_at for window in windows] == [at(2027, 3, 3, 9, zone=PARIS)]


@pytest.mark.parametrize(
    ("before", "change", "after"),
    [
        # Summer time starts on the last Sunday of March 2027, ends on the last Sunday of October (2026 and 2027).
        (datetime.date(2027, 3, 21), datetime.date(2027, 3, 28), datetime.date(2027, 4, 4)),
        (datetime.date(2027, 10, 24), datetime.date(2027, 10, 31), datetime.date(2027, 11, 7)),
        (datetime.date(2026, 10, 18), datetime.date(2026, 10, 25), datetime.date(2026, 11, 1)),
    ],
)
def test_daylight_saving_keeps_the_paris_wall_clock_and_moves_reunion_time(before, change, after):
    """A Paris tutor's Sunday 10:00 stays 10:00 in Paris; a pupil in La Réunion (UTC+4, no DST) sees it move."""
    sunday = rule(rrule="FREQ=WEEKLY;BYDAY=SU", starts_on=datetime.date(2026, 9, 1), start_time=datetime.time(10),
                  end_time=datetime.time(11), slot_minutes=60)  # fmt: skip
    windows = availability.expand(
        [sunday], [], start=at(before.year, before.month, before.day), end=at(after.year, after.month, after.day, 23)
    )
    assert [window.starts_at.astimezone(PARIS).date() for window in windows] == [before, change, after]
    assert {window.starts_at.astimezone(PARIS).time() for window in windows} == {datetime.time(10)}
    assert {window.ends_at - window.starts_at for window in windows} == {datetime.timedelta(hours=1)}
    reunion = [window.starts_at.astimezone(REUNION).time() for window in windows]
    if change.month == 3:
        assert reunion == [datetime.time(13), datetime.time(12), datetime.time(12)]
    else:
        assert reunion == [datetime.time(12), datetime.time(13), datetime.time(13)]


def test_the_hour_skipped_in_spring_gives_no_slot_and_the_repeated_hour_its_first_occurrence():
    night = rule(rrule="FREQ=DAILY", start_time=datetime.time(1, 30), end_time=datetime.time(3, 30), slot_minutes=30)
    spring = availability.expand([night], [], start=at(2027, 3, 28), end=at(2027, 3, 28, 12))
    # 02:00 and 02:30 do not exist on 2027-03-28 in Paris; 01:30 CET then 03:00 CEST are back to back in UTC.
    assert [window.starts_at for window in spring] == [at(2027, 3, 28, 0, 30), at(2027, 3, 28, 1)]
    autumn = availability.expand([night], [], start=at(2027, 10, 30, 12), end=at(2027, 10, 31, 12))
    # 02:00 and 02:30 happen twice on 2027-10-31: the first time (CEST) is used.
    assert [window.starts_at for window in autumn] == [
        at(2027, 10, 30, 23, 30),
        at(2027, 10, 31, 0),
        at(2027, 10, 31, 0, 30),
        at(2027, 10, 31, 2),
    ]
    assert all(a.ends_at <= b.starts_at for a, b in itertools.pairwise(autumn))


def test_free_intervals_merge_windows_and_remove_days_off():
    rules = [
        rule(rrule="FREQ=WEEKLY;BYDAY=MO,TU", start_time=datetime.time(9), end_time=datetime.time(12),
             purpose="sessions"),
        rule(pk=2, rrule="FREQ=WEEKLY;BYDAY=MO", start_time=datetime.time(12), end_time=datetime.time(13),
             purpose="sessions"),
    ]  # fmt: skip
    intervals = availability.free_intervals(
        rules,
        [
            exception("unavailable", datetime.date(2027, 3, 2), datetime.time(10), datetime.time(11)),
            exception("extra", datetime.date(2027, 3, 3), datetime.time(15), datetime.time(16)),
        ],
        start=at(2027, 3, 1),
        end=at(2027, 3, 4),
        closed_dates=frozenset(),
    )
    assert intervals == [
        (at(2027, 3, 1, 9, zone=PARIS), at(2027, 3, 1, 13, zone=PARIS)),
        (at(2027, 3, 2, 9, zone=PARIS), at(2027, 3, 2, 10, zone=PARIS)),
        (at(2027, 3, 2, 11, zone=PARIS), at(2027, 3, 2, 12, zone=PARIS)),
        (at(2027, 3, 3, 15, zone=PARIS), at(2027, 3, 3, 16, zone=PARIS)),
    ]
    closed = availability.free_intervals(
        rules, [], start=at(2027, 3, 1, 10, zone=PARIS), end=at(2027, 3, 4), closed_dates=frozenset(
            {datetime.date(2027, 3, 2)})
    )  # fmt: skip
    assert closed == [(at(2027, 3, 1, 10, zone=PARIS), at(2027, 3, 1, 13, zone=PARIS))]


# --- open_slots -----------------------------------------------------------------------------------------------------

NOW = at(2027, 3, 1, 8)  # a Monday, 09:00 in Paris


@pytest.fixture
def tutor(db):
    user = factories.UserFactory(first_name="Marc", last_name="Tuteur")
    AvailabilitySettingsFactory(user=user, min_notice_hours=24, horizon_days=28)
    AvailabilityRuleFactory(owner=user, starts_on=datetime.date(2027, 1, 1))  # Wednesdays 14:00–17:00, groups of 3
    return user


def test_open_slots_lie_between_notice_and_horizon(tutor):
    slots = selectors.open_slots(now=NOW)
    assert slots[0].starts_at == at(2027, 3, 3, 14, zone=PARIS)
    assert slots[-1].starts_at < NOW + datetime.timedelta(days=28)
    assert len(slots) == 4 * 4
    assert {slot.tutor for slot in slots} == {tutor}
    assert {(slot.seats, slot.seats_left, slot.format) for slot in slots} == {(3, 3, "group")}
    # Notice: on Tuesday 2 at 14:30, Wednesday's 14:00 slot is less than 24 hours away.
    later = selectors.open_slots(now=at(2027, 3, 2, 14, 30, zone=PARIS))
    assert later[0].starts_at == at(2027, 3, 3, 14, 45, zone=PARIS)
    # A limit stops early and keeps the order.
    assert selectors.open_slots(now=NOW, limit=5) == slots[:5]


def test_key_finds_the_slot_again(tutor):
    slot = selectors.open_slots(now=NOW)[0]
    assert selectors.parse_slot_key(slot.key) == (tutor.pk, slot.starts_at)
    assert selectors.parse_slot_key("nonsense") is None
    assert selectors.parse_slot_key("12-20270101") is None
    assert selectors.find_open_slot(tutor=tutor, starts_at=slot.starts_at, now=NOW) == slot
    assert (
        selectors.find_open_slot(tutor=tutor, starts_at=slot.starts_at + datetime.timedelta(minutes=5), now=NOW)
        is None
    )


def test_topic_and_day_filters_in_the_viewers_zone(tutor):
    pupil = factories.UserFactory(pupil=True, time_zone="Indian/Reunion")
    assert selectors.open_slots(now=NOW, topic="orientation") == []
    assert len(selectors.open_slots(now=NOW, topic="cv")) == 16
    # Wednesday 14:00–17:00 in Paris (UTC+1) is 17:00–20:00 in La Réunion: still Wednesday there.
    on_wednesday = selectors.open_slots(viewer=pupil, day=datetime.date(2027, 3, 3), now=NOW)
    assert [slot.starts_at.astimezone(REUNION).time() for slot in on_wednesday] == [
        datetime.time(17),
        datetime.time(17, 45),
        datetime.time(18, 30),
        datetime.time(19, 15),
    ]
    assert selectors.open_slots(viewer=pupil, day=datetime.date(2027, 3, 4), now=NOW) == []
    assert selectors.open_slots(viewer=pupil, day=datetime.date(2027, 2, 1), now=NOW) == []


def test_seats_left_full_slots_and_the_viewers_own_bookings(tutor):
    first = at(2027, 3, 3, 14, zone=PARIS)
    slot = SlotFactory(tutor=tutor, starts_at=first, seats=3)
    booking = SeatedBookingFactory(slot=slot)
    SeatedBookingFactory(slot=slot)
    found = selectors.find_open_slot(tutor=tutor, starts_at=first, now=NOW)
    assert (found.seats_left, found.slot_id) == (1, slot.pk)
    # She does not see the slot she holds, nor one overlapping it.
    assert first not in {s.starts_at for s in selectors.open_slots(viewer=booking.pupil, now=NOW)}
    SeatedBookingFactory(slot=slot)
    assert selectors.find_open_slot(tutor=tutor, starts_at=first, now=NOW) is None


def test_a_slot_cancelled_by_its_tutor_is_not_offered_again_and_foreign_slots_block(tutor):
    first = at(2027, 3, 3, 14, zone=PARIS)
    SlotFactory(tutor=tutor, starts_at=first, status="cancelled")
    assert selectors.find_open_slot(tutor=tutor, starts_at=first, now=NOW) is None
    # A slot left from an older rule at 14:30 blocks the 14:45 window that would overlap it.
    SlotFactory(tutor=tutor, starts_at=at(2027, 3, 10, 14, 30, zone=PARIS), seats=3)
    starts = {s.starts_at for s in selectors.open_slots(tutor=tutor, now=NOW)}
    assert at(2027, 3, 10, 14, 45, zone=PARIS) not in starts
    assert at(2027, 3, 10, 14, 30, zone=PARIS) not in starts  # not a window of the current rule
    assert at(2027, 3, 10, 15, 30, zone=PARIS) in starts


def test_caps_per_day_and_per_week(tutor):
    tutor.availability.max_per_day = 1
    tutor.availability.max_per_week = 2
    tutor.availability.save()
    AvailabilityRuleFactory(owner=tutor, rrule="FREQ=WEEKLY;BYDAY=TH", starts_on=datetime.date(2027, 1, 1))
    AvailabilityRuleFactory(owner=tutor, rrule="FREQ=WEEKLY;BYDAY=FR", starts_on=datetime.date(2027, 1, 1))
    wednesday = SeatedBookingFactory(slot=SlotFactory(tutor=tutor, starts_at=at(2027, 3, 3, 14, zone=PARIS))).slot
    days = {s.starts_at.astimezone(PARIS).date() for s in selectors.open_slots(tutor=tutor, now=NOW)}
    assert datetime.date(2027, 3, 3) in days  # the booked group slot can still be joined…
    on_wednesday = [s for s in selectors.open_slots(tutor=tutor, now=NOW) if s.starts_at.date().day == 3]
    assert [s.starts_at for s in on_wednesday] == [wednesday.starts_at]  # …but no other slot that day
    SeatedBookingFactory(slot=SlotFactory(tutor=tutor, starts_at=at(2027, 3, 4, 14, zone=PARIS)))
    days = {s.starts_at.astimezone(PARIS).date() for s in selectors.open_slots(tutor=tutor, now=NOW)}
    assert datetime.date(2027, 3, 5) not in days  # two appointments this week: Friday closes
    assert datetime.date(2027, 3, 10) in days  # next week opens again


def test_one_to_one_needs_a_valid_attestation_on_the_slots_date(tutor):
    AvailabilityRuleFactory(
        owner=tutor, one_to_one=True, rrule="FREQ=WEEKLY;BYDAY=MO", starts_on=datetime.date(2027, 1, 1)
    )
    formats = {s.format for s in selectors.open_slots(tutor=tutor, now=NOW)}
    assert formats == {"group"}
    HonourabilityAttestationFactory(
        user=tutor, issued_on=datetime.date(2026, 1, 1), expires_on=datetime.date(2027, 3, 15)
    )
    mondays = [s for s in selectors.open_slots(tutor=tutor, now=NOW) if s.format == "one_to_one"]
    assert {s.starts_at.astimezone(PARIS).date() for s in mondays} == {
        datetime.date(2027, 3, 8),
        datetime.date(2027, 3, 15),
    }
    assert {(s.seats, s.seats_left) for s in mondays} == {(1, 1)}
    assert selectors.has_valid_attestation(tutor, on=datetime.date(2027, 3, 15))
    assert not selectors.has_valid_attestation(tutor, on=datetime.date(2027, 3, 16))


def test_holidays_are_skipped_when_the_tutor_asks(tutor):
    SchoolHolidayPeriod.objects.create(
        zone="C", name="Vacances d'hiver", school_year="2026-2027", starts_on=datetime.date(2027, 3, 6),
        ends_on=datetime.date(2027, 3, 14), source="test",
    )  # fmt: skip
    assert datetime.date(2027, 3, 10) in {s.starts_at.date() for s in selectors.open_slots(tutor=tutor, now=NOW)}
    tutor.availability.exclude_holidays = True
    tutor.availability.school_zone = "C"
    tutor.availability.save()
    days = {s.starts_at.date() for s in selectors.open_slots(tutor=tutor, now=NOW)}
    assert datetime.date(2027, 3, 10) not in days
    assert datetime.date(2027, 3, 3) in days


def test_public_holiday_closes_a_day(db):
    tutor = factories.UserFactory()
    AvailabilitySettingsFactory(user=tutor, exclude_holidays=True, school_zone="")
    AvailabilityRuleFactory(owner=tutor, rrule="FREQ=DAILY", starts_on=datetime.date(2027, 1, 1))
    days = {s.starts_at.astimezone(PARIS).date() for s in selectors.open_slots(tutor=tutor, now=at(2027, 5, 1))}
    assert datetime.date(2027, 5, 8) not in days  # Victoire 1945
    assert datetime.date(2027, 5, 7) in days


def test_tutors_without_settings_use_the_defaults_and_inactive_tutors_vanish(db):
    tutor = factories.UserFactory()
    AvailabilityRuleFactory(owner=tutor, starts_on=datetime.date(2027, 1, 1))
    slots = selectors.open_slots(now=NOW)
    assert slots
    assert slots[-1].starts_at < NOW + datetime.timedelta(days=28)
    tutor.is_active = False
    tutor.save()
    assert selectors.open_slots(now=NOW) == []


def test_open_slots_use_a_fixed_number_of_queries(db, django_assert_max_num_queries):
    for _ in range(5):
        user = factories.UserFactory()
        AvailabilitySettingsFactory(user=user)
        AvailabilityRuleFactory(owner=user, starts_on=datetime.date(2027, 1, 1))
        SlotFactory(tutor=user, starts_at=at(2027, 3, 3, 14, zone=PARIS))
    with django_assert_max_num_queries(8):
        assert len(selectors.open_slots(now=NOW)) == 5 * 16
    assert Slot.objects.count() == 5
