"""What the `world` fixture holds for the national and département view (called by tests/conftest.py)."""

from backend.follow_up.models import TerritoryReferent
from tests import factories


def extend(world: dict) -> None:
    """A prefecture referent for the département of the world's school: `world["users"]["referent"]`."""
    referent = factories.UserFactory()
    TerritoryReferent.objects.create(user=referent, departement_code=world["school"].commune.departement_code)
    world["users"]["referent"] = referent
