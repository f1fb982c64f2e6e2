"""Events leave after the commit, through the configured channel layer (Redis pub/sub when REDIS_URL is set)."""

import asyncio
import uuid

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from realtime.events import send_event_on_commit


async def _subscribe(group: str) -> str:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    return channel


async def _receive(channel: str, timeout: float):
    try:
        return await asyncio.wait_for(get_channel_layer().receive(channel), timeout)
    except TimeoutError:
        return None


@pytest.mark.django_db(transaction=True)
def test_an_event_is_sent_only_once_the_transaction_commits():
    group = f"test-{uuid.uuid4().hex}"

    async def scenario():
        channel = await _subscribe(group)

        def write_and_publish():
            with transaction.atomic():
                send_event_on_commit(group, {"type": "class.updated", "id": 7})
            return "committed"

        # Run the write in a worker thread, as a view would; the commit sends the event.
        await sync_to_async(write_and_publish)()
        return await _receive(channel, timeout=5)

    assert async_to_sync(scenario)() == {"type": "class.updated", "id": 7}


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_sends_nothing():
    group = f"test-{uuid.uuid4().hex}"

    async def scenario():
        channel = await _subscribe(group)

        def write_then_fail():
            with transaction.atomic():
                send_event_on_commit(group, {"type": "class.updated", "id": 8})
                transaction.set_rollback(True)

        await sync_to_async(write_then_fail)()
        return await _receive(channel, timeout=1)

    assert async_to_sync(scenario)() is None
