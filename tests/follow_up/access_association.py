"""Access rules for the association dashboard pages (merged into tests/test_permissions.py)."""

from tests.access import Access

# Confirmed staff of the association and platform staff; a 404 for anyone else (the association's tutors and its
# pending members included), as for a page that does not exist.
STAFF = {"association_staff", "platform_staff"}


def association_args(world):
    return {"pk": world["association"].pk}


ACCESS: dict = {
    "follow_up:association_dashboard": Access(STAFF, denied=404, kwargs=association_args),
    "follow_up:association_targets": Access(STAFF, denied=404, kwargs=association_args),
    "follow_up:association_export_csv": Access(STAFF, denied=404, kwargs=association_args),
}
