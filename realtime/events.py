"""Realtime events leave only after the transaction that caused them commits (a rolled-back write never
reaches a browser), through the channel layer shared by every daphne process."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def send_event(group: str, event: dict) -> None:
    layer = get_channel_layer()
    async_to_sync(layer.group_send)(group, event)


def send_event_on_commit(group: str, event: dict) -> None:
    transaction.on_commit(lambda: send_event(group, event))
