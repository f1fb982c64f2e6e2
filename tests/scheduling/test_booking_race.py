"""The booking race on PostgreSQL: 50 bookings fired at the same moment, each from its own thread and database
connection. The result is exactly what the seats allow, and never a double booking."""

import datetime
import threading
import zoneinfo
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from scheduling import services
from scheduling.models import Booking, Slot
from scheduling.selectors import booking_invariant_violations
from tests import factories
from tests.scheduling.factories import (
    AvailabilityRuleFactory,
    AvailabilitySettingsFactory,
    HonourabilityAttestationFactory,
)

CLIENTS = 50
UTC = datetime.UTC
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2027, 3, 1, 8, tzinfo=UTC)
WEDNESDAY_2PM = datetime.datetime(2027, 3, 3, 14, tzinfo=PARIS).astimezone(UTC)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL's locks and exclusion constraints (set DATABASE_URL)")


def _tutor(**rule):
    tutor = factories.UserFactory()
    AvailabilitySettingsFactory(user=tutor, min_notice_hours=24, horizon_days=28)
    AvailabilityRuleFactory(owner=tutor, starts_on=datetime.date(2027, 1, 1), **rule)
    return tutor


def _race(attempts) -> Counter:
    """Run each (pupil, tutor, starts_at) booking in its own thread, all released together."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(pupil, tutor, starts_at):
        try:
            barrier.wait(timeout=60)
            services.booking_create(pupil=pupil, tutor=tutor, starts_at=starts_at, topic="cv", now=NOW)
            outcome = "booked"
        except ValidationError as error:
            outcome = f"refused: {' '.join(error.messages)}"
        except Exception as error:  # reported by the assertions
            outcome = f"error: {error!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=args) for args in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(outcomes) == len(attempts)
    return Counter("booked" if o == "booked" else ("error" if o.startswith("error") else "refused") for o in outcomes)


def _double_bookings() -> int:
    return booking_invariant_violations()


def test_fifty_pupils_race_for_a_slot_of_three_seats():
    tutor = _tutor(group_size=3)
    school_class = factories.SchoolClassFactory()
    pupils = [factories.EnrolmentFactory(school_class=school_class).pupil for _ in range(CLIENTS)]

    outcomes = _race([(pupil, tutor, WEDNESDAY_2PM) for pupil in pupils])

    assert outcomes == {"booked": 3, "refused": CLIENTS - 3}
    slot = Slot.objects.get()
    assert (slot.seats, slot.seats_taken) == (3, 3)
    assert Booking.objects.filter(status="booked").count() == 3
    assert _double_bookings() == 0


def test_one_pupil_races_for_overlapping_slots_of_two_tutors():
    first = _tutor(group_size=3)
    # Wednesdays 14:30–17:30: its 14:30 slot overlaps the first tutor's 14:00–14:45.
    second = _tutor(group_size=3, start_time=datetime.time(14, 30), end_time=datetime.time(17, 30))
    pupil = factories.EnrolmentFactory().pupil
    half_past = WEDNESDAY_2PM + datetime.timedelta(minutes=30)

    outcomes = _race([(pupil, first, WEDNESDAY_2PM) if i % 2 else (pupil, second, half_past) for i in range(CLIENTS)])

    assert outcomes == {"booked": 1, "refused": CLIENTS - 1}
    assert Booking.objects.filter(pupil=pupil, status="booked").count() == 1
    assert sum(Slot.objects.values_list("seats_taken", flat=True)) == 1
    assert _double_bookings() == 0


def test_fifty_pupils_race_for_one_to_one_slots_of_one_tutor():
    tutor = _tutor(one_to_one=True)
    HonourabilityAttestationFactory(
        user=tutor, issued_on=datetime.date(2026, 1, 1), expires_on=datetime.date(2029, 1, 1)
    )
    pupils = [factories.EnrolmentFactory().pupil for _ in range(CLIENTS)]
    # Four one-to-one slots on Wednesday 3: each pupil aims at one of them.
    starts = [WEDNESDAY_2PM + datetime.timedelta(minutes=45 * (i % 4)) for i in range(CLIENTS)]

    outcomes = _race(list(zip(pupils, [tutor] * CLIENTS, starts, strict=True)))

    assert outcomes == {"booked": 4, "refused": CLIENTS - 4}
    assert Slot.objects.filter(tutor=tutor, seats_taken=1).count() == 4
    assert _double_bookings() == 0
