"""Offer pages: the public catalogue, posting and moderation, applications. Each area keeps its own routes."""

from backend.offers.views import agreements, applications, catalogue, exports, moderation, posting

app_name = "offers"

# The export first: no pattern of another area under offres/ may shadow it.
urlpatterns = [
    *exports.urlpatterns,
    *catalogue.urlpatterns,
    *posting.urlpatterns,
    *moderation.urlpatterns,
    *applications.urlpatterns,
    *agreements.urlpatterns,
]
