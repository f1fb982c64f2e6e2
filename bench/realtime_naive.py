"""The naive baseline of bench/realtime.py: a minimal Channels consumer that only `group_send`s each frame it
receives to the room's group (no storage, no checks, no authentication), and writes out each event it gets with
`send_json` (one JSON encoding per connection). Served the same way as Passerelle: daphne, on the same Redis
pub/sub channel layer (settings with REDIS_URL):

    daphne bench.realtime_naive:application
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django.setup()

from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402  (needs the settings)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402


class NaiveRoomConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.group = f"naive.{self.scope['url_route']['kwargs']['room_id']}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        await self.channel_layer.group_send(self.group, {"type": "relay", "frame": content})

    async def relay(self, event):
        await self.send_json(event["frame"])


application = ProtocolTypeRouter(
    {"websocket": URLRouter([path("ws/rooms/<int:room_id>/", NaiveRoomConsumer.as_asgi())])}
)
