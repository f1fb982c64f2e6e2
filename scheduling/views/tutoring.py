"""Scheduling pages: tutoring (routes at the end)."""

urlpatterns: list = []
