import pytest
from channels.layers import channel_layers
from django.test import override_settings
from django.urls import reverse


@pytest.mark.django_db
def test_healthz_reports_every_dependency(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "channel_layer", "celery_broker"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_healthz_names_redis_when_it_is_unreachable(client):
    # Nothing listens on port 1: the cache and the channel layer both fail to reach "Redis".
    unreachable = "redis://127.0.0.1:1/0"
    redis_down = override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": unreachable}},
        CHANNEL_LAYERS={
            "default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [unreachable]}}
        },
    )
    channel_layers.backends.clear()
    try:
        with redis_down:
            response = client.get(reverse("healthz"))
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert "redis" in body["failed"]
    assert "channel_layer" in body["failed"]
    assert body["checks"]["database"]["ok"] is True
