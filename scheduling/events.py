"""Signals that scheduling sends when a booking or a session changes, always after the transaction commits.

The live-rooms app (realtime) listens to them; scheduling never imports realtime. Receivers get keyword arguments:

- `booking_changed`: `booking` (a `Booking`), `action` ("booked", "cancelled", "rescheduled", "attended",
  "no_show"), `by` (the user who acted, or None).
- `session_changed`: `session` (a `DiscoverySession`), `action` (free text such as "created", "updated",
  "cancelled", "booked"), `by`.
"""

from django.db import transaction
from django.dispatch import Signal

booking_changed = Signal()
session_changed = Signal()


def send_booking_changed_on_commit(booking, *, action: str, by=None) -> None:
    """Send `booking_changed` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: booking_changed.send(sender=type(booking), booking=booking, action=action, by=by))


def send_session_changed_on_commit(session, *, action: str, by=None) -> None:
    """Send `session_changed` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: session_changed.send(sender=type(session), session=session, action=action, by=by))
