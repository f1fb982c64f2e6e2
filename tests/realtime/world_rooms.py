"""What the `world` fixture holds for the live-room pages (called by tests/conftest.py)."""

import datetime

from django.utils import timezone

from realtime import services
from realtime.models import Report
from scheduling.enums import SessionBookingStatus
from tests.realtime.factories import MessageFactory
from tests.scheduling.factories import DiscoverySessionFactory, SessionBookingFactory


def extend(world: dict) -> None:
    """Add this area's objects to `world` (keys prefixed by "rooms_").

    A session of the world's association under way (started ten minutes ago), with the organisation's professional
    and the world's class confirmed on it, and its room (`rooms_room`) holding a message of the consented pupil that
    the other pupil reported (`rooms_report`). The tutoring booking of `world_tutoring` (`tutoring_booking`) has no
    room yet: `realtime:booking-room` creates it."""
    users = world["users"]
    starts_at = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(minutes=10)
    session = DiscoverySessionFactory(
        association=world["association"],
        host_organisation=world["organisation"],
        professionals=[users["professional"]],
        starts_at=starts_at,
    )
    SessionBookingFactory(
        session=session,
        school_class=world["school_class"],
        booked_by=users["teacher"],
        status=SessionBookingStatus.CONFIRMED,
    )
    room = services.room_for_session(session)
    message = MessageFactory(room=room, author=users["pupil"], body="Est-ce qu'on travaille le week-end ?")
    world["rooms_session"] = session
    world["rooms_room"] = room
    world["rooms_report"] = Report.objects.create(
        message=message, reporter=users["pupil_pending"], reason="Hors sujet"
    )
