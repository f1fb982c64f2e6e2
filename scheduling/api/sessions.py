"""Scheduling API: sessions (routes at the end)."""

urlpatterns: list = []
