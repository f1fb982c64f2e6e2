"""What the `world` fixture holds for the scheduling tutoring pages (called by tests/conftest.py)."""


def extend(world: dict) -> None:
    """Add this area's objects to `world` (keys prefixed by the area's name where they could clash)."""
