"""What the `world` fixture holds for the feedback pages (called by tests/conftest.py)."""

import datetime

from django.utils import timezone

from scheduling.enums import SessionBookingStatus
from tests.scheduling.factories import DiscoverySessionFactory, SessionBookingFactory


def extend(world: dict) -> None:
    """Add this area's objects to `world` (keys prefixed by "follow_up_").

    A session of the world's association and organisation that ended two days ago, with the organisation's
    professional, the world's class confirmed on it: its questionnaire is open to the class's two pupils and to the
    professional (`follow_up_session`)."""
    ends_at = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(days=2)
    session = DiscoverySessionFactory(
        association=world["association"],
        host_organisation=world["organisation"],
        professionals=[world["users"]["professional"]],
        starts_at=ends_at - datetime.timedelta(hours=1),
        ends_at=ends_at,
    )
    SessionBookingFactory(
        session=session,
        school_class=world["school_class"],
        booked_by=world["users"]["teacher"],
        status=SessionBookingStatus.CONFIRMED,
    )
    world["follow_up_session"] = session
