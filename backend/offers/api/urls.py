"""Offer endpoints under /api/v1/, in the "api" namespace."""

from backend.offers.api import partner, public, sectors

urlpatterns = [*public.urlpatterns, *partner.urlpatterns, *sectors.urlpatterns]
