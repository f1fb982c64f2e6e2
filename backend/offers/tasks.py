"""Offers' background work. Tasks only call services; backend/periodic.py schedules them with django-celery-beat.
Each is idempotent, acknowledged late and retried with backoff on database or network errors."""

from celery import shared_task
from django.db import DatabaseError

from backend.offers.applications import applications_expire_and_remind
from backend.offers.services import offers_archive_past

RETRIED = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": (DatabaseError, OSError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 8,
}


@shared_task(**RETRIED)
def applications_expire_and_remind_task(self) -> dict:
    """Expires unanswered and unconfirmed applications and reminds employers; a retry or a second run the
    same day sends nothing twice."""
    return applications_expire_and_remind()


@shared_task(**RETRIED)
def offers_archive_past_task(self) -> int:
    """Archives the offers whose weeks have all ended (the posting area's service)."""
    return offers_archive_past()
