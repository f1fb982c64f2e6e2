"""The JSON frames the room sends (see realtime/README.md). A frame for many readers is encoded once
(`encode`) and the text travels through the channel layer, so that each connection only writes it out."""

import datetime
import json

from django.utils.translation import gettext as _

from realtime import filters
from realtime.enums import RoomState


def encode(frame: dict) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def timestamp(value: datetime.datetime | None) -> str | None:
    return value.astimezone(datetime.UTC).isoformat() if value else None


def participant(user, role: str) -> dict:
    """`{"id", "name", "role"}`; pupils by first name and initial (`User.display_name`)."""
    if user is None:
        return {"id": None, "name": _("Ancien participant"), "role": role}
    return {"id": user.pk, "name": user.display_name, "role": role}


def message(message, role: str) -> dict:
    frame = {
        "type": "message",
        "id": message.seq,
        "author": participant(message.author, role),
        "body": message.body,
        "created_at": timestamp(message.created_at),
        "client_id": message.client_id,
    }
    if message.is_deleted:
        frame["body"] = ""
        frame["deleted"] = True
    return frame


def ack(client_id: str, masked, **stored) -> dict:
    """What the author of a message or question hears back: what was stored, and why contact details were masked
    (`realtime.filters`), when they were."""
    frame = {"type": "ack", "client_id": client_id, **stored}
    if masked:
        frame["masked"] = list(masked)
        frame["notice"] = filters.reason_for(masked)
    return frame


def question(question, role: str) -> dict:
    return {
        "type": "question",
        "id": question.pk,
        "author": participant(question.author, role),
        "body": question.body,
        "status": question.status,
        "created_at": timestamp(question.created_at),
    }


def poll(poll, results) -> dict:
    """`results`: the poll's options with their counts, as `selectors.polls_with_results` gives them."""
    options = [{"id": option.pk, "label": option.label, "votes": votes} for option, votes in results]
    return {
        "type": "poll",
        "id": poll.pk,
        "question": poll.question,
        "options": options,
        "total": sum(option["votes"] for option in options),
        "closed": poll.closed_at is not None,
    }


def hands(raised, role_of) -> dict:
    """`raised`: `RaisedHand` rows; `role_of(user)` gives each person's role."""
    return {
        "type": "hands",
        "hands": [
            {"participant": participant(hand.user, role_of(hand.user)), "raised_at": timestamp(hand.raised_at)}
            for hand in raised
        ],
    }


def room_title(room) -> str:
    """The session's title, or the tutoring appointment's topic."""
    return room.session.title if room.session_id else tutoring_title(room.booking)


def tutoring_title(booking) -> str:
    from scheduling.enums import Topic

    label = Topic(booking.topic).label if booking.topic in Topic.values else booking.topic
    return _("Tutorat : %(topic)s") % {"topic": label}


def room_summary(room, state: RoomState, pinned: dict | None) -> dict:
    video = None
    if room.session_id and room.session.video_url:
        video = {"provider": room.session.get_video_provider_display(), "url": room.session.video_url}
    return {
        "id": room.pk,
        "title": room_title(room),
        "state": str(state),
        "opens_at": timestamp(room.opens_at),
        "ends_at": timestamp(room.ends_at),
        "premoderation": room.questions_premoderated,
        "pinned": pinned,
        "video": video,
    }


def error(code: str, detail: str, **extra) -> dict:
    return {"type": "error", "code": code, "detail": str(detail), **extra}
