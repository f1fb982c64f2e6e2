"""The live-room WebSocket consumer (minimal core): entry, messages with acknowledgements, resume, ping.

Protocol on `ws/rooms/<room_id>/`, JSON text frames:

- client → server: `{"type": "message", "body", "client_id"}`, `{"type": "resume", "after": n}`, `{"type": "ping"}`;
- server → client: `{"type": "message", "id", "author": {"name", "role"}, "body", "created_at", "client_id"}`
  (to the whole room), `{"type": "ack", "client_id", "id"}` (to the author, with `masked` and `notice` when
  contact details were masked), `{"type": "pong"}`, `{"type": "error", "code", "detail"}`.

A message is stored (with its per-room sequence number) by `services.message_post`, whose transaction has
committed when it returns; only then is it broadcast. The channel layer may drop a broadcast: clients resume from
the last number they saw. Anyone who may not enter (anonymous, unknown room, not a participant) is closed with 4403.
"""

import datetime
import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from backend.schools.selectors import pupil_teachers
from realtime import filters, permissions, selectors, services
from realtime.models import Room
from scheduling.enums import SessionBookingStatus
from scheduling.models import SessionBooking

CLOSE_NOT_ALLOWED = 4403


def group_name(room_id: int) -> str:
    return f"room.{room_id}"


def author_role(user, room: Room) -> str:
    """pupil, tutor, professional, facilitator, teacher, staff, or adult."""
    if user is None:
        return "adult"
    if user.is_pupil:
        return "pupil"
    if room.booking_id:
        booking = room.booking
        if user.pk == booking.slot.tutor_id:
            return "tutor"
        if any(teacher.pk == user.pk for teacher in pupil_teachers(booking.pupil)):
            return "teacher"
    else:
        session = room.session
        if session.professionals.filter(pk=user.pk).exists():
            return "professional"
        if session.facilitators.filter(pk=user.pk).exists():
            return "facilitator"
        if SessionBooking.objects.filter(
            session=session, status=SessionBookingStatus.CONFIRMED, school_class__teachers=user
        ).exists():
            return "teacher"
    if user.is_staff:
        return "staff"
    return "adult"


def message_frame(message, role: str) -> dict:
    author = message.author
    frame = {
        "type": "message",
        "id": message.seq,
        "author": {"name": author.display_name if author else _("Ancien participant"), "role": role},
        "body": message.body,
        "created_at": message.created_at.astimezone(datetime.UTC).isoformat(),
        "client_id": message.client_id,
    }
    if message.is_deleted:
        frame["body"] = ""
        frame["deleted"] = True
    return frame


def _load_room(room_id: int) -> Room | None:
    return Room.objects.select_related("session", "booking__slot", "booking__pupil").filter(pk=room_id).first()


class RoomConsumer(AsyncJsonWebsocketConsumer):
    room: Room | None = None
    group: str | None = None

    # --- Connection --------------------------------------------------------------------------------------------

    async def connect(self):
        await self.accept()
        user = self.scope.get("user")
        room_id = self.scope["url_route"]["kwargs"]["room_id"]
        room, role = await self._enter(user, room_id)
        if room is None:
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        self.room, self.user, self.role = room, user, role
        self.roles = {user.pk: role}
        self.group = group_name(room.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)

    @database_sync_to_async
    def _enter(self, user, room_id):
        if not getattr(user, "is_authenticated", False):
            return None, None
        room = _load_room(room_id)
        if room is None or not permissions.can_enter(user, room):
            return None, None
        return room, author_role(user, room)

    async def disconnect(self, code):
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    # --- Client frames -----------------------------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if self.room is None:
            return
        try:
            content = json.loads(text_data) if text_data is not None else None
        except ValueError:
            content = None
        if not isinstance(content, dict):
            await self._bad_frame()
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type")
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "message":
            body, client_id = content.get("body"), content.get("client_id")
            if not isinstance(body, str) or not isinstance(client_id, str):
                await self._bad_frame()
                return
            await self._post(body, client_id)
        elif kind == "resume":
            after = content.get("after")
            if not isinstance(after, int) or isinstance(after, bool) or after < 0:
                await self._bad_frame()
                return
            await self._resume(after)
        else:
            await self._bad_frame()

    async def _bad_frame(self):
        await self.send_json({"type": "error", "code": "bad_frame", "detail": _("Trame illisible ou inconnue.")})

    async def _post(self, body: str, client_id: str):
        try:
            message, created = await database_sync_to_async(services.message_post)(
                room=self.room, author=self.user, body=body, client_id=client_id
            )
        except ValidationError as error:
            await self.send_json({"type": "error", "code": error.code or "invalid", "detail": error.messages[0]})
            return
        # message_post's transaction has committed: the message is stored before anybody hears of it.
        ack = {"type": "ack", "client_id": message.client_id, "id": message.seq}
        if message.masked:
            ack["masked"] = list(message.masked)
            ack["notice"] = filters.reason_for(message.masked)
        await self.send_json(ack)
        if created:
            frame = message_frame(message, self.role)
            await self.channel_layer.group_send(self.group, {"type": "room.message", "frame": frame})

    async def _resume(self, after: int):
        while True:
            frames = await self._frames_after(after)
            for frame in frames:
                await self.send_json(frame)
            if len(frames) < selectors.MAX_PAGE:
                return
            after = frames[-1]["id"]

    @database_sync_to_async
    def _frames_after(self, after: int) -> list[dict]:
        frames = []
        for message in selectors.messages_after(self.room, after):
            if message.author_id not in self.roles:
                self.roles[message.author_id] = author_role(message.author, self.room)
            frames.append(message_frame(message, self.roles[message.author_id]))
        return frames

    # --- Group events ------------------------------------------------------------------------------------------

    async def room_message(self, event):
        await self.send_json(event["frame"])
