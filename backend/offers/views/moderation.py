"""Offers: moderation pages (see backend/offers/README.md)."""

urlpatterns = []
