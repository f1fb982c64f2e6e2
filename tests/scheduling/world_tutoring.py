"""What the `world` fixture holds for the scheduling tutoring pages (called by tests/conftest.py)."""

import datetime

from django.utils import timezone

from backend.organisations.enums import AssociationRole
from scheduling import selectors
from scheduling.enums import ExceptionKind
from scheduling.models import AvailabilityException, Booking
from tests import factories
from tests.scheduling.factories import (
    AvailabilityRuleFactory,
    AvailabilitySettingsFactory,
    SlotFactory,
)


def extend(world: dict) -> None:
    """Add this area's objects to `world` (keys prefixed by the area's name where they could clash).

    The world's tutor is a confirmed tutor of the world's association (whose staff thus supervise his bookings),
    offers group slots every Wednesday afternoon (`tutoring_rule`), takes a day off in three weeks
    (`tutoring_exception`), and the consented pupil holds a booking with him in five days (`tutoring_booking`),
    well before the cut-off. `tutoring_slot_key` is the key of one of his open slots."""
    tutor = world["users"]["tutor"]
    factories.AssociationMembershipFactory(user=tutor, association=world["association"], role=AssociationRole.TUTOR)
    AvailabilitySettingsFactory(user=tutor, association=world["association"])
    world["tutoring_rule"] = AvailabilityRuleFactory(owner=tutor)
    world["tutoring_exception"] = AvailabilityException.objects.create(
        owner=tutor, kind=ExceptionKind.UNAVAILABLE, date=timezone.localdate() + datetime.timedelta(days=21)
    )
    starts_at = (timezone.now() + datetime.timedelta(days=5)).replace(hour=7, minute=0, second=0, microsecond=0)
    slot = SlotFactory(tutor=tutor, starts_at=starts_at, seats_taken=1)
    world["tutoring_booking"] = Booking.objects.create(
        slot=slot, pupil=world["users"]["pupil"], topic="homework", starts_at=slot.starts_at, ends_at=slot.ends_at
    )
    world["tutoring_slot_key"] = selectors.open_slots(tutor=tutor, limit=1)[0].key
