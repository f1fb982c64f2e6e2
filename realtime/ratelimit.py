"""How many messages and questions one person may send in one room: `REALTIME_MESSAGE_RATE` ("5/10": five per
ten seconds by default), counted in the cache (Redis in production), so that every daphne process and every tab
of the same person share one allowance.

A sliding window approximated from two fixed windows: the current window's count plus the previous window's,
weighted by how much of it still overlaps the last `seconds`. Refused attempts are not counted.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def rate() -> tuple[int, int]:
    text = getattr(settings, "REALTIME_MESSAGE_RATE", "5/10")
    try:
        count, seconds = (int(part) for part in text.split("/"))
    except ValueError as error:
        raise ImproperlyConfigured(f"REALTIME_MESSAGE_RATE must read <count>/<seconds>, not {text!r}") from error
    if count < 1 or seconds < 1:
        raise ImproperlyConfigured(f"REALTIME_MESSAGE_RATE must be positive, not {text!r}")
    return count, seconds


def _key(room_id: int, user_id: int, window: int) -> str:
    return f"realtime:rate:{room_id}:{user_id}:{window}"


def hit(room_id: int, user_id: int, now: float | None = None) -> float | None:
    """Count one send; None when allowed, else the seconds to wait before the next one will be. When the cache
    (Redis) cannot be reached, the send is allowed: a message is never refused for an outage (each connection's
    frame limit still holds)."""
    try:
        return _hit(room_id, user_id, now)
    except RedisError as error:
        logger.warning("message rate not counted, cache unreachable: %r", error)
        return None


def _hit(room_id: int, user_id: int, now: float | None) -> float | None:
    limit, seconds = rate()
    now = time.time() if now is None else now
    window, into = divmod(now, seconds)
    window = int(window)
    current = _key(room_id, user_id, window)
    cache.add(current, 0, timeout=seconds * 2 + 1)
    count = cache.incr(current)
    previous = cache.get(_key(room_id, user_id, window - 1), 0)
    overlap = 1 - into / seconds
    if previous * overlap + count <= limit:
        return None
    cache.decr(current)
    # Wait until enough of the previous window has slid out (or, failing that, for the next window).
    if previous and count - 1 < limit:
        needed = (previous * overlap + count - limit) / previous
        return round(min(needed * seconds, seconds - into) + 0.05, 2)
    return round(seconds - into + 0.05, 2)
