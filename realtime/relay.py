"""The channel layer as the live rooms use it, when Redis may be unreachable or slow.

What `RedisPubSubChannelLayer` (channels-redis 4.3, redis-py 8) does when Redis goes away, measured on a private
redis-server stopped and restarted under it:

- `group_send` raises `redis.exceptions.ConnectionError` at once (connection refused; a `RedisError`, not the
  built-in `ConnectionError`), and so does the first one after Redis is back (the pool still holds the dead
  connection); it hangs only when the network drops packets, hence the time limit below.
- `new_channel`, which Channels calls for every consumer *before the handshake is read*, subscribes in Redis and
  raises the same error: left alone, daphne answers the handshake with HTTP 500.
- `group_add` raises when this process has no subscription to the group yet, after recording the channel in the
  group; that subscription is then never made, even once Redis is back (the consumer would hear nothing). It
  succeeds without touching Redis when another connection of the process already listens to the group.
- `group_discard` raises when the last member of a subscribed group in the process leaves (it unsubscribes).
- Subscriptions made before the outage come back by themselves about a second after Redis does (the layer's
  receiving task retries every second and redis-py subscribes again on reconnection); broadcasts published in that
  second, and those refused during the outage, are not heard: clients catch up with `gap` and `resume`.

So every call to the layer goes through here: a failure is logged and reported to the caller, never raised.
What was stored stays stored.
"""

import asyncio
import json
import logging

from django.utils.translation import gettext as _
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# How long a call may wait for the channel layer before it counts as failed.
RELAY_TIMEOUT = 5.0
# WebSocket close code "try again later": the page reconnects with backoff, then resumes.
CLOSE_TRY_AGAIN = 1013
# What an unreachable Redis raises (TimeoutError is an OSError, as the built-in ConnectionError is).
RELAY_ERRORS = (RedisError, OSError)


def unavailable_frame() -> dict:
    return {
        "type": "error",
        "code": "relay_unavailable",
        "detail": _(
            "La diffusion en direct est momentanément interrompue : votre message est enregistré, "
            "les autres participants le recevront dès son retour."
        ),
    }


async def _guarded(call, what: str) -> bool:
    try:
        await asyncio.wait_for(call, RELAY_TIMEOUT)
    except RELAY_ERRORS as error:
        logger.warning("channel layer unreachable (%s): %r", what, error)
        return False
    return True


async def broadcast(layer, group: str, event: dict) -> bool:
    """`group_send`; True when the layer took the event."""
    return await _guarded(layer.group_send(group, event), f"send to {group}")


async def join(layer, group: str, channel: str) -> bool:
    """`group_add`; False when the connection will hear nothing from the group (it should close and reconnect)."""
    return await _guarded(layer.group_add(group, channel), f"join {group}")


async def leave(layer, group: str, channel: str) -> None:
    """`group_discard`, which must not fail a disconnection."""
    await _guarded(layer.group_discard(group, channel), f"leave {group}")


async def turn_away(receive, send) -> None:
    """Answer a WebSocket handshake that cannot be served now: accept it, say why, close with 1013."""
    message = await receive()
    if message.get("type") != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": json.dumps(unavailable_frame(), ensure_ascii=False)})
    await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN})


class RelayedConsumer:
    """Mixin for a WebSocket consumer (put it first in the bases) on a channel layer that may be unreachable.

    - A handshake that arrives while Redis is down gets `relay_unavailable` and close code 1013 instead of HTTP
      500 (Channels opens the consumer's channel before reading the handshake; see the module's docstring).
    - `relay_join(group)` joins or, failing that, tells the client and closes with 1013: a connection that is not
      in its room's group would silently hear nothing, even after Redis is back.
    - `relay_leave(group)` never fails a disconnection.
    """

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        except RELAY_ERRORS as error:
            if "channel_name" in vars(self):
                raise  # failed after the handshake, outside the helpers below: daphne closes with 1011
            logger.warning("channel layer unreachable (new channel): %r", error)
            await turn_away(receive, send)

    async def relay_join(self, group: str) -> bool:
        if await join(self.channel_layer, group, self.channel_name):
            return True
        await self.send(text_data=json.dumps(unavailable_frame(), ensure_ascii=False))
        await self.close(code=CLOSE_TRY_AGAIN)
        return False

    async def relay_leave(self, group: str) -> None:
        await leave(self.channel_layer, group, self.channel_name)
