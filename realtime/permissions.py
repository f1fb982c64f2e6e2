"""Who may enter a live room, and who moderates it. Object checks only; closed by default.

A session room: its pupils (a class with a confirmed booking, or a pupil confirmed on her own), the teachers of
those classes, the session's professionals and facilitators, the staff of its association, platform staff. A
tutoring room: the pupil, the tutor, the pupil's teachers and the staff of the tutor's association — not platform
staff: fewer adults read a one-to-one conversation, and its supervisors are there. Nobody else, and never somebody
a moderator removed from the room.
"""

from backend.accounts.enums import MembershipStatus
from backend.schools.selectors import pupil_teachers
from realtime import selectors
from realtime.models import Room
from scheduling.enums import SessionBookingStatus
from scheduling.models import SessionBooking
from scheduling.permissions import staffed_association_ids
from scheduling.selectors import association_staff_of_tutor


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def _is_speaker(user, session) -> bool:
    return session.professionals.filter(pk=user.pk).exists() or session.facilitators.filter(pk=user.pk).exists()


def _takes_part_in_session(user, session) -> bool:
    confirmed = SessionBooking.objects.filter(session=session, status=SessionBookingStatus.CONFIRMED)
    if user.is_pupil:
        return (
            confirmed.filter(pupil=user).exists()
            or confirmed.filter(
                school_class__enrolments__pupil=user, school_class__enrolments__left_at__isnull=True
            ).exists()
        )
    # A teacher of a confirmed class, still confirmed staff of its school.
    return confirmed.filter(
        school_class__teachers=user,
        school_class__school__staff__user=user,
        school_class__school__staff__status=MembershipStatus.CONFIRMED,
    ).exists()


def _session_member(user, session) -> bool:
    if user.is_staff or session.association_id in staffed_association_ids(user):
        return True
    return _is_speaker(user, session) or _takes_part_in_session(user, session)


def _booking_member(user, booking) -> bool:
    if user.pk in (booking.pupil_id, booking.slot.tutor_id):
        return True
    if any(teacher.pk == user.pk for teacher in pupil_teachers(booking.pupil)):
        return True
    return association_staff_of_tutor(booking.slot.tutor).filter(pk=user.pk).exists()


def can_enter(user, room: Room) -> bool:
    """Reading the room and, while it is open, writing in it (the service refuses muted authors)."""
    if not _signed_in(user):
        return False
    member = _session_member(user, room.session) if room.session_id else _booking_member(user, room.booking)
    return member and not selectors.is_removed(room, user)


def can_enter_room_of(user, *, session=None, booking=None) -> bool:
    """`can_enter` for the room of a session or a booking, whether or not the room was created yet."""
    if not _signed_in(user):
        return False
    member = _session_member(user, session) if session is not None else _booking_member(user, booking)
    if not member:
        return False
    room = Room.objects.filter(session=session) if session is not None else Room.objects.filter(booking=booking)
    room = room.first()
    return room is None or not selectors.is_removed(room, user)


def can_moderate(user, room: Room) -> bool:
    """Delete messages, mute or remove participants, lock the room: the supervising adults. For a session, its
    facilitators, the teachers of its classes, its association's staff and platform staff; for tutoring, the
    pupil's teachers and the staff of the tutor's association. Never a pupil, and never the tutor alone."""
    if not _signed_in(user) or user.is_pupil:
        return False
    if room.session_id:
        session = room.session
        if user.is_staff or session.association_id in staffed_association_ids(user):
            return True
        if session.facilitators.filter(pk=user.pk).exists():
            return True
        return _takes_part_in_session(user, session)
    booking = room.booking
    if user.pk == booking.slot.tutor_id:
        return False
    return _booking_member(user, booking)


def role_of(user, room: Room) -> str:
    """How a participant is labelled in the room: pupil, tutor, professional, facilitator, teacher, staff (of the
    association, or platform staff) or adult."""
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
        if association_staff_of_tutor(booking.slot.tutor).filter(pk=user.pk).exists():
            return "staff"
    else:
        session = room.session
        if session.professionals.filter(pk=user.pk).exists():
            return "professional"
        if session.facilitators.filter(pk=user.pk).exists():
            return "facilitator"
        if _takes_part_in_session(user, session):
            return "teacher"
        if session.association_id in staffed_association_ids(user):
            return "staff"
    if user.is_staff:
        return "staff"
    return "adult"


SPEAKER_ROLES = {"professional", "facilitator", "tutor"}


def is_speaker(user, room: Room, *, role: str | None = None, moderator: bool | None = None) -> bool:
    """Opens and closes polls, marks questions answered: the session's professionals and facilitators, the tutor,
    and every moderator. `role` and `moderator` may be passed when the caller knows them already."""
    role = role if role is not None else role_of(user, room)
    if role in SPEAKER_ROLES:
        return True
    return moderator if moderator is not None else can_moderate(user, room)
