"""Access rules for the offers catalogue URLs (merged into tests/test_permissions.py)."""

from tests.access import EVERYONE, Access

ACCESS: dict = {
    # The catalogue is public, its search and its API too.
    "offers:catalogue": Access(EVERYONE),
    # An offer's page: the published offer is public (see tests/offers/test_catalogue.py); a draft is shown to
    # its organisation's employers and platform staff only, a 404 for everyone else.
    "offers:detail": Access(
        {"employer", "platform_staff"}, denied=404, anonymous=404, kwargs=lambda w: {"pk": w["draft_offer"].pk}
    ),
    "api:offer-list": Access(EVERYONE, data={"q": "électricienne", "radius": "20"}),
    "api:offer-detail": Access(EVERYONE, kwargs=lambda w: {"pk": w["offer"].pk}),
}
