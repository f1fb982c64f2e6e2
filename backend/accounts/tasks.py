from celery import shared_task
from django.core.mail import send_mail


@shared_task(
    bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600, max_retries=8
)
def send_email(self, *, subject: str, body: str, to: list[str]) -> None:
    """Sends one e-mail. Idempotent enough for a retry: at worst a person receives the same link twice."""
    send_mail(subject, body, None, to)
