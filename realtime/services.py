"""Writes for live rooms: rooms, messages and moderation.

Every function is keyword-only and raises `django.core.exceptions.ValidationError` with translated French
messages when a rule refuses the operation (nothing is written then). Whether the person may enter or moderate
the room is the caller's job (`realtime.permissions`); when a room takes messages, how long they may be and who is
muted are rules, and live here.

Sequence numbers: `message_post` moves `Room.next_seq` on with one `UPDATE … RETURNING`, which locks the room's row
for its transaction, so two concurrent posts get n and n + 1 — never the same number, never a gap (a refused post
rolls back and leaves the counter untouched). Other writes lock the row with `SELECT … FOR UPDATE`. The unique
constraints on (room, seq) and on (room, author, client_id) back this up in the database.
"""

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from realtime import filters, selectors
from realtime.enums import MaskedKind, ModerationKind, QuestionStatus, ReportResolution, RoomState
from realtime.models import (
    PRESENCE_TTL,
    Message,
    ModerationAction,
    Poll,
    PollOption,
    PollVote,
    Presence,
    Question,
    RaisedHand,
    Report,
    Room,
)

logger = logging.getLogger(__name__)

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


def _filtered(author, body: str) -> tuple[str, list[str]]:
    """A pupil's text with contact details masked, and the kinds masked; adults' text as written."""
    if not getattr(author, "is_pupil", False):
        return body, []
    filtered = filters.mask_contact_details(body, extra_words=selectors.filtered_words())
    return filtered.text, _clean_masked(filtered.masked)


def _refuse_if_muted(room: Room, user) -> None:
    if selectors.is_muted(room, user):
        raise ValidationError(_("Un modérateur vous a retiré la parole dans ce salon."), code="muted")


def message_post(
    *, room: Room, author, body, client_id, now: datetime.datetime | None = None, before_store=None
) -> tuple[Message, bool]:
    """Store a message with the room's next sequence number; `(message, True)` when stored now.

    A pupil's message goes through the contact filter first (`realtime.filters`: phone numbers, e-mail addresses,
    links, social handles, street addresses and the staff's word list are masked); `message.masked` keeps the kinds
    found, for the author (`filters.reason_for`) and the moderators. A resend (same author, same `client_id`)
    returns the message stored the first time, `(message, False)`, even once the room has closed: the client only
    missed the acknowledgement.

    Refused: an empty or too long body (`REALTIME_MAX_MESSAGE_LENGTH`, 1,000 characters by default), a missing or
    malformed `client_id`, a room not yet open, closed or locked, a muted author. `before_store()`, when given, runs
    just before a new message is stored (not for a resend) and may refuse it by raising (the consumer counts the
    person's rate there)."""
    now = now or timezone.now()
    client_id = _clean_client_id(client_id)
    body = _clean_body(body)
    body, masked = _filtered(author, body)
    try:
        with transaction.atomic():
            seq = _take_seq(room)
            _refuse_unless_open(room, now)
            _refuse_if_muted(room, author)
            if before_store is not None:
                before_store()
            message = Message.objects.create(
                room=room, seq=seq, author=author, body=body, client_id=client_id, created_at=now, masked=masked
            )
    except Exception:
        # Whatever refused it (the room closed meanwhile, the rate, the unique client_id of a resend), a message
        # already stored under this client_id is what the client is asking about: acknowledge it again.
        existing = Message.objects.filter(room=room, author=author, client_id=client_id).first()
        if existing is None:
            raise
        return existing, False
    return message, True


def _take_seq(room: Room) -> int:
    """Move the room's counter on and return the number taken, in one statement that also locks the room's row
    until the end of the transaction (concurrent posts wait here, and take n + 1). Refreshes `room.locked_at`, which
    the state check reads, from the locked row."""
    table = connection.ops.quote_name(Room._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET next_seq = next_seq + 1 WHERE id = %s RETURNING next_seq - 1, locked_at",  # noqa: S608
            [room.pk],
        )
        seq, locked_at = cursor.fetchone()
    if isinstance(locked_at, str):  # SQLite hands RETURNING values back untyped
        locked_at = Room._meta.get_field("locked_at").to_python(locked_at)
    room.locked_at = locked_at
    room.next_seq = seq + 1
    return seq


# --- Moderation ----------------------------------------------------------------------------------------------------


def _clean_reason(reason) -> str:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(
            _("Le motif est trop long : %(limit)d caractères au plus.") % {"limit": MAX_REASON_LENGTH}, code="reason"
        )
    return reason


def _log(
    *, room, actor, action, now, reason="", target_message=None, target_user=None, target_question=None
) -> ModerationAction:
    return ModerationAction.objects.create(
        room=room,
        actor=actor,
        action=action,
        target_message=target_message,
        target_user=target_user,
        target_question=target_question,
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
            Room.objects.filter(pk=message.room_id, pinned_message=message).update(pinned_message=None)
            Report.objects.filter(message=message, resolved_at__isnull=True).update(
                resolved_at=now, resolved_by=actor, resolution=ReportResolution.DELETED
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
        if action == ModerationKind.REMOVE:
            RaisedHand.objects.filter(room=room, user=user).delete()
        return _log(room=room, actor=actor, action=action, now=now, reason=reason, target_user=user)


def message_pin(*, room: Room, actor, message: Message | None, now: datetime.datetime | None = None) -> Room:
    """Pin a message on top of the room (replacing the one pinned before), or unpin with `message=None`."""
    now = now or timezone.now()
    with transaction.atomic():
        room = _locked(room)
        if message is not None:
            message = Message.objects.filter(pk=message.pk, room=room).first()
            if message is None:
                raise ValidationError(_("Ce message n'est pas dans ce salon."), code="not_found")
            if message.is_deleted:
                raise ValidationError(_("Un message supprimé ne peut pas être épinglé."), code="invalid")
        if room.pinned_message_id == getattr(message, "pk", None):
            return room
        room.pinned_message = message
        room.save(update_fields=["pinned_message"])
        _log(
            room=room,
            actor=actor,
            action=ModerationKind.PIN_MESSAGE if message else ModerationKind.UNPIN_MESSAGE,
            now=now,
            target_message=message,
        )
    return room


def premoderation_set(*, room: Room, actor, enabled: bool, now: datetime.datetime | None = None) -> Room:
    """Switch the approval of pupils' questions on or off (questions already waiting keep waiting)."""
    now = now or timezone.now()
    with transaction.atomic():
        room = _locked(room)
        if room.questions_premoderated != bool(enabled):
            room.questions_premoderated = bool(enabled)
            room.save(update_fields=["questions_premoderated"])
            _log(
                room=room,
                actor=actor,
                action=ModerationKind.PREMODERATION,
                now=now,
                reason=_("Validation des questions activée") if enabled else _("Validation des questions désactivée"),
            )
    return room


# --- Raised hands --------------------------------------------------------------------------------------------------


def hand_set(*, room: Room, user, raised: bool, now: datetime.datetime | None = None) -> bool:
    """Raise or lower one's own hand; True when something changed. Raising needs the room open and the floor."""
    now = now or timezone.now()
    with transaction.atomic():
        room = _locked(room)
        if not raised:
            return RaisedHand.objects.filter(room=room, user=user).delete()[0] > 0
        _refuse_unless_open(room, now)
        _refuse_if_muted(room, user)
        _hand, created = RaisedHand.objects.get_or_create(room=room, user=user, defaults={"raised_at": now})
        return created


def hand_lower(*, room: Room, actor, user, now: datetime.datetime | None = None) -> bool:
    """A moderator lowers somebody's hand (logged); True when it was raised."""
    now = now or timezone.now()
    with transaction.atomic():
        room = _locked(room)
        if RaisedHand.objects.filter(room=room, user=user).delete()[0] == 0:
            return False
        _log(room=room, actor=actor, action=ModerationKind.LOWER_HAND, now=now, target_user=user)
    return True


# --- Questions -----------------------------------------------------------------------------------------------------


def question_ask(
    *, room: Room, author, body, client_id, now: datetime.datetime | None = None, before_store=None
) -> tuple[Question, bool]:
    """A question to the speakers; `(question, True)` when stored now. A pupil's question goes through the contact
    filter and, when the room pre-moderates, waits for approval; an adult's is approved at once. A resend with
    the same `client_id` returns the question stored the first time."""
    now = now or timezone.now()
    client_id = _clean_client_id(client_id)
    body, masked = _filtered(author, _clean_body(body))
    with transaction.atomic():
        room = _locked(room)
        existing = Question.objects.filter(room=room, author=author, client_id=client_id).first()
        if existing is not None:
            return existing, False
        _refuse_unless_open(room, now)
        _refuse_if_muted(room, author)
        if before_store is not None:
            before_store()
        waits = room.questions_premoderated and getattr(author, "is_pupil", False)
        question = Question.objects.create(
            room=room,
            author=author,
            body=body,
            client_id=client_id,
            masked=masked,
            status=QuestionStatus.PENDING if waits else QuestionStatus.APPROVED,
            created_at=now,
        )
    return question, True


def _locked_question(question: Question) -> Question:
    return Question.objects.select_for_update().get(pk=question.pk)


def question_decide(*, question: Question, actor, approve: bool, now: datetime.datetime | None = None) -> Question:
    """A moderator approves a waiting question (the speakers and the class see it) or sets it aside (only its
    author and the moderators do). Logged."""
    now = now or timezone.now()
    with transaction.atomic():
        _locked(question.room)
        question = _locked_question(question)
        if question.status != QuestionStatus.PENDING:
            raise ValidationError(_("Cette question a déjà été traitée."), code="invalid")
        question.status = QuestionStatus.APPROVED if approve else QuestionStatus.REJECTED
        question.decided_at, question.decided_by = now, actor
        question.save(update_fields=["status", "decided_at", "decided_by"])
        _log(
            room=question.room,
            actor=actor,
            action=ModerationKind.APPROVE_QUESTION if approve else ModerationKind.REJECT_QUESTION,
            now=now,
            target_question=question,
            target_user=question.author,
        )
    return question


def question_answered(*, question: Question, actor, now: datetime.datetime | None = None) -> Question:
    """A speaker marks an approved question answered."""
    with transaction.atomic():
        question = _locked_question(question)
        if question.status == QuestionStatus.ANSWERED:
            return question
        if question.status != QuestionStatus.APPROVED:
            raise ValidationError(_("Seule une question validée peut être marquée comme répondue."), code="invalid")
        question.status = QuestionStatus.ANSWERED
        question.save(update_fields=["status"])
    return question


# --- Polls ---------------------------------------------------------------------------------------------------------

MAX_POLL_QUESTION = 200
MAX_POLL_OPTION = 100
POLL_OPTIONS = (2, 6)


def poll_open(*, room: Room, actor, question, options, now: datetime.datetime | None = None) -> Poll:
    """A poll with 2 to 6 distinct answers, open until a speaker closes it."""
    now = now or timezone.now()
    question = question.strip() if isinstance(question, str) else ""
    if not question:
        raise ValidationError(_("Écrivez la question du sondage."), code="invalid")
    if len(question) > MAX_POLL_QUESTION:
        raise ValidationError(
            _("La question du sondage est trop longue : %(limit)d caractères au plus.") % {"limit": MAX_POLL_QUESTION},
            code="too_long",
        )
    if not isinstance(options, list) or not all(isinstance(option, str) for option in options):
        raise ValidationError(_("Les réponses proposées sont illisibles."), code="invalid")
    labels = [option.strip() for option in options if option.strip()]
    low, high = POLL_OPTIONS
    if not low <= len(labels) <= high:
        raise ValidationError(
            _("Proposez entre %(low)d et %(high)d réponses.") % {"low": low, "high": high}, code="invalid"
        )
    if any(len(label) > MAX_POLL_OPTION for label in labels):
        raise ValidationError(
            _("Une réponse proposée est trop longue : %(limit)d caractères au plus.") % {"limit": MAX_POLL_OPTION},
            code="too_long",
        )
    if len({label.casefold() for label in labels}) != len(labels):
        raise ValidationError(_("Deux réponses proposées sont identiques."), code="invalid")
    with transaction.atomic():
        room = _locked(room)
        _refuse_unless_open(room, now)
        poll = Poll.objects.create(room=room, question=question, created_by=actor, created_at=now)
        PollOption.objects.bulk_create(
            PollOption(poll=poll, label=label, position=position) for position, label in enumerate(labels)
        )
    return poll


def poll_vote(*, poll: Poll, voter, option_id, now: datetime.datetime | None = None) -> PollVote:
    """One vote per person; voting again while the poll is open changes the answer."""
    now = now or timezone.now()
    if not isinstance(option_id, int) or isinstance(option_id, bool):
        raise ValidationError(_("Cette réponse n'existe pas dans ce sondage."), code="not_found")
    with transaction.atomic():
        poll = (
            Poll.objects.select_for_update(of=("self",))
            .select_related("room__session", "room__booking")
            .get(pk=poll.pk)
        )
        if poll.closed_at is not None:
            raise ValidationError(_("Ce sondage est clos."), code="closed")
        _refuse_unless_open(poll.room, now)
        option = PollOption.objects.filter(poll=poll, pk=option_id).first()
        if option is None:
            raise ValidationError(_("Cette réponse n'existe pas dans ce sondage."), code="not_found")
        vote, _created = PollVote.objects.update_or_create(
            poll=poll, voter=voter, defaults={"option": option, "voted_at": now}
        )
    return vote


def poll_close(*, poll: Poll, actor, now: datetime.datetime | None = None) -> Poll:
    now = now or timezone.now()
    with transaction.atomic():
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        if poll.closed_at is None:
            poll.closed_at = now
            poll.save(update_fields=["closed_at"])
    return poll


# --- Reports -------------------------------------------------------------------------------------------------------


def report_create(*, message: Message, reporter, reason: str = "", now: datetime.datetime | None = None) -> Report:
    """Anyone in the room may report a message (not their own) to its moderators; reporting it again changes
    nothing."""
    now = now or timezone.now()
    reason = _clean_reason(reason)
    if message.author_id is not None and message.author_id == getattr(reporter, "pk", None):
        raise ValidationError(_("Vous ne pouvez pas signaler votre propre message."), code="invalid")
    if message.is_deleted:
        raise ValidationError(_("Ce message a déjà été supprimé par la modération."), code="invalid")
    report, _created = Report.objects.get_or_create(
        message=message, reporter=reporter, defaults={"reason": reason, "created_at": now}
    )
    return report


def report_resolve(
    *, report: Report, actor, resolution: str, reason: str = "", now: datetime.datetime | None = None
) -> Report:
    """Handle a report: `DELETED` removes the message (logged) and closes every open report of it; `DISMISSED`
    closes this report (logged)."""
    if resolution not in ReportResolution.values:
        raise ValidationError(_("Suite inconnue pour ce signalement."), code="invalid")
    now = now or timezone.now()
    reason = _clean_reason(reason)
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("message__room").get(pk=report.pk)
        if report.resolved_at is not None:
            raise ValidationError(_("Ce signalement a déjà été traité."), code="invalid")
        message = report.message
        if resolution == ReportResolution.DELETED:
            # Closes every open report of the message, this one included.
            message_delete(message=message, actor=actor, reason=reason, now=now)
            report.refresh_from_db()
        else:
            report.resolved_at, report.resolved_by, report.resolution = now, actor, ReportResolution.DISMISSED
            report.save(update_fields=["resolved_at", "resolved_by", "resolution"])
            _log(
                room=message.room,
                actor=actor,
                action=ModerationKind.DISMISS_REPORT,
                now=now,
                reason=reason,
                target_message=message,
                target_user=message.author,
            )
    return report


# --- Presence ------------------------------------------------------------------------------------------------------


def presence_join(*, room: Room, user, channel_name: str, role: str, now: datetime.datetime | None = None) -> bool:
    """Record one connection; True when the person was not here before (on no other fresh connection)."""
    now = now or timezone.now()
    fresh = Presence.objects.filter(room=room, user=user, seen_at__gte=now - PRESENCE_TTL)
    was_here = fresh.exists()
    values = {"room": room, "user": user, "role": role, "joined_at": now, "seen_at": now}
    Presence.objects.update_or_create(channel_name=channel_name, defaults=values)
    # --- attendance ---
    # A pupil who joins a discovery session's room was at the session: scheduling decides whether it counts (her
    # confirmed booking, the session's time) and never lets it override an adult's roll. Tutoring rooms are not
    # concerned (their bookings carry attended / no-show).
    if room.session_id and role == "pupil":
        from scheduling.attendance import attendance_from_room_join

        attendance_from_room_join(session=room.session, pupil=user, now=now)
    # --- end attendance ---
    return not was_here


def presence_touch(*, channel_name: str, now: datetime.datetime | None = None) -> None:
    Presence.objects.filter(channel_name=channel_name).update(seen_at=now or timezone.now())


def presence_leave(*, room: Room, user, channel_name: str, now: datetime.datetime | None = None) -> bool:
    """Forget one connection; True when it was the person's last one in the room."""
    now = now or timezone.now()
    Presence.objects.filter(channel_name=channel_name).delete()
    return not Presence.objects.filter(room=room, user=user, seen_at__gte=now - PRESENCE_TTL).exists()


# --- Retention -----------------------------------------------------------------------------------------------------
# After `REALTIME_RETENTION_DAYS` (90 by default) from the end of a session or a booking, its room loses its
# transcript: messages, questions, polls and their votes, raised hands, presences, and the reports of its messages.
# The `Room` row stays, and so does its moderation log — who did what, when, to whom and why; the message or question
# a log row aimed at becomes null. Running it again finds nothing left to delete.

# What a room's transcript is made of, in the order it is deleted (reports and votes before what they point to).
TRANSCRIPT = {
    "reports": (Report, "message__room_id__in"),
    "votes": (PollVote, "poll__room_id__in"),
    "polls": (Poll, "room_id__in"),
    "messages": (Message, "room_id__in"),
    "questions": (Question, "room_id__in"),
    "hands": (RaisedHand, "room_id__in"),
    "presences": (Presence, "room_id__in"),
}


def _counts(room_ids: list[int]) -> dict[str, int]:
    counts = {"rooms": len(room_ids)}
    for name, (model, lookup) in TRANSCRIPT.items():
        counts[name] = model.objects.filter(**{lookup: room_ids}).count() if room_ids else 0
    return counts


def _purge_room(room_id: int) -> None:
    """One room at a time, each in its own transaction: a failure (retried) leaves every room whole or empty."""
    with transaction.atomic():
        # Under the room's lock, as every write of its messages is.
        Room.objects.select_for_update().filter(pk=room_id).update(pinned_message=None)
        ModerationAction.objects.filter(room_id=room_id).update(target_message=None, target_question=None)
        for model, lookup in TRANSCRIPT.values():  # a poll takes its options with it
            model.objects.filter(**{lookup: [room_id]}).delete()


def transcripts_purge(*, apply: bool = False, now: datetime.datetime | None = None) -> dict[str, int]:
    """Empty the rooms past retention (`realtime.selectors.rooms_past_retention`); with `apply=False`, only count
    what would go. Returns the counts: rooms, reports, votes, polls, messages, questions, hands, presences."""
    room_ids = list(selectors.rooms_past_retention(now=now).values_list("pk", flat=True))
    counts = _counts(room_ids)
    if apply:
        for room_id in room_ids:
            _purge_room(room_id)
        logger.info("realtime retention: transcripts deleted", extra={"counts": counts})
    return counts
