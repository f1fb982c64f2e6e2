"""Scheduling endpoints under /api/v1/, in the "api" namespace."""

from scheduling.api import sessions, tutoring

urlpatterns = [*tutoring.urlpatterns, *sessions.urlpatterns]
