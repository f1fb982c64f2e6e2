"""The production path of background work: a task queued on the Redis broker is run by a real worker."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from backend.accounts.tasks import send_email
from backend.celery import app

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL") and not os.environ.get("CI"),
    reason="needs REDIS_URL (CI always sets it)",
)


def test_a_task_queued_on_redis_is_run_by_a_worker(settings):
    assert app.conf.broker_url.startswith("redis://"), "CI must run this test against the Redis broker"
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            send_email.delay(subject="Bonjour", body="Un message passé par Redis.", to=["a@example.org"])
            deadline = time.monotonic() + 20
            while not mail.outbox and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        app.conf.task_always_eager = True
    assert [message.subject for message in mail.outbox] == ["Bonjour"]
