"""The live room tells scheduling who came: a pupil who joins a discovery session's room over the WebSocket is
recorded present (`scheduling.attendance.attendance_from_room_join`); a tutoring room, an adult, a stranger refused
at the door and a second connection record nothing more."""

import datetime

import pytest
from asgiref.sync import async_to_sync
from django.utils import timezone

from realtime import services
from scheduling import attendance
from scheduling.models import SessionAttendance
from tests import factories
from tests.realtime.factories import OpenSessionRoomCast, RoomFactory
from tests.realtime.ws import TIMEOUT, RoomClient, close_all, headers_for
from tests.scheduling.factories import SeatedBookingFactory, SlotFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cast():
    return OpenSessionRoomCast()


def test_a_pupil_joining_the_session_room_is_recorded_present_once(cast):
    pupil, teacher = cast.pupils[0], cast.teacher
    pupil_headers, teacher_headers = headers_for(pupil), headers_for(teacher)

    async def scenario():
        adult = await RoomClient.open(cast.room.pk, teacher_headers)
        first = await RoomClient.open(cast.room.pk, pupil_headers)
        second = await RoomClient.open(cast.room.pk, pupil_headers)  # a second tab
        await close_all(adult, first, second)

    async_to_sync(scenario)()
    row = SessionAttendance.objects.get()
    assert (row.pupil, row.session, row.present, row.source) == (pupil, cast.session, True, "live_room")
    assert row.recorded_by is None


def test_the_room_does_not_undo_the_teachers_roll(cast):
    booking = cast.session.bookings.get()
    attendance.attendance_record(booking=booking, present_pupil_ids=[], by=cast.teacher)
    headers = headers_for(cast.pupils[0])

    async def scenario():
        client = await RoomClient.open(cast.room.pk, headers)
        await close_all(client)

    async_to_sync(scenario)()
    row = SessionAttendance.objects.get(pupil=cast.pupils[0])
    assert (row.present, row.source) == (False, "roll_call")


def test_a_tutoring_room_records_nothing(cast):
    # The class's pupil, whose class is at the session right now, joins her tutoring appointment's room instead.
    pupil = cast.pupils[0]
    starts_at = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=5)
    booking = SeatedBookingFactory(slot=SlotFactory(starts_at=starts_at), pupil=pupil)
    room = RoomFactory(session=None, booking=booking)
    headers = headers_for(pupil)

    async def scenario():
        client = await RoomClient.open(room.pk, headers)
        await close_all(client)

    async_to_sync(scenario)()
    assert not SessionAttendance.objects.exists()
    # The same through the service: a pupil's presence in a tutoring room is no session attendance.
    services.presence_join(room=room, user=pupil, channel_name="test.tutoring", role="pupil")
    assert not SessionAttendance.objects.exists()


def test_somebody_not_taking_part_records_nothing(cast):
    stranger = factories.EnrolmentFactory().pupil
    headers = headers_for(stranger)

    async def scenario():
        client = RoomClient(cast.room.pk, headers)
        connected, _subprotocol = await client.communicator.connect(timeout=TIMEOUT)
        if connected:
            assert await client.closed_with() == 4403
        await client.communicator.wait()

    async_to_sync(scenario)()
    assert not SessionAttendance.objects.exists()
    # Even if the room let her in (a moderator's mistake, a stale permission), she holds no booking: nothing.
    services.presence_join(room=cast.room, user=stranger, channel_name="test.stranger", role="pupil")
    assert not SessionAttendance.objects.exists()
