"""What the `world` fixture holds for the scheduling calendar pages (called by tests/conftest.py)."""

from scheduling import calendar_services


def extend(world: dict) -> None:
    """Add this area's objects to `world` (keys prefixed by the area's name where they could clash)."""
    # A live feed of the teacher: its URL opens for anybody who holds it, signed in or not.
    world["calendar_feed_token"] = calendar_services.feed_create(user=world["users"]["teacher"])
