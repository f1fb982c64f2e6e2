"""What the `world` fixture holds for the scheduling safeguarding pages (called by tests/conftest.py)."""

from backend.organisations.enums import AssociationRole
from tests import factories


def extend(world: dict) -> None:
    """Add this area's objects to `world` (keys prefixed by the area's name where they could clash).

    `safeguarding_tutor`: a volunteer tutor affiliated (confirmed tutor membership) to the world's association, so
    that its staff may record his attestation."""
    tutor = factories.TutorProfileFactory().user
    factories.AssociationMembershipFactory(user=tutor, association=world["association"], role=AssociationRole.TUTOR)
    world["safeguarding_tutor"] = tutor
