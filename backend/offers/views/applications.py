"""Offers: applications pages (see backend/offers/README.md)."""

urlpatterns = []
