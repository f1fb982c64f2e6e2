"""What the `world` fixture holds for the scheduling sessions pages (called by tests/conftest.py)."""

from scheduling.enums import SessionBookingStatus
from tests.scheduling.factories import DiscoverySessionFactory, SessionBookingFactory, SessionRequestFactory


def extend(world: dict) -> None:
    """Add this area's objects to `world` (keys prefixed by the area's name where they could clash).

    A published class-mode session of the world's association with its organisation's professional, the world's
    class booked on it (pending), and an open request of that class to the association."""
    session = DiscoverySessionFactory(
        association=world["association"],
        host_organisation=world["organisation"],
        professionals=[world["users"]["professional"]],
    )
    world["sessions_session"] = session
    world["sessions_booking"] = SessionBookingFactory(
        session=session,
        school_class=world["school_class"],
        booked_by=world["users"]["teacher"],
        status=SessionBookingStatus.PENDING,
    )
    world["sessions_request"] = SessionRequestFactory(
        school_class=world["school_class"], association=world["association"], requested_by=world["users"]["teacher"]
    )
