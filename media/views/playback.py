"""Playback: the video file with HTTP Range support, and the caption tracks as text/vtt.

In the embedded default the application serves the bytes itself (`media.ranges` says which), streaming them
from the file in blocks, never the whole file in memory. In production, either the web server sends the file
(`MEDIA_ACCEL_REDIRECT_PREFIX` set: an `X-Accel-Redirect` to an internal nginx location, which does the
ranges) or the object storage does (a storage without local paths: a redirect to its signed URL).
Who may watch: `media.permissions.can_watch_video`; anyone else gets a 404, as for a video that does not exist.
"""

import asyncio
import os

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from media import permissions
from media.models import Caption, Video, VideoFile
from media.ranges import Unsatisfiable, if_range_matches, parse_range
from media.storage import local_path, video_storage

BLOCK = 256 * 1024


def _watchable(request, pk) -> Video:
    video = get_object_or_404(Video.objects.select_related("host_organisation", "association"), pk=pk)
    if not permissions.can_watch_video(request.user, video):
        raise Http404
    return video


def _blocks(path, start: int, length: int):
    with open(path, "rb") as handle:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            block = handle.read(min(BLOCK, remaining))
            if not block:
                return
            remaining -= len(block)
            yield block


async def _async_blocks(path, start: int, length: int):
    handle = await asyncio.to_thread(open, path, "rb")
    try:
        await asyncio.to_thread(handle.seek, start)
        remaining = length
        while remaining > 0:
            block = await asyncio.to_thread(handle.read, min(BLOCK, remaining))
            if not block:
                return
            remaining -= len(block)
            yield block
    finally:
        await asyncio.to_thread(handle.close)


def _common_headers(response, *, content_type: str, etag: str, last_modified: str) -> None:
    response["Content-Type"] = content_type
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Last-Modified"] = last_modified
    # Private: a draft must not sit in a shared cache; the browser may keep what it fetched.
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"


# Both views only read. Outside ATOMIC_REQUESTS' transaction: a player asks for the file and the captions at once,
# and neither should hold a transaction (embedded SQLite takes its write lock when one opens).
@transaction.non_atomic_requests
@require_safe
def video_file(request, pk):
    """GET and HEAD: 200 whole with Accept-Ranges, 206 for one range, 416 when it cannot be satisfied."""
    video = _watchable(request, pk)
    stored = VideoFile.objects.filter(video=video).first()
    if stored is None:
        raise Http404
    storage = video_storage()
    path = local_path(storage, stored.storage_name)
    if path is None:
        response = HttpResponseRedirect(storage.url(stored.storage_name))
        # The signed URL expires: a cached redirect would send the player to a dead address.
        response["Cache-Control"] = "private, no-store"
        return response
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        raise Http404 from None
    size = stat.st_size
    etag = f'"{stored.pk:x}-{size:x}-{stat.st_mtime_ns:x}"'
    last_modified = http_date(stat.st_mtime)

    accel_prefix = getattr(settings, "MEDIA_ACCEL_REDIRECT_PREFIX", "")
    if accel_prefix:
        response = HttpResponse()
        response["X-Accel-Redirect"] = f"{accel_prefix.rstrip('/')}/{stored.storage_name}"
        _common_headers(response, content_type=stored.content_type, etag=etag, last_modified=last_modified)
        return response

    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
        response["ETag"] = etag
        return response

    byte_range = None
    if if_range_matches(request.headers.get("If-Range"), etag=etag, last_modified=last_modified):
        try:
            byte_range = parse_range(request.headers.get("Range"), size)
        except Unsatisfiable:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            response["Accept-Ranges"] = "bytes"
            response["Content-Length"] = "0"
            return response
    start, length = (byte_range.start, byte_range.length) if byte_range else (0, size)

    if request.method == "HEAD":
        response = HttpResponse(status=206 if byte_range else 200)
    elif isinstance(request, ASGIRequest):
        response = StreamingHttpResponse(_async_blocks(path, start, length), status=206 if byte_range else 200)
    else:
        response = StreamingHttpResponse(_blocks(path, start, length), status=206 if byte_range else 200)
    _common_headers(response, content_type=stored.content_type, etag=etag, last_modified=last_modified)
    response["Content-Length"] = str(length)
    if byte_range:
        response["Content-Range"] = byte_range.content_range(size)
    return response


@transaction.non_atomic_requests
@require_safe
def caption_track(request, pk, language):
    """One captions track, as the player's <track> loads it."""
    video = _watchable(request, pk)
    caption = get_object_or_404(Caption, video=video, language=language)
    response = HttpResponse(caption.webvtt, content_type="text/vtt; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
