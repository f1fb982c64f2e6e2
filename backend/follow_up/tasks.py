"""Follow-up's background work (backend/periodic.py): the daily feedback invitation e-mail, and the dashboards'
figures recomputed before they expire. Tasks only call services."""

from celery import shared_task

from backend.celery import RETRIED
from backend.follow_up import figures, services


@shared_task(**RETRIED)
def feedback_invitations_send_task(self) -> int:
    """E-mails people about their new questionnaires, once per questionnaire whatever the retries or the number of
    workers (see `services.invitations_send`)."""
    return services.invitations_send()


@shared_task(**RETRIED)
def figures_refresh_task(self) -> dict[str, int]:
    """Recompute the dashboards people open first, before their kept figures expire (see `figures.py`)."""
    return figures.refresh_usual()
