"""Scheduling API: tutoring (routes at the end)."""

urlpatterns: list = []
