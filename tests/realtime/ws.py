"""A test client for the live-room consumer through the real ASGI stack (origin check, session cookie, routing)."""

import asyncio

from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from backend.asgi import application

TIMEOUT = 5
# Frames about who is here and who types arrive whenever somebody comes and goes: tests skip them unless they ask.
AMBIENT = {"presence", "typing"}


def headers_for(user=None, origin: bytes = b"http://localhost") -> list[tuple[bytes, bytes]]:
    headers = [(b"origin", origin)]
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return headers


class RoomClient:
    """One WebSocket in a room: `open` waits for the `state` frame; `next` gives the next frame, skipping the
    ambient ones unless their type is asked for."""

    def __init__(self, room_id: int, headers):
        self.communicator = WebsocketCommunicator(application, f"/ws/rooms/{room_id}/", headers=headers)
        self.state = None

    @classmethod
    async def open(cls, room_id: int, headers) -> "RoomClient":
        client = cls(room_id, headers)
        connected, _subprotocol = await client.communicator.connect(timeout=TIMEOUT)
        assert connected
        client.state = await client.next("state")
        return client

    async def send(self, frame: dict) -> None:
        await self.communicator.send_json_to(frame)

    async def send_text(self, text: str) -> None:
        await self.communicator.send_to(text_data=text)

    async def next(self, *types: str) -> dict:
        """The next frame of one of `types` (any but ambient ones without), skipping others that come first:
        frames for the whole room interleave with one's own answers."""
        while True:
            frame = await self.communicator.receive_json_from(timeout=TIMEOUT)
            if (types and frame["type"] in types) or (not types and frame["type"] not in AMBIENT):
                return frame

    async def until(self, kind: str, check) -> dict:
        """The first frame of `kind` for which `check(frame)` holds (earlier ones of that kind are passed over)."""
        while not check(frame := await self.next(kind)):
            pass
        return frame

    async def nothing(self, timeout: float = 0.3) -> bool:
        """True when no frame but ambient ones arrives within `timeout`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (left := deadline - loop.time()) > 0:
            if await self.communicator.receive_nothing(timeout=left):
                return True
            frame = await self.communicator.receive_json_from(timeout=TIMEOUT)
            if frame["type"] not in AMBIENT:
                return False
        return True

    async def closed_with(self) -> int:
        """The close code, skipping whatever frames come before it."""
        while True:
            output = await self.communicator.receive_output(timeout=TIMEOUT)
            if output["type"] == "websocket.close":
                return output.get("code")

    async def close(self) -> None:
        await self.communicator.disconnect()


async def close_all(*clients: RoomClient) -> None:
    for client in clients:
        await client.close()
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        await layer.flush()
