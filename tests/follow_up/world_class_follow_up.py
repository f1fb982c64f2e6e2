"""What the `world` fixture holds for the class follow-up (called by tests/conftest.py)."""

from backend.follow_up.class_follow_up import nudge_send
from backend.follow_up.models import NudgeKind


def extend(world: dict) -> None:
    """Add this area's objects to `world` (keys prefixed by "class_follow_up_"): a nudge the class's teacher sent
    the class's consented pupil (`class_follow_up_nudge`)."""
    world["class_follow_up_nudge"] = nudge_send(
        school_class=world["school_class"],
        pupil=world["users"]["pupil"],
        sent_by=world["users"]["teacher"],
        kind=NudgeKind.APPLY,
    )
