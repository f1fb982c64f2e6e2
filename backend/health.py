"""`GET /healthz`: checks each dependency the platform needs and says which one failed."""

import asyncio
import logging
import time
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backend.celery import app as celery_app

# Generous enough for a loaded machine: a false alarm takes a healthy process out of the load balancer.
TIMEOUT_SECONDS = 5.0
logger = logging.getLogger(__name__)


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def check_cache() -> dict:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    if cache.get(key) != "ok":
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


async def _channel_round_trip() -> None:
    layer = get_channel_layer()
    channel = await layer.new_channel("healthz.")
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "healthz.ping", "token": token})
    message = await layer.receive(channel)
    if message.get("token") != token:
        raise RuntimeError("the channel layer returned another message")


def check_channel_layer() -> dict:
    async def bounded():
        await asyncio.wait_for(_channel_round_trip(), TIMEOUT_SECONDS)

    async_to_sync(bounded)()
    return {"backend": settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]}


def check_celery_broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"mode": "in-process"}
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
    return {"mode": "broker"}


# The name under which each failure is reported: Redis backs the cache in production.
CHECKS = {
    "database": check_database,
    "redis": check_cache,
    "channel_layer": check_channel_layer,
    "celery_broker": check_celery_broker,
}


@login_not_required
@never_cache
@require_GET
def healthz(request):
    results, failed = {}, []
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            details = check()
        except Exception as error:
            failed.append(name)
            results[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
        else:
            results[name] = {"ok": True, **details}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    body = {"status": "fail" if failed else "ok", "failed": failed, "checks": results}
    if failed:
        logger.error("health check failed: %s", {name: results[name]["error"] for name in failed})
    return JsonResponse(body, status=503 if failed else 200)
