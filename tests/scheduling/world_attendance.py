"""What the `world` fixture holds for the roll page of a discovery session (called by tests/conftest.py)."""

import datetime

from django.utils import timezone

from scheduling.enums import SessionBookingStatus
from tests.scheduling.factories import DiscoverySessionFactory, SessionBookingFactory


def extend(world: dict) -> None:
    """A published class-mode session of the world's association that started an hour ago (the roll is open),
    with the world's class confirmed on it."""
    starts_at = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=1)
    session = DiscoverySessionFactory(
        association=world["association"],
        host_organisation=world["organisation"],
        professionals=[world["users"]["professional"]],
        starts_at=starts_at,
        title="Les métiers de la logistique",
    )
    world["attendance_session"] = session
    world["attendance_booking"] = SessionBookingFactory(
        session=session,
        school_class=world["school_class"],
        booked_by=world["users"]["teacher"],
        status=SessionBookingStatus.CONFIRMED,
    )
