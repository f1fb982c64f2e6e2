"""Writes for live rooms: rooms, messages and moderation.

Every function is keyword-only and raises `django.core.exceptions.ValidationError` with translated French
messages when a rule refuses the operation (nothing is written then). Whether the person may enter or moderate
the room is the caller's job (`realtime.permissions`); when a room takes messages, how long they may be and who is
muted are rules, and live here.

Sequence numbers: `message_post` locks the room's row (`SELECT … FOR UPDATE`) for its transaction, takes
`Room.next_seq` and moves it on, so two concurrent posts get n and n + 1 — never the same number, never a gap (a
refused post rolls back and leaves the counter untouched). The unique constraints on (room, seq) and on (room,
author, client_id) back this up in the database.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from realtime import filters, selectors
from realtime.enums import MaskedKind, ModerationKind, RoomState
from realtime.models import Message, ModerationAction, Room

DEFAULT_MAX_MESSAGE_LENGTH = 1000
MAX_CLIENT_ID_LENGTH = 64
MAX_REASON_LENGTH = 500


def max_message_length() -> int:
    return getattr(settings, "REALTIME_MAX_MESSAGE_LENGTH", DEFAULT_MAX_MESSAGE_LENGTH)


# --- Rooms ---------------------------------------------------------------------------------------------------------


def room_for_session(session) -> Room:
    """The room of a discovery session, created the first time somebody asks for it."""
    room, _created = Room.objects.get_or_create(session=session)
    return room


def room_for_booking(booking) -> Room:
    """The room of a tutoring booking, created the first time somebody asks for it."""
    room, _created = Room.objects.get_or_create(booking=booking)
    return room


def _locked(room: Room) -> Room:
    """The room, re-read under a row lock held until the end of the transaction."""
    # `of=("self",)`: the session or booking joined in is read, not locked (and PostgreSQL cannot lock the nullable
    # side of an outer join).
    return Room.objects.select_for_update(of=("self",)).select_related("session", "booking").get(pk=room.pk)


def _refuse_unless_open(room: Room, now: datetime.datetime) -> None:
    state = room.state(now)
    if state == RoomState.NOT_YET_OPEN:
        raise ValidationError(
            _("Le salon ouvre à %(time)s, un quart d'heure avant le début.")
            % {"time": timezone.localtime(room.opens_at).strftime("%H:%M")},
            code="not_yet_open",
        )
    if state == RoomState.CLOSED:
        raise ValidationError(_("Ce salon est terminé : on peut relire les messages, plus en écrire."), code="closed")
    if state == RoomState.LOCKED:
        raise ValidationError(
            _("La modération a verrouillé ce salon : plus personne ne peut y écrire."), code="locked"
        )


# --- Messages ------------------------------------------------------------------------------------------------------


def _clean_client_id(client_id) -> str:
    if not isinstance(client_id, str) or not client_id.strip() or len(client_id.strip()) > MAX_CLIENT_ID_LENGTH:
        raise ValidationError(
            _("Identifiant de message invalide : rechargez la page puis envoyez à nouveau."), code="client_id"
        )
    return client_id.strip()


def _clean_body(body) -> str:
    if not isinstance(body, str) or not body.strip():
        raise ValidationError(_("Le message est vide."), code="empty")
    body = body.strip()
    limit = max_message_length()
    if len(body) > limit:
        raise ValidationError(
            _("Le message est trop long : %(length)d caractères pour %(limit)d au plus.")
            % {"length": len(body), "limit": limit},
            code="too_long",
        )
    return body


def _clean_masked(masked: Iterable[str]) -> list[str]:
    kinds = sorted(set(masked))
    unknown = set(kinds) - set(MaskedKind.values)
    if unknown:
        raise TypeError(f"Unknown masked kinds: {', '.join(sorted(unknown))}")
    return kinds


def message_post(*, room: Room, author, body, client_id, now: datetime.datetime | None = None) -> tuple[Message, bool]:
    """Store a message with the room's next sequence number; `(message, True)` when stored now.

    A pupil's message goes through the contact filter first (`realtime.filters`: phone numbers, e-mail addresses,
    links, social handles, street addresses and the staff's word list are masked); `message.masked` keeps the kinds
    found, for the author (`filters.reason_for`) and the moderators. A resend (same author, same `client_id`)
    returns the message stored the first time, `(message, False)`, even once the room has closed: the client only
    missed the acknowledgement.

    Refused: an empty or too long body (`REALTIME_MAX_MESSAGE_LENGTH`, 1,000 characters by default), a missing or
    malformed `client_id`, a room not yet open, closed or locked, a muted author."""
    now = now or timezone.now()
    client_id = _clean_client_id(client_id)
    body = _clean_body(body)
    masked = []
    if getattr(author, "is_pupil", False):
        filtered = filters.mask_contact_details(body, extra_words=selectors.filtered_words())
        body, masked = filtered.text, _clean_masked(filtered.masked)
    with transaction.atomic():
        room = _locked(room)
        existing = Message.objects.filter(room=room, author=author, client_id=client_id).first()
        if existing is not None:
            return existing, False
        _refuse_unless_open(room, now)
        if selectors.is_muted(room, author):
            raise ValidationError(_("Un modérateur vous a retiré la parole dans ce salon."), code="muted")
        message = Message.objects.create(
            room=room, seq=room.next_seq, author=author, body=body, client_id=client_id, created_at=now, masked=masked
        )
        Room.objects.filter(pk=room.pk).update(next_seq=F("next_seq") + 1)
    return message, True


# --- Moderation ----------------------------------------------------------------------------------------------------


def _clean_reason(reason) -> str:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(
            _("Le motif est trop long : %(limit)d caractères au plus.") % {"limit": MAX_REASON_LENGTH}, code="reason"
        )
    return reason


def _log(*, room, actor, action, now, reason="", target_message=None, target_user=None) -> ModerationAction:
    return ModerationAction.objects.create(
        room=room,
        actor=actor,
        action=action,
        target_message=target_message,
        target_user=target_user,
        reason=reason,
        created_at=now,
    )


def message_delete(*, message: Message, actor, reason: str = "", now: datetime.datetime | None = None) -> Message:
    """Remove a message from view (it keeps its number and is shown as removed) and log who did it. Deleting a
    message already removed changes nothing."""
    now = now or timezone.now()
    reason = _clean_reason(reason)
    with transaction.atomic():
        _locked(message.room)
        message = Message.objects.select_for_update().get(pk=message.pk)
        if message.deleted_at is None:
            message.deleted_at, message.deleted_by = now, actor
            message.save(update_fields=["deleted_at", "deleted_by"])
            _log(
                room=message.room,
                actor=actor,
                action=ModerationKind.DELETE_MESSAGE,
                now=now,
                reason=reason,
                target_message=message,
                target_user=message.author,
            )
    return message


def room_lock(*, room: Room, actor, reason: str = "", now: datetime.datetime | None = None) -> Room:
    """Nobody writes in the room any more (reading stays possible) until a moderator unlocks it."""
    now = now or timezone.now()
    reason = _clean_reason(reason)
    with transaction.atomic():
        room = _locked(room)
        if room.locked_at is None:
            room.locked_at, room.locked_by = now, actor
            room.save(update_fields=["locked_at", "locked_by"])
            _log(room=room, actor=actor, action=ModerationKind.LOCK, now=now, reason=reason)
    return room


def room_unlock(*, room: Room, actor, reason: str = "", now: datetime.datetime | None = None) -> Room:
    now = now or timezone.now()
    reason = _clean_reason(reason)
    with transaction.atomic():
        room = _locked(room)
        if room.locked_at is not None:
            room.locked_at, room.locked_by = None, None
            room.save(update_fields=["locked_at", "locked_by"])
            _log(room=room, actor=actor, action=ModerationKind.UNLOCK, now=now, reason=reason)
    return room


def participant_restrict(
    *, room: Room, actor, user, action: str, reason: str = "", now: datetime.datetime | None = None
) -> ModerationAction:
    """Mute, give the floor back to, or remove a participant (a removed person may not enter again)."""
    if action not in (ModerationKind.MUTE, ModerationKind.UNMUTE, ModerationKind.REMOVE):
        raise TypeError(f"Not a participant restriction: {action}")
    if user.pk == getattr(actor, "pk", None):
        raise ValidationError(_("Vous ne pouvez pas vous appliquer cette mesure."), code="self")
    now = now or timezone.now()
    reason = _clean_reason(reason)
    with transaction.atomic():
        room = _locked(room)
        return _log(room=room, actor=actor, action=action, now=now, reason=reason, target_user=user)
