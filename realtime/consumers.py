"""The live-room WebSocket consumer on `ws/rooms/<room_id>/`; the protocol is described in realtime/README.md.

One mechanism for every client frame: a handler checks the frame's shape, then runs one synchronous step in a
worker thread (permission check + service or selector) that returns what to send and to whom — the sender, the
whole room, the room's moderators, or one person's connections. Writes have committed when the step returns, so
nothing is broadcast before it is stored. A frame for several readers is encoded once and travels as text.

A refused step answers the sender with an `error` frame: a `ValidationError` from the services (translated
message, code), `Refused` (not allowed), `ObjectDoesNotExist` (unknown message, question or poll), `RateLimited`.
The socket stays open except for the close codes below.
"""

import asyncio
import collections
import json
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from realtime import frames, permissions, ratelimit, relay, selectors, services
from realtime.enums import QuestionStatus, RoomState
from realtime.models import Message, Poll, Question, Room

CLOSE_NOT_ALLOWED = 4403
CLOSE_ROOM_CLOSED = 4410
CLOSE_RATE_LIMITED = 4429

# Any frames: more than this many in the window closes the connection (4429).
FLOOD_FRAMES, FLOOD_SECONDS = 40, 10.0
# `rate_limited` answers within FLOOD_SECONDS before the connection is closed (4429).
STRIKES_BEFORE_CLOSE = 5
# Typing notices from one connection are passed on at most this often.
TYPING_EVERY = 2.0

SELF, ROOM, MODERATORS = "self", "room", "moderators"

MODERATION_ACTIONS = {"delete", "mute", "unmute", "remove", "lock", "unlock", "lower_hand"}


def group_name(room_id: int) -> str:
    return f"room.{room_id}"


def moderators_group(room_id: int) -> str:
    return f"room.{room_id}.moderators"


def person_group(room_id: int, user_id: int) -> str:
    return f"room.{room_id}.user.{user_id}"


def person(user_id: int) -> tuple[str, int]:
    """The target "every connection of this person" in a step's output."""
    return ("person", user_id)


class Refused(Exception):
    pass


class RateLimited(Exception):
    def __init__(self, retry_after: float):
        super().__init__(retry_after)
        self.retry_after = retry_after


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _load_room(room_id: int) -> Room | None:
    return Room.objects.select_related("session", "booking__slot__tutor", "booking__pupil").filter(pk=room_id).first()


class RoomConsumer(relay.RelayedConsumer, AsyncJsonWebsocketConsumer):
    room: Room | None = None
    joined: list
    end_timer: asyncio.Task | None = None

    # --- Connection --------------------------------------------------------------------------------------------

    async def connect(self):
        self.joined, self.end_timer = [], None
        await self.accept()
        user = self.scope.get("user")
        entry = await self._enter(user, self.scope["url_route"]["kwargs"]["room_id"])
        if entry is None:
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        room, role, moderator, speaker, state = entry
        if state in (RoomState.NOT_YET_OPEN, RoomState.CLOSED):
            await self._send_closed_reason(room, state)
            await self.close(code=CLOSE_ROOM_CLOSED)
            return
        self.user, self.role, self.moderator, self.speaker = user, role, moderator, speaker
        self.roles = {user.pk: role}
        self.recent_frames, self.strikes, self.last_typing = collections.deque(), collections.deque(), 0.0
        groups = [group_name(room.pk), person_group(room.pk, user.pk)]
        if moderator:
            groups.append(moderators_group(room.pk))
        for group in groups:
            self.joined.append(group)  # left again on disconnection, even when joining failed half-way
            if not await self.relay_join(group):
                return
        self.room = room
        arrived, state_frame = await self._arrive()
        await self.send(text_data=frames.encode(state_frame))
        if arrived:
            await self._dispatch([(ROOM, {"type": "presence", "joined": frames.participant(user, role)})])
        self.end_timer = asyncio.create_task(self._close_at_end())

    @database_sync_to_async
    def _enter(self, user, room_id):
        if not getattr(user, "is_authenticated", False):
            return None
        room = _load_room(room_id)
        if room is None or not permissions.can_enter(user, room):
            return None
        role = permissions.role_of(user, room)
        moderator = permissions.can_moderate(user, room)
        speaker = permissions.is_speaker(user, room, role=role, moderator=moderator)
        return room, role, moderator, speaker, room.state()

    async def _send_closed_reason(self, room: Room, state: RoomState):
        if state == RoomState.NOT_YET_OPEN:
            opens = timezone.localtime(room.opens_at).strftime("%H:%M")
            detail = _("Le salon ouvre à %(time)s, un quart d'heure avant le début.") % {"time": opens}
            await self._error("not_yet_open", detail, opens_at=frames.timestamp(room.opens_at))
        else:
            await self._error("closed", _("Ce salon est terminé : relisez la conversation sur la page du salon."))

    @database_sync_to_async
    def _arrive(self):
        arrived = services.presence_join(
            room=self.room, user=self.user, channel_name=self.channel_name, role=self.role
        )
        return arrived, self._state()

    def _state(self) -> dict:
        room = Room.objects.select_related(
            "session", "booking__slot__tutor", "booking__pupil", "pinned_message__author__pupil_profile"
        ).get(pk=self.room.pk)
        pinned = room.pinned_message
        you = {
            **frames.participant(self.user, self.role),
            "moderator": self.moderator,
            "speaker": self.speaker,
            "muted": selectors.is_muted(room, self.user),
        }
        questions = selectors.visible_questions(room, self.user, moderator=self.moderator)
        state = {
            "type": "state",
            "room": frames.room_summary(
                room, room.state(), frames.message(pinned, self._role(pinned.author)) if pinned else None
            ),
            "you": you,
            "last_id": room.next_seq - 1,
            "presence": [frames.participant(row.user, row.role) for row in selectors.present(room)],
            "hands": frames.hands(selectors.raised_hands(room), self._role)["hands"],
            "questions": [frames.question(question, self._role(question.author)) for question in questions],
            "polls": [frames.poll(poll, results) for poll, results in selectors.polls_with_results(room)],
        }
        if self.moderator:
            state["muted"] = selectors.muted_user_ids(room)
        return state

    def _role(self, user) -> str:
        """A participant's role in this room, looked up once per connection (runs in the worker thread)."""
        if user is None:
            return "adult"
        if user.pk not in self.roles:
            self.roles[user.pk] = permissions.role_of(user, self.room)
        return self.roles[user.pk]

    async def disconnect(self, code):
        if self.end_timer is not None:
            self.end_timer.cancel()
        for group in self.joined:
            await self.relay_leave(group)
        if self.room is None:
            return
        left = await database_sync_to_async(services.presence_leave)(
            room=self.room, user=self.user, channel_name=self.channel_name
        )
        if left:
            await self._dispatch([(ROOM, {"type": "presence", "left": frames.participant(self.user, self.role)})])

    async def _close_at_end(self):
        """At the end of the session or booking, tell everyone and close (4410); times may move meanwhile."""
        while True:
            wait = (self.room.ends_at - timezone.now()).total_seconds()
            await asyncio.sleep(max(wait, 0) + 0.5)
            if await self._refresh():
                return

    async def _refresh(self) -> bool:
        """Re-read the room; close the connection (True) when it has ended (4410) or the person may no longer
        enter (4403)."""
        room, state, allowed = await self._reread()
        if room is None or state == RoomState.CLOSED:
            await self.send_json({"type": "closed"})
            await self.close(code=CLOSE_ROOM_CLOSED)
            return True
        self.room = room
        if not allowed:
            await self._error("removed", _("Vous n'avez plus accès à ce salon."))
            await self.close(code=CLOSE_NOT_ALLOWED)
            return True
        return False

    @database_sync_to_async
    def _reread(self):
        room = _load_room(self.room.pk)
        if room is None:
            return None, RoomState.CLOSED, False
        return room, room.state(), permissions.can_enter(self.user, room)

    # --- Client frames -----------------------------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if self.room is None:
            return
        now = time.monotonic()
        self.recent_frames.append(now)
        while self.recent_frames[0] < now - FLOOD_SECONDS:
            self.recent_frames.popleft()
        if len(self.recent_frames) > FLOOD_FRAMES:
            await self._error("rate_limited", _("Trop d'envois d'un coup : la connexion reprendra dans un instant."))
            await self.close(code=CLOSE_RATE_LIMITED)
            return
        try:
            content = json.loads(text_data) if text_data is not None else None
        except ValueError:
            content = None
        kind = content.get("type") if isinstance(content, dict) else None
        handler = getattr(self, f"on_{kind}", None) if isinstance(kind, str) and kind.isidentifier() else None
        if handler is None:
            await self._bad_frame()
            return
        await handler(content)

    async def _bad_frame(self):
        await self._error("bad_frame", _("Trame illisible ou inconnue."))

    async def _error(self, code: str, detail: str, **extra):
        await self.send(text_data=frames.encode(frames.error(code, detail, **extra)))

    async def _step(self, function, *args):
        """Run one synchronous step in a worker thread and send what it returns; refusals become error frames."""
        try:
            outputs = await database_sync_to_async(function)(*args)
        except ValidationError as error:
            await self._error(error.code or "invalid", error.messages[0])
            return
        except Refused:
            await self._error("forbidden", _("Vous n'avez pas le droit de faire cela dans ce salon."))
            return
        except ObjectDoesNotExist:
            await self._error("not_found", _("Cet élément n'existe pas ou plus dans ce salon."))
            return
        except RateLimited as limited:
            await self._rate_limited(limited.retry_after)
            return
        await self._dispatch(outputs)

    async def _rate_limited(self, retry_after: float):
        now = time.monotonic()
        self.strikes.append(now)
        while self.strikes[0] < now - FLOOD_SECONDS:
            self.strikes.popleft()
        count, seconds = ratelimit.rate()
        detail = _("Doucement : %(count)d messages toutes les %(seconds)d secondes au plus. Réessaie dans %(wait)d s.")
        await self._error(
            "rate_limited",
            detail % {"count": count, "seconds": seconds, "wait": max(1, round(retry_after))},
            retry_after=retry_after,
        )
        if len(self.strikes) >= STRIKES_BEFORE_CLOSE:
            await self.close(code=CLOSE_RATE_LIMITED)

    async def _dispatch(self, outputs):
        """Send each frame to its target: the sender now, a group through the channel layer (encoded once)."""
        relay_failed = False
        for target, frame in outputs or ():
            if target == SELF:
                await self.send(text_data=frames.encode(frame))
                continue
            if target == ROOM:
                group = group_name(self.room.pk)
            elif target == MODERATORS:
                group = moderators_group(self.room.pk)
            else:
                group = person_group(self.room.pk, target[1])
            if frame.get("type") == "kick":
                event = {"type": "room.kick"}
            else:
                event = {"type": "room.frame", "text": frames.encode(frame)}
            if not await relay.broadcast(self.channel_layer, group, event):
                relay_failed = True
        if relay_failed:
            await self.send(text_data=frames.encode(relay.unavailable_frame()))

    def _check_rate(self):
        retry_after = ratelimit.hit(self.room.pk, self.user.pk)
        if retry_after is not None:
            raise RateLimited(retry_after)

    def _require(self, allowed: bool):
        if not allowed:
            raise Refused

    # Everyone --------------------------------------------------------------------------------------------------

    async def on_ping(self, content):
        await self.send_json({"type": "pong", "last_id": await database_sync_to_async(self._touch)()})

    def _touch(self) -> int:
        """Keep this connection's presence fresh; the room's last number, for a client that missed a broadcast."""
        services.presence_touch(channel_name=self.channel_name)
        return selectors.last_seq(self.room)

    async def on_message(self, content):
        body, client_id = content.get("body"), content.get("client_id")
        if not isinstance(body, str) or not isinstance(client_id, str):
            await self._bad_frame()
            return
        await self._step(self._post, body, client_id)

    def _post(self, body, client_id):
        message, created = services.message_post(
            room=self.room, author=self.user, body=body, client_id=client_id, before_store=self._check_rate
        )
        outputs = [(SELF, frames.ack(message.client_id, message.masked, id=message.seq))]
        if created:
            outputs.append((ROOM, frames.message(message, self.role)))
        return outputs

    async def on_resume(self, content):
        after = content.get("after")
        if not _int(after) or after < 0:
            await self._bad_frame()
            return
        while True:
            batch = await database_sync_to_async(self._messages_after)(after)
            for frame in batch:
                await self.send(text_data=frames.encode(frame))
            if len(batch) < selectors.MAX_PAGE:
                return
            after = batch[-1]["id"]

    def _messages_after(self, after: int, limit: int = selectors.MAX_PAGE) -> list[dict]:
        messages = selectors.messages_after(self.room, after, limit)
        return [frames.message(message, self._role(message.author)) for message in messages]

    async def on_gap(self, content):
        first, last = content.get("from"), content.get("to")
        if not (_int(first) and _int(last)) or not 1 <= first <= last or last - first >= selectors.MAX_PAGE:
            await self._bad_frame()
            return
        batch = await database_sync_to_async(self._messages_after)(first - 1, last - first + 1)
        for frame in batch:
            await self.send(text_data=frames.encode(frame))

    async def on_history(self, content):
        before, limit = content.get("before"), content.get("limit", 50)
        if (before is not None and (not _int(before) or before < 1)) or not _int(limit) or not 1 <= limit <= 200:
            await self._bad_frame()
            return
        await self._step(self._history, before, limit)

    def _history(self, before, limit):
        page = selectors.messages_page(self.room, before, limit)
        messages = [frames.message(message, self._role(message.author)) for message in page]
        return [(SELF, {"type": "history", "messages": messages, "more": bool(page) and page[0].seq > 1})]

    async def on_typing(self, content):
        now = time.monotonic()
        if now - self.last_typing < TYPING_EVERY:
            return
        self.last_typing = now
        await self._step(self._typing)

    def _typing(self):
        room = Room.objects.select_related("session", "booking").get(pk=self.room.pk)
        if room.state() != RoomState.OPEN or selectors.is_muted(room, self.user):
            return []
        return [(ROOM, {"type": "typing", "participant": frames.participant(self.user, self.role)})]

    async def on_hand(self, content):
        raised = content.get("raised")
        if not isinstance(raised, bool):
            await self._bad_frame()
            return
        await self._step(self._hand, raised)

    def _hand(self, raised: bool):
        if not services.hand_set(room=self.room, user=self.user, raised=raised):
            return []
        return [(ROOM, self._hands())]

    def _hands(self) -> dict:
        return frames.hands(selectors.raised_hands(self.room), self._role)

    async def on_question(self, content):
        body, client_id = content.get("body"), content.get("client_id")
        if not isinstance(body, str) or not isinstance(client_id, str):
            await self._bad_frame()
            return
        await self._step(self._ask, body, client_id)

    def _ask(self, body, client_id):
        question, created = services.question_ask(
            room=self.room, author=self.user, body=body, client_id=client_id, before_store=self._check_rate
        )
        ack = frames.ack(question.client_id, question.masked, question=question.pk, status=question.status)
        outputs = [(SELF, ack)]
        if created:
            outputs += self._question_outputs(question)
        return outputs

    def _question_outputs(self, question: Question) -> list:
        """Approved and answered questions go to everyone; waiting and set-aside ones to their author and the
        moderators only."""
        frame = frames.question(question, self._role(question.author))
        if question.status in (QuestionStatus.APPROVED, QuestionStatus.ANSWERED):
            return [(ROOM, frame)]
        outputs = [(MODERATORS, frame)]
        if question.author_id is not None:
            outputs.append((person(question.author_id), frame))
        return outputs

    async def on_vote(self, content):
        poll, option = content.get("poll"), content.get("option")
        if not (_int(poll) and _int(option)):
            await self._bad_frame()
            return
        await self._step(self._vote, poll, option)

    def _vote(self, poll_id: int, option_id: int):
        poll = Poll.objects.get(pk=poll_id, room=self.room)
        services.poll_vote(poll=poll, voter=self.user, option_id=option_id)
        return [(SELF, {"type": "ack", "poll": poll.pk, "option": option_id}), (ROOM, self._poll_frame(poll))]

    def _poll_frame(self, poll: Poll) -> dict:
        [(poll, results)] = selectors.polls_with_results(self.room, poll.pk)
        return frames.poll(poll, results)

    async def on_report(self, content):
        message, reason = content.get("message"), content.get("reason", "")
        if not _int(message) or not isinstance(reason, str):
            await self._bad_frame()
            return
        await self._step(self._report, message, reason)

    def _report(self, seq: int, reason: str):
        message = Message.objects.select_related("author__pupil_profile").get(room=self.room, seq=seq)
        report = services.report_create(message=message, reporter=self.user, reason=reason)
        frame = {
            "type": "report",
            "id": report.pk,
            "message": frames.message(message, self._role(message.author)),
            "reason": report.reason,
            "reporter": frames.participant(self.user, self.role),
            "created_at": frames.timestamp(report.created_at),
        }
        return [(SELF, {"type": "ack", "report": report.pk, "message": seq}), (MODERATORS, frame)]

    # Speakers --------------------------------------------------------------------------------------------------

    async def on_poll_open(self, content):
        question, options = content.get("question"), content.get("options")
        if not isinstance(question, str) or not isinstance(options, list):
            await self._bad_frame()
            return
        await self._step(self._poll_open, question, options)

    def _poll_open(self, question, options):
        self._require(self.speaker)
        poll = services.poll_open(room=self.room, actor=self.user, question=question, options=options)
        return [(ROOM, self._poll_frame(poll))]

    async def on_poll_close(self, content):
        if not _int(content.get("poll")):
            await self._bad_frame()
            return
        await self._step(self._poll_close, content["poll"])

    def _poll_close(self, poll_id: int):
        self._require(self.speaker)
        poll = services.poll_close(poll=Poll.objects.get(pk=poll_id, room=self.room), actor=self.user)
        return [(ROOM, self._poll_frame(poll))]

    async def on_question_answered(self, content):
        if not _int(content.get("question")):
            await self._bad_frame()
            return
        await self._step(self._question_answered, content["question"])

    def _question_answered(self, question_id: int):
        self._require(self.speaker)
        question = Question.objects.select_related("author").get(pk=question_id, room=self.room)
        return self._question_outputs(services.question_answered(question=question, actor=self.user))

    # Moderators ------------------------------------------------------------------------------------------------

    async def on_question_decide(self, content):
        decision = content.get("decision")
        if not _int(content.get("question")) or decision not in ("approve", "reject"):
            await self._bad_frame()
            return
        await self._step(self._question_decide, content["question"], decision == "approve")

    def _question_decide(self, question_id: int, approve: bool):
        self._require(self.moderator)
        question = Question.objects.select_related("author", "room").get(pk=question_id, room=self.room)
        return self._question_outputs(services.question_decide(question=question, actor=self.user, approve=approve))

    async def on_pin(self, content):
        message = content.get("message")
        if message is not None and not _int(message):
            await self._bad_frame()
            return
        await self._step(self._pin, message)

    def _pin(self, seq: int | None):
        self._require(self.moderator)
        message = None
        if seq is not None:
            message = Message.objects.select_related("author__pupil_profile").get(room=self.room, seq=seq)
        services.message_pin(room=self.room, actor=self.user, message=message)
        pinned = frames.message(message, self._role(message.author)) if message else None
        return [(ROOM, {"type": "pinned", "message": pinned})]

    async def on_premoderation(self, content):
        if not isinstance(content.get("enabled"), bool):
            await self._bad_frame()
            return
        await self._step(self._premoderation, content["enabled"])

    def _premoderation(self, enabled: bool):
        self._require(self.moderator)
        services.premoderation_set(room=self.room, actor=self.user, enabled=enabled)
        return [(ROOM, self._moderation_frame("premoderation", enabled=enabled))]

    def _moderation_frame(self, action: str, **details) -> dict:
        return {"type": "moderation", "action": action, "by": frames.participant(self.user, self.role), **details}

    async def on_moderate(self, content):
        action, reason = content.get("action"), content.get("reason", "")
        target_key = "message" if action == "delete" else "participant"
        needs_target = action not in ("lock", "unlock")
        if (
            action not in MODERATION_ACTIONS
            or not isinstance(reason, str)
            or (needs_target and not _int(content.get(target_key)))
        ):
            await self._bad_frame()
            return
        await self._step(self._moderate, action, content.get(target_key), reason)

    def _moderate(self, action: str, target, reason: str):
        self._require(self.moderator)
        if action == "delete":
            message = Message.objects.select_related("author__pupil_profile").get(room=self.room, seq=target)
            was_pinned = Room.objects.filter(pk=self.room.pk, pinned_message=message).exists()
            message = services.message_delete(message=message, actor=self.user, reason=reason)
            outputs = [
                (ROOM, frames.message(message, self._role(message.author))),
                (ROOM, self._moderation_frame("delete", message=message.seq)),
            ]
            if was_pinned:
                outputs.append((ROOM, {"type": "pinned", "message": None}))
            return outputs
        if action in ("lock", "unlock"):
            change = services.room_lock if action == "lock" else services.room_unlock
            change(room=self.room, actor=self.user, reason=reason)
            return [(ROOM, self._moderation_frame(action))]
        user = get_user_model().objects.filter(pk=target).first()
        if user is None or not permissions.can_enter(user, self.room):
            raise ObjectDoesNotExist
        if permissions.can_moderate(user, self.room):
            raise ValidationError(_("Cette personne modère aussi ce salon."), code="forbidden")
        who = frames.participant(user, self._role(user))
        if action == "lower_hand":
            if not services.hand_lower(room=self.room, actor=self.user, user=user):
                return []
            return [(ROOM, self._hands()), (ROOM, self._moderation_frame(action, participant=who))]
        services.participant_restrict(room=self.room, actor=self.user, user=user, action=action, reason=reason)
        outputs = [(ROOM, self._moderation_frame(action, participant=who))]
        if action == "remove":
            outputs += [(person(user.pk), {"type": "kick"}), (ROOM, self._hands())]
        return outputs

    # --- Group events ------------------------------------------------------------------------------------------

    async def dispatch(self, message):
        """Frames relayed to the room touch no database: skip the connection clean-up Channels runs before each
        handler (it waits its turn on the process's one database thread, once per reader and frame — at 300
        readers, seconds)."""
        if message["type"] == "room.frame":
            await self.room_frame(message)
            return
        await super().dispatch(message)

    async def room_frame(self, event):
        await self.send(text_data=event["text"])

    async def room_kick(self, event):
        await self._error("removed", _("La modération vous a retiré de ce salon."))
        await self.close(code=CLOSE_NOT_ALLOWED)

    async def room_refresh(self, event):
        """The session or booking changed (cancelled, moved): re-check the room and one's access."""
        await self._refresh()
