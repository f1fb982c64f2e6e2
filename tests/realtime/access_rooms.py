"""Access rules for the live-room URLs (merged into tests/test_permissions.py).

The world's room (`world_rooms`) belongs to a session under way with the world's class confirmed on it: its
participants are the class's pupils, their teacher, the session's professional, the association's staff and
platform staff; its moderators are the supervising adults among them (never the professional alone, never a
pupil). The world's tutoring booking lets in the pupil, the tutor, the pupil's teacher and the staff of the tutor's
association — not platform staff (see realtime/permissions.py)."""

from tests.access import PUPILS, SIGNED_IN, Access

SESSION_PARTICIPANTS = PUPILS | {"teacher", "professional", "association_staff", "platform_staff"}
MODERATORS = {"teacher", "association_staff", "platform_staff"}
BOOKING_PARTICIPANTS = {"pupil", "tutor", "teacher", "association_staff"}


def room_args(world):
    return {"room_id": world["rooms_room"].pk}


ACCESS: dict = {
    # Everybody signed in has a list, empty for those who take part in no room.
    "realtime:list": Access(SIGNED_IN),
    "realtime:room": Access(SESSION_PARTICIPANTS, kwargs=room_args),
    # The room is created on first use, then the page sends its participants there.
    "realtime:session-room": Access(
        SESSION_PARTICIPANTS, ok=302, kwargs=lambda w: {"session_id": w["rooms_session"].pk}
    ),
    "realtime:booking-room": Access(
        BOOKING_PARTICIPANTS, ok=302, kwargs=lambda w: {"booking_id": w["tutoring_booking"].pk}
    ),
    "realtime:room-log": Access(MODERATORS, kwargs=room_args),
    "realtime:reports": Access(MODERATORS),
    # Dismissed, then back to the queue with a message.
    "realtime:report-resolve": Access(
        MODERATORS,
        method="post",
        ok=302,
        data={"resolution": "dismissed"},
        kwargs=lambda w: {"report_id": w["rooms_report"].pk},
    ),
}
