"""Live rooms' background work: the retention job. backend/periodic.py runs it every night; the command
`purge_room_transcripts` runs the same function by hand (a dry run unless told `--wet-run`). What it deletes and
keeps: `realtime.services.transcripts_purge`."""

from celery import shared_task

from backend.celery import RETRIED
from realtime.services import transcripts_purge


@shared_task(**RETRIED)
def transcripts_purge_task(self) -> dict[str, int]:
    """The nightly retention job (idempotent: a retry or a second run finds less, or nothing, to delete)."""
    return transcripts_purge(apply=True)
