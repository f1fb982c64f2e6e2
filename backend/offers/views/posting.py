"""Offers: posting pages (see backend/offers/README.md)."""

urlpatterns = []
