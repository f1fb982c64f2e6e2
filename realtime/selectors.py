"""Reads for live rooms: history by sequence number (resume and pages), the participants' restrictions, the live
session tools, the rooms a person may enter, the moderation queue and what the retention job empties."""

import dataclasses
import datetime
import time

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.enums import MembershipStatus
from backend.organisations.enums import AssociationRole
from backend.organisations.models import AssociationMembership
from backend.schools.models import Enrolment, SchoolClass
from realtime import frames
from realtime.enums import ModerationKind, QuestionStatus, RoomState
from realtime.models import (
    PRESENCE_TTL,
    ROOM_OPENS_BEFORE,
    FilteredWord,
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
    room_state,
)
from scheduling.enums import BookingStatus, SessionBookingStatus, SessionStatus
from scheduling.models import AvailabilitySettings, Booking, DiscoverySession, SessionBooking
from scheduling.permissions import staffed_association_ids

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


def muted_user_ids(room: Room) -> list[int]:
    """Who is muted in the room now (their latest mute or unmute is a mute), for the moderators."""
    latest = {}
    actions = ModerationAction.objects.filter(
        room=room, action__in=(ModerationKind.MUTE, ModerationKind.UNMUTE), target_user__isnull=False
    ).order_by("created_at", "pk")
    for user_id, action in actions.values_list("target_user_id", "action"):
        latest[user_id] = action
    return sorted(user_id for user_id, action in latest.items() if action == ModerationKind.MUTE)


def is_removed(room: Room, user) -> bool:
    return ModerationAction.objects.filter(room=room, target_user=user, action=ModerationKind.REMOVE).exists()


def moderation_log(room: Room):
    return ModerationAction.objects.filter(room=room).select_related("actor", "target_user", "target_message")


# The staff's word list is read on every pupil's message: each process keeps it for a while (a change made in the
# admin is seen at once by the process that made it, by the others within the delay).
FILTERED_WORDS_TTL = 30.0
_filtered_words: tuple[float, list[str]] | None = None


def filtered_words() -> list[str]:
    """The staff's list of words masked in pupils' messages."""
    global _filtered_words
    now = time.monotonic()
    if _filtered_words is None or now - _filtered_words[0] > FILTERED_WORDS_TTL:
        _filtered_words = (now, list(FilteredWord.objects.values_list("word", flat=True)))
    return _filtered_words[1]


def forget_filtered_words() -> None:
    global _filtered_words
    _filtered_words = None


# --- Live session tools --------------------------------------------------------------------------------------------


def present(room: Room, now=None) -> list[Presence]:
    """Who is here: one row per person with a fresh connection (the earliest one), oldest first."""
    now = now or timezone.now()
    rows = (
        Presence.objects.filter(room=room, seen_at__gte=now - PRESENCE_TTL)
        .select_related("user__pupil_profile")
        .order_by("joined_at", "pk")
    )
    people = {}
    for row in rows:
        people.setdefault(row.user_id, row)
    return list(people.values())


def raised_hands(room: Room) -> list[RaisedHand]:
    return list(RaisedHand.objects.filter(room=room).select_related("user__pupil_profile").order_by("raised_at", "pk"))


def visible_questions(room: Room, user, *, moderator: bool) -> list[Question]:
    """Approved and answered questions for everyone; moderators also see the waiting and set-aside ones, and an
    author her own."""
    queryset = Question.objects.filter(room=room).select_related("author__pupil_profile")
    if not moderator:
        public = Q(status__in=(QuestionStatus.APPROVED, QuestionStatus.ANSWERED))
        queryset = queryset.filter(public | Q(author=user))
    return list(queryset.order_by("created_at", "pk"))


def polls_with_results(room: Room, poll_id: int | None = None) -> list[tuple[Poll, list[tuple[PollOption, int]]]]:
    """The room's polls (or one), each with its options and their vote counts, in two queries."""
    polls = Poll.objects.filter(room=room).order_by("created_at", "pk")
    if poll_id is not None:
        polls = polls.filter(pk=poll_id)
    polls = list(polls.prefetch_related("options"))
    counts = dict(
        PollVote.objects.filter(poll__in=polls).values("option").annotate(n=Count("pk")).values_list("option", "n")
    )
    return [(poll, [(option, counts.get(option.pk, 0)) for option in poll.options.all()]) for poll in polls]


# --- Lists, moderation queue, retention ----------------------------------------------------------------------------
# Rooms are created on first use, so "the rooms a person may enter" are the sessions and bookings behind them. These
# queries mirror `realtime.permissions.can_enter` and `can_moderate` (tests/realtime/test_lists.py checks that every
# room listed is one the person may enter).

# Each group of the list shows at most this many rooms (platform staff could otherwise list every session).
ROOM_LIST_LIMIT = 100


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def _taught_classes(user):
    """Classes `user` teaches in a school where she is confirmed staff (as `class_teachers` counts them)."""
    return SchoolClass.objects.filter(
        teachers=user, school__staff__user=user, school__staff__status=MembershipStatus.CONFIRMED
    ).values("pk")


def _session_ids_taken_part_in(user):
    """Sessions `user` takes part in through a confirmed booking: her own or her class's (pupils), her classes'
    (teachers)."""
    confirmed = SessionBooking.objects.filter(status=SessionBookingStatus.CONFIRMED)
    if user.is_pupil:
        classes = Enrolment.objects.filter(pupil=user, left_at__isnull=True).values("school_class_id")
        return confirmed.filter(Q(pupil=user) | Q(school_class__in=classes)).values("session_id")
    return confirmed.filter(school_class__in=_taught_classes(user)).values("session_id")


def _sessions_entered_q(user) -> Q:
    """Sessions whose room `user` may enter (see `can_enter`)."""
    if user.is_staff:
        return Q()
    speaking = DiscoverySession.objects.filter(Q(professionals=user) | Q(facilitators=user)).values("pk")
    return (
        Q(association_id__in=staffed_association_ids(user))
        | Q(pk__in=speaking)
        | Q(pk__in=_session_ids_taken_part_in(user))
    )


def _sessions_moderated_q(user) -> Q:
    """Sessions whose room `user` moderates (see `can_moderate`)."""
    if user.is_staff:
        return Q()
    facilitating = DiscoverySession.objects.filter(facilitators=user).values("pk")
    return (
        Q(association_id__in=staffed_association_ids(user))
        | Q(pk__in=facilitating)
        | Q(pk__in=_session_ids_taken_part_in(user))
    )


def _tutors_supervised_by(association_ids) -> Q:
    """Bookings of a tutor whose tutoring one of these associations watches over (`tutor_associations`: the
    association chosen in his settings, else those he is a confirmed tutor of)."""
    chosen = AvailabilitySettings.objects.filter(association_id__in=association_ids).values("user_id")
    has_chosen = AvailabilitySettings.objects.filter(association__isnull=False).values("user_id")
    members = AssociationMembership.objects.filter(
        association_id__in=association_ids, role=AssociationRole.TUTOR, status=MembershipStatus.CONFIRMED
    ).values("user_id")
    return Q(slot__tutor_id__in=chosen) | (Q(slot__tutor_id__in=members) & ~Q(slot__tutor_id__in=has_chosen))


def _bookings_supervised_q(user) -> Q:
    """Bookings `user` watches over: her current pupils' (teachers) and her association's tutors' (staff)."""
    pupils = Enrolment.objects.filter(left_at__isnull=True, school_class__in=_taught_classes(user)).values("pupil_id")
    supervised = Q(pupil_id__in=pupils)
    association_ids = staffed_association_ids(user)
    if association_ids:
        supervised |= _tutors_supervised_by(association_ids)
    return supervised


def _bookings_entered_q(user) -> Q:
    """Bookings whose room `user` may enter: the pupil, the tutor, the supervising adults, platform staff."""
    if user.is_pupil:
        return Q(pupil=user)
    return Q(slot__tutor=user) | _bookings_supervised_q(user)


def _bookings_moderated_q(user) -> Q:
    """Never the tutor alone (`can_moderate`), even when he also belongs to the association's staff."""
    return _bookings_supervised_q(user) & ~Q(slot__tutor=user)


def _moderated_rooms(user):
    """The rooms (already created) that `user` moderates; none for pupils and anonymous people."""
    if not _signed_in(user) or user.is_pupil:
        return Room.objects.none()
    sessions = DiscoverySession.objects.filter(_sessions_moderated_q(user)).values("pk")
    bookings = Booking.objects.filter(_bookings_moderated_q(user)).values("pk")
    return Room.objects.filter(Q(session__in=sessions) | Q(booking__in=bookings))


def moderated_room_ids(user, room_ids) -> set[int]:
    """Which of these rooms `user` moderates (one query, for links to their moderation log)."""
    room_ids = [room_id for room_id in room_ids if room_id is not None]
    if not room_ids:
        return set()
    return set(_moderated_rooms(user).filter(pk__in=room_ids).values_list("pk", flat=True))


def moderates_any_room(user) -> bool:
    """Whether the moderation queue concerns `user`: platform staff, association staff, facilitators, teachers."""
    if not _signed_in(user) or user.is_pupil:
        return False
    return (
        user.is_staff
        or bool(staffed_association_ids(user))
        or DiscoverySession.objects.filter(facilitators=user).exists()
        or _taught_classes(user).exists()
    )


@dataclasses.dataclass
class RoomEntry:
    """A room one may enter, whether or not it was created yet."""

    kind: str  # "session" or "booking"
    object_id: int
    title: str
    detail: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    state: str  # a `RoomState`
    cancelled: bool
    room_id: int | None
    moderator: bool = False

    @property
    def opens_at(self) -> datetime.datetime:
        return self.starts_at - ROOM_OPENS_BEFORE

    @property
    def state_label(self) -> str:
        return RoomState(self.state).label


@dataclasses.dataclass
class RoomLists:
    current: list[RoomEntry]
    upcoming: list[RoomEntry]
    ended: list[RoomEntry]

    def __bool__(self) -> bool:
        return bool(self.current or self.upcoming or self.ended)


def _room_of(obj):
    try:
        return obj.room
    except Room.DoesNotExist:
        return None


def _session_entry(session, now) -> RoomEntry:
    room = _room_of(session)
    cancelled = session.status == SessionStatus.CANCELLED
    return RoomEntry(
        kind="session",
        object_id=session.pk,
        title=session.title,
        detail=_("Séquence de découverte · %(organisation)s") % {"organisation": session.host_organisation.name},
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        state=room_state(
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            cancelled=cancelled,
            locked=room is not None and room.locked_at is not None,
            now=now,
        ),
        cancelled=cancelled,
        room_id=room.pk if room else None,
    )


def _booking_entry(booking, now) -> RoomEntry:
    room = _room_of(booking)
    cancelled = booking.status == BookingStatus.CANCELLED
    return RoomEntry(
        kind="booking",
        object_id=booking.pk,
        title=frames.tutoring_title(booking),
        detail=_("%(pupil)s avec %(tutor)s")
        % {"pupil": booking.pupil.display_name, "tutor": booking.slot.tutor.display_name},
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        state=room_state(
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            cancelled=cancelled,
            locked=room is not None and room.locked_at is not None,
            now=now,
        ),
        cancelled=cancelled,
        room_id=room.pk if room else None,
    )


def retention_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """Rooms that ended before this moment have lost their transcript (`REALTIME_RETENTION_DAYS`)."""
    return (now or timezone.now()) - datetime.timedelta(days=settings.REALTIME_RETENTION_DAYS)


def rooms_for(user, *, now: datetime.datetime | None = None) -> RoomLists:
    """The rooms `user` may enter, grouped: under way (open or locked), to come, ended (or cancelled, while their
    transcript is kept). A teacher sees every room of her classes: their sessions and her pupils' tutoring. Rooms a
    moderator removed her from are left out. At most `ROOM_LIST_LIMIT` per group, the nearest first."""
    now = now or timezone.now()
    lists = RoomLists(current=[], upcoming=[], ended=[])
    if not _signed_in(user):
        return lists
    cutoff = retention_cutoff(now)
    removed = ModerationAction.objects.filter(target_user=user, action=ModerationKind.REMOVE).values("room_id")
    # A cancelled session or booking stays listed only when its room holds a transcript.
    sessions = (
        DiscoverySession.objects.filter(_sessions_entered_q(user))
        .exclude(status=SessionStatus.DRAFT)
        .exclude(Q(status=SessionStatus.CANCELLED) & Q(room__isnull=True))
        .exclude(room__in=removed)
        .filter(ends_at__gte=cutoff)
        .select_related("host_organisation", "room")
    )
    bookings = (
        Booking.objects.filter(_bookings_entered_q(user))
        .exclude(Q(status=BookingStatus.CANCELLED) & Q(room__isnull=True))
        .exclude(room__in=removed)
        .filter(ends_at__gte=cutoff)
        .select_related("pupil__pupil_profile", "slot__tutor__pupil_profile", "room")
    )
    entries = [
        *(_session_entry(s, now) for s in sessions.filter(ends_at__gt=now).order_by("starts_at")[:ROOM_LIST_LIMIT]),
        *(_session_entry(s, now) for s in sessions.filter(ends_at__lte=now).order_by("-ends_at")[:ROOM_LIST_LIMIT]),
        *(_booking_entry(b, now) for b in bookings.filter(ends_at__gt=now).order_by("starts_at")[:ROOM_LIST_LIMIT]),
        *(_booking_entry(b, now) for b in bookings.filter(ends_at__lte=now).order_by("-ends_at")[:ROOM_LIST_LIMIT]),
    ]
    moderated = moderated_room_ids(user, [entry.room_id for entry in entries])
    for entry in entries:
        entry.moderator = entry.room_id in moderated
        if entry.state == RoomState.CLOSED:
            lists.ended.append(entry)
        elif entry.state == RoomState.NOT_YET_OPEN:
            lists.upcoming.append(entry)
        else:
            lists.current.append(entry)
    lists.current.sort(key=lambda entry: (entry.starts_at, entry.kind, entry.object_id))
    lists.upcoming = sorted(lists.upcoming, key=lambda entry: (entry.starts_at, entry.kind, entry.object_id))
    lists.upcoming = lists.upcoming[:ROOM_LIST_LIMIT]
    lists.ended = sorted(lists.ended, key=lambda entry: (entry.ends_at, entry.kind, entry.object_id), reverse=True)
    lists.ended = lists.ended[:ROOM_LIST_LIMIT]
    return lists


def _reports(user):
    return (
        Report.objects.filter(message__room__in=_moderated_rooms(user))
        .select_related(
            "reporter__pupil_profile",
            "resolved_by__pupil_profile",
            "message__author__pupil_profile",
            "message__room__session__host_organisation",
            "message__room__booking__pupil__pupil_profile",
            "message__room__booking__slot__tutor__pupil_profile",
        )
        .order_by("created_at", "pk")
    )


def reports_for(user):
    """Open reports a moderator may handle: platform staff, the staff of the room's association, the classes'
    teachers, the session's facilitators (for tutoring: the pupil's teachers and the association's staff). Oldest
    first."""
    return _reports(user).filter(resolved_at__isnull=True)


def resolved_reports_for(user, *, since: datetime.datetime):
    """Reports of the same rooms resolved since `since`, the latest first."""
    return _reports(user).filter(resolved_at__gte=since).order_by("-resolved_at", "-pk")


def rooms_past_retention(*, now: datetime.datetime | None = None):
    """Rooms that ended more than `REALTIME_RETENTION_DAYS` ago and still hold part of a transcript (messages,
    questions, polls, raised hands, presences): what the retention job empties. A cancelled room counts from its
    planned end."""
    cutoff = retention_cutoff(now)
    holds_something = (
        Exists(Message.objects.filter(room=OuterRef("pk")))
        | Exists(Question.objects.filter(room=OuterRef("pk")))
        | Exists(Poll.objects.filter(room=OuterRef("pk")))
        | Exists(RaisedHand.objects.filter(room=OuterRef("pk")))
        | Exists(Presence.objects.filter(room=OuterRef("pk")))
    )
    return (
        Room.objects.filter(Q(session__ends_at__lt=cutoff) | Q(booking__ends_at__lt=cutoff))
        .filter(holds_something)
        .order_by("pk")
    )
