"""Concurrent class bookings on PostgreSQL: the session's row lock keeps the capacity exact, and a class never holds
two bookings in force on one session, however many teachers click at once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from scheduling import session_selectors
from scheduling import session_services as services
from scheduling.enums import CapacityUnit, SessionBookingStatus
from scheduling.models import SessionBooking
from tests import factories
from tests.scheduling.factories import SessionsWorldFactory

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 20


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the race is meaningful on PostgreSQL only (SQLite serialises every write)")


def race(attempts) -> list:
    """Runs each attempt in its own thread and database connection, all released at once."""
    barrier = threading.Barrier(len(attempts))

    def run(attempt):
        try:
            barrier.wait(timeout=30)
            return attempt()
        except ValidationError as error:
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(run, attempts))


def test_concurrent_classes_fill_the_capacity_exactly_and_the_rest_wait():
    cast = SessionsWorldFactory()
    session = cast.session(capacity=3)
    classes = []
    for _ in range(CLIENTS):
        teacher, school_class = cast.another_class(pupils=0)
        classes.append((teacher, school_class))
    results = race(
        [
            lambda teacher=teacher, school_class=school_class: services.session_book_class(
                session=session, school_class=school_class, by=teacher
            )
            for teacher, school_class in classes
        ]
    )
    statuses = [result.status for result in results]
    assert statuses.count(SessionBookingStatus.PENDING) == 3
    assert statuses.count(SessionBookingStatus.WAITLISTED) == CLIENTS - 3
    assert session_selectors.places_taken(session) == 3


def test_concurrent_classes_counted_in_pupils_never_exceed_the_capacity():
    cast = SessionsWorldFactory()
    session = cast.session(capacity=10, capacity_unit=CapacityUnit.PUPILS)
    attempts = []
    for _ in range(CLIENTS):
        teacher, school_class = cast.another_class(pupils=3)
        attempts.append(
            lambda teacher=teacher, school_class=school_class: services.session_book_class(
                session=session, school_class=school_class, by=teacher
            )
        )
    race(attempts)
    assert session_selectors.places_taken(session) == 9  # three classes of three; a fourth would make 12
    held = SessionBooking.objects.filter(session=session, status=SessionBookingStatus.PENDING).count()
    assert held == 3


def test_one_class_booked_by_several_people_at_once_is_booked_once():
    cast = SessionsWorldFactory()
    session = cast.session(capacity=5)
    colleagues = [cast.teacher]
    for _ in range(CLIENTS - 1):
        colleague = factories.SchoolStaffFactory(school=cast.school).user
        cast.school_class.teachers.add(colleague)
        colleagues.append(colleague)
    results = race(
        [
            lambda teacher=teacher: services.session_book_class(
                session=session, school_class=cast.school_class, by=teacher
            )
            for teacher in colleagues
        ]
    )
    booked = [result for result in results if isinstance(result, SessionBooking)]
    refused = [result for result in results if isinstance(result, ValidationError)]
    assert len(booked) == 1
    assert len(refused) == CLIENTS - 1
    assert SessionBooking.objects.filter(session=session, status__in=SessionBooking.ACTIVE).count() == 1
