"""Scheduling pages: sessions (routes at the end)."""

urlpatterns: list = []
