"""Scheduling pages: safeguarding — honourability attestations of tutors (routes at the end)."""

urlpatterns: list = []
