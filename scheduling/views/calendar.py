"""Scheduling pages: calendar (routes at the end)."""

urlpatterns: list = []
