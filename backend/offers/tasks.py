"""Offers' background work. Tasks only call services; backend/periodic.py schedules them with django-celery-beat.
Each is idempotent, acknowledged late and retried with backoff on database or network errors."""

from celery import shared_task

from backend.celery import RETRIED
from backend.offers.applications import applications_expire_and_remind
from backend.offers.services import offers_archive_past


@shared_task(**RETRIED)
def applications_expire_and_remind_task(self) -> dict:
    """Expires unanswered and unconfirmed applications and reminds employers; a retry or a second run the
    same day sends nothing twice."""
    return applications_expire_and_remind()


@shared_task(**RETRIED)
def offers_archive_past_task(self) -> int:
    """Archives the offers whose weeks have all ended (the posting area's service)."""
    return offers_archive_past()
