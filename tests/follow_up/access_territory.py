"""Access rules for the national and département view and the open data (merged into tests/test_permissions.py)."""

from tests.access import EVERYONE, Access

TERRITORY = {"platform_staff", "referent"}

ACCESS: dict = {
    # Platform staff (all of France) and prefecture referents (their départements); 403 for everyone else.
    "follow_up:territory": Access(TERRITORY),
    "follow_up:territory_export_csv": Access(TERRITORY),
    # Open data: public, no sign-in.
    "follow_up:open_data": Access(EVERYONE),
    "follow_up:open_data_offers": Access(EVERYONE),
}
