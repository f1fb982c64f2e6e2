"""`{% attendance_link session as roll %}` for the session's page (whose view knows nothing of the roll): None
before the start, for a session not published, or for somebody who does not take the roll; otherwise
`{"recorded", "called", "present", "total", "open"}` over the bookings whose roll the reader takes, for a link
"Faire l'appel" / "Corriger l'appel" / "Voir les présences" and "12 présents sur 25"."""

from django import template
from django.utils import timezone

from scheduling import attendance
from scheduling.enums import SessionStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def attendance_link(context, session):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or session.status != SessionStatus.PUBLISHED or timezone.now() < session.starts_at:
        return None
    if not attendance.may_take_roll(user, session):
        return None
    rolls = attendance.booking_rolls(session, attendance.rollable_bookings(user, session))
    return {
        "recorded": any(roll.recorded for roll in rolls),
        "called": any(roll.called for roll in rolls),
        "present": sum(roll.present for roll in rolls),
        "total": sum(roll.total for roll in rolls),
        "open": attendance.roll_state(session) == attendance.ROLL_OPEN,
    }
