"""Feedback's background work: the daily invitation e-mail (backend/periodic.py). Tasks only call services."""

from celery import shared_task

from backend.celery import RETRIED
from backend.follow_up import services


@shared_task(**RETRIED)
def feedback_invitations_send_task(self) -> int:
    """E-mails people about their new questionnaires, once per questionnaire whatever the retries or the number of
    workers (see `services.invitations_send`)."""
    return services.invitations_send()
