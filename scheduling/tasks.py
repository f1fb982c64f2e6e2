"""Scheduling's background work. Tasks only call services; backend/periodic.py schedules the periodic ones with
django-celery-beat. Each is idempotent, acknowledged late and retried with backoff on database or network errors."""

from celery import shared_task

from backend.celery import RETRIED
from scheduling import notifications, reminders


@shared_task(**RETRIED)
def send_calendar_email(self, *, subject: str, text: str, html: str, to: list[str], attachments: list) -> None:
    """Sends one notification with its .ics attachments (`[method, ics text]` pairs). A retry after a network
    error may at worst send the same invitation twice, which calendars merge (same UID and SEQUENCE)."""
    notifications.email_message(
        subject=subject, text=text, html=html, to=to, attachments=[tuple(item) for item in attachments]
    ).send()


@shared_task(**RETRIED)
def reminders_send_task(self) -> dict:
    """The 24 h and 1 h reminders and the teachers' daily digests that are due; each goes once, whatever the
    retries or the number of workers (see `scheduling.reminders`)."""
    return reminders.reminders_send()


@shared_task(**RETRIED)
def attestations_expiry_remind_task(self) -> int:
    """Tells tutors, and their association's staff, 30 days before their attestation d'honorabilité expires."""
    return reminders.attestations_expiry_remind()
