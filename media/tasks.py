"""The library's background work. Tasks only call services; each is idempotent, acknowledged late and retried
with backoff on database or storage errors (`backend.celery.RETRIED`)."""

from celery import shared_task

from backend.celery import RETRIED
from media import services


@shared_task(**RETRIED)
def video_process_task(self, *, video_id: int) -> str:
    """Probe, poster frame and thumbnails of one video (`services.video_process`)."""
    return services.video_process(video_id=video_id)


@shared_task(**RETRIED)
def uploads_expire_task(self) -> int:
    """Closes the uploads left unfinished past their expiry and deletes their chunks."""
    return services.uploads_expire()
