"""The end of the school year and retention, run wet by Celery beat (backend/periodic.py). Tasks only call services;
both are idempotent: a retry or a second run finds nothing more to change."""

import logging

from celery import shared_task

from backend.celery import RETRIED
from backend.retention import services

logger = logging.getLogger(__name__)


@shared_task(**RETRIED)
def retention_apply_task(self) -> dict[str, int]:
    """Every retention rule, every night."""
    report = services.retention_apply(wet_run=True)
    logger.info("retention applied", extra={"counts": report.counts})
    return report.counts


@shared_task(**RETRIED)
def rollover_school_year_task(self) -> dict[str, int] | str:
    """Closes the school year that ended last. Scheduled every night, it does nothing but on the first night from
    20 August: before, the year is not over; after, it is already closed (the refusal is then the expected answer)."""
    try:
        report = services.rollover_school_year(wet_run=True)
    except services.RetentionError as refusal:
        return str(refusal)
    logger.info("school year closed", extra={"counts": report.counts})
    return report.counts
