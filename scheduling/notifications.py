"""Who is told what when a booking or a session changes: e-mails with an .ics attached (METHOD:REQUEST on a
confirmation, METHOD:CANCEL on a cancellation). Pupils usually have no e-mail address: their teacher is told.

The services call these functions after their transaction commits (`transaction.on_commit`); each one is safe to
call once per change.
"""


def booking_booked(booking) -> None:
    """A pupil booked a tutoring slot: the tutor, the pupil (or her teacher) are told."""


def booking_cancelled(booking, *, by) -> None:
    """A tutoring booking was cancelled by `by` (the pupil, the tutor or staff), with `booking.cancel_reason`."""


def booking_rescheduled(old, new, *, by) -> None:
    """A tutoring booking moved: `old` is cancelled, `new` is booked."""


def session_booking_changed(session_booking, *, by) -> None:
    """A class or pupil booking of a discovery session was made, confirmed, waitlisted, declined or cancelled."""


def session_changed(session, *, by) -> None:
    """A discovery session's time, link or state changed (cancellation included): everyone taking part is told."""
