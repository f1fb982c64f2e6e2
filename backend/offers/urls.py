"""Offer pages: the public catalogue, posting and moderation, applications. Each area keeps its own routes."""

from backend.offers.views import applications, catalogue, moderation, posting

app_name = "offers"

urlpatterns = [*catalogue.urlpatterns, *posting.urlpatterns, *moderation.urlpatterns, *applications.urlpatterns]
