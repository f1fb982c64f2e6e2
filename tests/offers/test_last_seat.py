"""The last seat: 50 pupils accepted for a week with one seat left confirm at the same moment, each from her own
thread and database connection. Exactly one gets it; the week is never oversold."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.utils import timezone

from backend.offers import applications as services
from backend.offers.enums import ApplicationStatus
from backend.offers.models import Application, OfferWeek
from tests import factories

PUPILS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_confirmations_for_the_last_seat_yield_exactly_one():
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL's row locks; SQLite runs one writer at a time (set DATABASE_URL)")
    school_class = factories.SchoolClassFactory()
    offer = factories.OfferFactory(weeks=[factories.next_monday(4)], weeks__seats=3)
    week = offer.weeks.get()
    OfferWeek.objects.filter(pk=week.pk).update(seats_taken=2)  # one seat left
    applications = [
        factories.ApplicationFactory(
            offer=offer,
            pupil=factories.EnrolmentFactory(school_class=school_class).pupil,
            status=ApplicationStatus.ACCEPTED,
            week=week,
            answered_at=timezone.now(),
            weeks=[week],
        )
        for _ in range(PUPILS)
    ]

    barrier = threading.Barrier(PUPILS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def confirm(application: Application) -> None:
        try:
            barrier.wait(timeout=60)
            services.application_confirm(application=application, pupil=application.pupil)
            outcome = "confirmed"
        except services.ApplicationError as error:
            outcome = "refused: plus de place" if "plus de place" in str(error) else f"refused: {error}"
        except Exception as error:  # any other failure is reported by the assertion below
            outcome = f"error: {error!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=confirm, args=(application,)) for application in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert Counter(outcomes) == {"confirmed": 1, "refused: plus de place": PUPILS - 1}
    week.refresh_from_db()
    assert week.seats_taken == week.seats == 3
    statuses = Counter(Application.objects.filter(offer=offer).values_list("status", flat=True))
    assert statuses == {ApplicationStatus.CONFIRMED: 1, ApplicationStatus.ACCEPTED: PUPILS - 1}
