"""Common free times of professionals, facilitators and a class: interval arithmetic, local times across daylight
saving, availability rules and exceptions of purpose "sessions", sessions already planned."""

import datetime

import pytest

from scheduling import matching
from scheduling.enums import ExceptionKind, RulePurpose, SchoolZone, SessionBookingStatus
from scheduling.models import AvailabilityException, SchoolHolidayPeriod
from tests import factories
from tests.scheduling.factories import AvailabilityRuleFactory, DiscoverySessionFactory, SessionBookingFactory

UTC = datetime.UTC


def at(day: int, hour: int, minute: int = 0, month: int = 3, year: int = 2027) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- Pure interval arithmetic -------------------------------------------------------------------------------------


def test_merge_joins_overlapping_and_touching_intervals():
    assert matching.merge([(at(1, 10), at(1, 11)), (at(1, 9), at(1, 10)), (at(1, 12), at(1, 13))]) == [
        (at(1, 9), at(1, 11)),
        (at(1, 12), at(1, 13)),
    ]


def test_intersect_and_subtract():
    first = [(at(1, 9), at(1, 12)), (at(1, 14), at(1, 18))]
    second = [(at(1, 11), at(1, 15)), (at(1, 17), at(1, 20))]
    assert matching.intersect(first, second) == [
        (at(1, 11), at(1, 12)),
        (at(1, 14), at(1, 15)),
        (at(1, 17), at(1, 18)),
    ]
    assert matching.subtract([(at(1, 9), at(1, 18))], [(at(1, 10), at(1, 11)), (at(1, 17), at(1, 19))]) == [
        (at(1, 9), at(1, 10)),
        (at(1, 11), at(1, 17)),
    ]


def test_common_time_lists_its_possible_starts():
    item = matching.CommonTime(starts_at=at(1, 13), ends_at=at(1, 15))
    starts = item.starts(datetime.timedelta(minutes=60), datetime.timedelta(minutes=30))
    assert starts == [at(1, 13), at(1, 13, 30), at(1, 14)]
    assert matching.fits([item], at(1, 14), 60)
    assert not matching.fits([item], at(1, 14, 30), 60)


# --- The class's ranges across daylight saving --------------------------------------------------------------------


def test_class_ranges_keep_their_local_time_across_daylight_saving():
    # 2027-W12 is before the clocks go forward (28 March), 2027-W13 after.
    intervals = matching.class_intervals(
        weeks=["2027-W12", "2027-W13"],
        time_ranges=[{"weekday": 1, "start": "14:00", "end": "16:00"}],
        time_zone="Europe/Paris",
    )
    assert intervals == [(at(23, 13), at(23, 15)), (at(30, 12), at(30, 14))]


def test_class_ranges_in_reunion_do_not_move():
    intervals = matching.class_intervals(
        weeks=["2027-W43", "2027-W44"],
        time_ranges=[{"weekday": 1, "start": "14:00", "end": "16:00"}],
        time_zone="Indian/Reunion",
    )
    assert intervals == [(at(26, 10, month=10), at(26, 12, month=10)), (at(2, 10, month=11), at(2, 12, month=11))]


# --- With the database ----------------------------------------------------------------------------------------------

NOW = at(1, 8)  # Monday 1 March 2027


def free_for_sessions(user, *, byday="TU", start=(9, 0), end=(18, 0), zone="Europe/Paris"):
    return AvailabilityRuleFactory(
        owner=user,
        purpose=RulePurpose.SESSIONS,
        rrule=f"FREQ=WEEKLY;BYDAY={byday}",
        starts_on=datetime.date(2027, 1, 1),
        start_time=datetime.time(*start),
        end_time=datetime.time(*end),
        time_zone=zone,
    )


def common(people, *, school_class=None, duration=60, weeks=("2027-W12", "2027-W13"), zone="Europe/Paris"):
    return matching.common_times(
        people=people,
        weeks=list(weeks),
        time_ranges=[{"weekday": 1, "start": "13:00", "end": "17:00"}],
        time_zone=zone,
        duration_minutes=duration,
        school_class=school_class,
        now=NOW,
    )


@pytest.mark.django_db
def test_everybody_free_gives_the_intersection_across_daylight_saving():
    professional, facilitator = factories.UserFactory(), factories.UserFactory()
    free_for_sessions(professional, start=(9, 0), end=(15, 0))
    free_for_sessions(facilitator, start=(14, 0), end=(18, 0))
    found = common([professional, facilitator])
    # 14:00–15:00 Paris: 13:00 UTC in winter, 12:00 UTC in summer time.
    assert [(item.starts_at, item.ends_at) for item in found] == [(at(23, 13), at(23, 14)), (at(30, 12), at(30, 13))]


@pytest.mark.django_db
def test_a_professional_in_another_zone_is_matched_on_utc():
    professional, facilitator = factories.UserFactory(), factories.UserFactory()
    # 17:00–19:00 in La Réunion is 14:00–16:00 in Paris in winter (UTC+4 against UTC+1), 15:00–17:00 in summer.
    free_for_sessions(professional, start=(17, 0), end=(19, 0), zone="Indian/Reunion")
    free_for_sessions(facilitator)
    found = common([professional, facilitator])
    assert [(item.starts_at, item.ends_at) for item in found] == [(at(23, 13), at(23, 15)), (at(30, 13), at(30, 15))]


@pytest.mark.django_db
def test_nobody_without_availability_means_no_common_time():
    professional = factories.UserFactory()
    assert common([professional]) == []
    assert common([]) == []


@pytest.mark.django_db
def test_exceptions_take_out_and_add_time():
    professional = factories.UserFactory()
    free_for_sessions(professional)
    AvailabilityException.objects.create(
        owner=professional,
        purpose=RulePurpose.SESSIONS,
        kind=ExceptionKind.UNAVAILABLE,
        date=datetime.date(2027, 3, 23),
        time_zone="Europe/Paris",
    )
    AvailabilityException.objects.create(
        owner=professional,
        purpose=RulePurpose.SESSIONS,
        kind=ExceptionKind.EXTRA,
        date=datetime.date(2027, 3, 31),
        start_time=datetime.time(14),
        end_time=datetime.time(16),
        time_zone="Europe/Paris",
    )
    found = matching.common_times(
        people=[professional],
        weeks=["2027-W12", "2027-W13"],
        time_ranges=[
            {"weekday": 1, "start": "13:00", "end": "17:00"},
            {"weekday": 2, "start": "13:00", "end": "17:00"},
        ],
        time_zone="Europe/Paris",
        duration_minutes=60,
        now=NOW,
    )
    assert [(item.starts_at, item.ends_at) for item in found] == [(at(30, 11), at(30, 15)), (at(31, 12), at(31, 14))]


@pytest.mark.django_db
def test_tutoring_rules_do_not_count_as_session_availability():
    professional = factories.UserFactory()
    AvailabilityRuleFactory(owner=professional, purpose=RulePurpose.TUTORING, rrule="FREQ=WEEKLY;BYDAY=TU")
    assert common([professional]) == []


@pytest.mark.django_db
def test_sessions_already_planned_are_taken_out():
    professional = factories.UserFactory()
    free_for_sessions(professional)
    school_class = factories.SchoolClassFactory()
    # The professional already speaks on the 23rd, 14:00–15:00 Paris.
    DiscoverySessionFactory(professionals=[professional], starts_at=at(23, 13), duration_minutes=60)
    # The class already has a session on the 30th, 13:00–14:00 Paris.
    SessionBookingFactory(
        school_class=school_class,
        session=DiscoverySessionFactory(starts_at=at(30, 11), duration_minutes=60),
        status=SessionBookingStatus.PENDING,
    )
    # A cancelled one does not count.
    DiscoverySessionFactory(
        professionals=[professional], starts_at=at(30, 14), duration_minutes=60, status="cancelled"
    )
    found = common([professional], school_class=school_class)
    assert [(item.starts_at, item.ends_at) for item in found] == [
        (at(23, 12), at(23, 13)),
        (at(23, 14), at(23, 16)),
        (at(30, 12), at(30, 15)),
    ]


@pytest.mark.django_db
def test_too_short_stretches_and_the_next_two_days_are_left_out():
    professional = factories.UserFactory()
    free_for_sessions(professional, start=(14, 0), end=(14, 45))
    assert common([professional], duration=60) == []
    assert len(common([professional], duration=45)) == 2
    # Tuesday 2 March is within MIN_LEAD of NOW: never proposed.
    assert common([professional], weeks=["2027-W09"], duration=45) == []


@pytest.mark.django_db
def test_the_class_school_holidays_are_left_out():
    professional = factories.UserFactory()
    free_for_sessions(professional)
    school_class = factories.SchoolClassFactory()  # a collège of the académie de Créteil: zone C
    SchoolHolidayPeriod.objects.create(
        zone=SchoolZone.C,
        name="Vacances d'essai",
        school_year="2026-2027",
        starts_on=datetime.date(2027, 3, 27),
        ends_on=datetime.date(2027, 4, 4),
        source="test",
    )
    SchoolHolidayPeriod.objects.create(
        zone=SchoolZone.A,
        name="Vacances d'une autre zone",
        school_year="2026-2027",
        starts_on=datetime.date(2027, 3, 20),
        ends_on=datetime.date(2027, 3, 26),
        source="test",
    )
    found = common([professional], school_class=school_class)
    # Tuesday 23 (zone A's holidays do not matter) stays; Tuesday 30, in zone C's holidays, goes.
    assert [(item.starts_at, item.ends_at) for item in found] == [(at(23, 12), at(23, 16))]
    # Without a class (a request not tied to one), no holiday is assumed.
    assert len(common([professional])) == 2
