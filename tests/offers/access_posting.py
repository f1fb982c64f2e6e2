"""Access rules for the offers posting URLs (merged into tests/test_permissions.py)."""

from tests.access import Access

# Confirmed employers and association staff post offers; an offer's managers (employers of its organisation,
# staff of the association that posted it) and platform staff manage it.
POSTERS = {"employer", "association_staff"}
DRAFT_MANAGERS = {"employer", "platform_staff"}


def draft_args(world):
    return {"pk": world["draft_offer"].pk}


ACCESS: dict = {
    "offers:mine": Access(POSTERS),
    "offers:create": Access(POSTERS),
    "offers:edit": Access(DRAFT_MANAGERS, kwargs=lambda w: {"pk": w["draft_offer"].pk, "step": "metier"}),
    "offers:manage": Access(
        {"association_staff", "platform_staff"}, kwargs=lambda w: {"pk": w["association_offer"].pk}
    ),
    "offers:transition": Access(DRAFT_MANAGERS, method="post", ok=302, data={"action": "submit"}, kwargs=draft_args),
    "offers:duplicate": Access(DRAFT_MANAGERS, method="post", ok=302, kwargs=draft_args),
}
