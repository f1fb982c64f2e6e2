"""The Celery application. Tasks live in each app's tasks.py and only call services."""

import os

from celery import Celery
from django.db import DatabaseError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

# The options of every task of ours: idempotent tasks, acknowledged once done, retried with backoff when the
# database or the network fails.
RETRIED = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": (DatabaseError, OSError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 8,
}

app = Celery("passerelle")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
