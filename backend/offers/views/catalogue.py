"""Offers: catalogue pages (see backend/offers/README.md)."""

urlpatterns = []
