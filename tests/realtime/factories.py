"""Factories of the live-room models."""

import factory
from django.db.models import F
from django.utils import timezone

from realtime.models import Message, Room
from tests import factories
from tests.scheduling.factories import DiscoverySessionFactory, SeatedBookingFactory


class RoomFactory(factory.django.DjangoModelFactory):
    """A discovery session's room; `RoomFactory(tutoring=True)` for a tutoring booking's."""

    class Meta:
        model = Room

    session = factory.SubFactory(DiscoverySessionFactory)
    booking = None

    class Params:
        tutoring = factory.Trait(session=None, booking=factory.SubFactory(SeatedBookingFactory))


class MessageFactory(factory.django.DjangoModelFactory):
    """A message written directly, taking the room's next number (the service is `realtime.services.message_post`)."""

    class Meta:
        model = Message

    room = factory.SubFactory(RoomFactory)
    author = factory.SubFactory(factories.UserFactory, pupil=True)
    body = factory.Sequence(lambda n: f"Bonjour, j'ai une question numéro {n}.")
    client_id = factory.Sequence(lambda n: f"client-{n}")
    created_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        room = kwargs["room"]
        kwargs["seq"] = Room.objects.values_list("next_seq", flat=True).get(pk=room.pk)
        Room.objects.filter(pk=room.pk).update(next_seq=F("next_seq") + 1)
        room.refresh_from_db(fields=["next_seq"])
        return super()._create(model_class, *args, **kwargs)


# --- WebSocket consumer (R3) ---------------------------------------------------------------------------------------


class OpenSessionRoomCast:
    """A discovery session under way (started ten minutes ago, one hour long) with its confirmed class, and its
    room: `pupils`, `professional`, `teacher`, `staff` of the association (from `SessionsWorldFactory`)."""

    def __init__(self):
        import datetime

        from realtime import services
        from tests.scheduling.factories import SessionBookingFactory, SessionsWorldFactory

        world = SessionsWorldFactory()
        starts_at = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=10)
        self.session = world.session(starts_at=starts_at)
        SessionBookingFactory(session=self.session, school_class=world.school_class, places=3)
        self.room = services.room_for_session(self.session)
        self.pupils, self.professional, self.teacher, self.staff = (
            world.pupils,
            world.professional,
            world.teacher,
            world.staff,
        )
