"""Reads for live rooms: history by sequence number (resume and pages) and the participants' restrictions."""

from realtime.enums import ModerationKind
from realtime.models import FilteredWord, Message, ModerationAction, Room

MAX_PAGE = 200


def _messages(room: Room):
    return Message.objects.filter(room=room).select_related("author__pupil_profile", "deleted_by")


def _bounded(limit: int) -> int:
    return max(1, min(int(limit), MAX_PAGE))


def messages_after(room: Room, after_seq: int = 0, limit: int = MAX_PAGE) -> list[Message]:
    """What a client that saw everything up to `after_seq` missed, in order, at most `limit` (capped at
    `MAX_PAGE`: the client asks again from the last one it received)."""
    return list(_messages(room).filter(seq__gt=max(0, int(after_seq))).order_by("seq")[: _bounded(limit)])


def messages_page(room: Room, before_seq: int | None = None, limit: int = 50) -> list[Message]:
    """One page of history: the `limit` messages just before `before_seq` (the latest ones without it), oldest
    first."""
    queryset = _messages(room)
    if before_seq is not None:
        queryset = queryset.filter(seq__lt=int(before_seq))
    page = list(queryset.order_by("-seq")[: _bounded(limit)])
    page.reverse()
    return page


def last_seq(room: Room) -> int:
    """The sequence number of the last message stored (0 for an empty room)."""
    return Room.objects.values_list("next_seq", flat=True).get(pk=room.pk) - 1


def _latest(room: Room, user, kinds) -> str | None:
    return (
        ModerationAction.objects.filter(room=room, target_user=user, action__in=kinds)
        .order_by("-created_at", "-pk")
        .values_list("action", flat=True)
        .first()
    )


def is_muted(room: Room, user) -> bool:
    """Muted by a moderator and not given the floor back since."""
    return _latest(room, user, (ModerationKind.MUTE, ModerationKind.UNMUTE)) == ModerationKind.MUTE


def is_removed(room: Room, user) -> bool:
    return ModerationAction.objects.filter(room=room, target_user=user, action=ModerationKind.REMOVE).exists()


def moderation_log(room: Room):
    return ModerationAction.objects.filter(room=room).select_related("actor", "target_user", "target_message")


def filtered_words() -> list[str]:
    """The staff's list of words masked in pupils' messages."""
    return list(FilteredWord.objects.values_list("word", flat=True))
