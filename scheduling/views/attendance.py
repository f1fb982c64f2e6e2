"""The roll of a remote discovery session (`/sequences/<pk>/presences/`): the class's teachers take their classes'
roll, the facilitators and the association's staff every confirmed booking's. Before the start the page says
when the roll opens; after the window (`attendance.ROLL_CALL_DAYS`) it only shows what was recorded. Rules and
writes live in `scheduling.attendance`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from scheduling import attendance
from scheduling.models import DiscoverySession


def _render(request, session, bookings, *, status=200):
    now = timezone.now()
    rolls = attendance.booking_rolls(session, bookings)
    state = attendance.roll_state(session, now)
    return render(
        request,
        "scheduling/attendance.html",
        {
            "page_title": _("Présences — %(title)s") % {"title": session.title},
            "session": session,
            "class_rolls": [roll for roll in rolls if roll.booking.school_class_id],
            "own_rolls": [roll for roll in rolls if not roll.booking.school_class_id],
            "editable": state == attendance.ROLL_OPEN and bool(rolls),
            "refusal": attendance.roll_refusal(session, now),
            "closes_at": attendance.roll_closes_at(session),
            "present": sum(roll.present for roll in rolls),
            "total": sum(roll.total for roll in rolls),
            "recorded": any(roll.recorded for roll in rolls),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def session_attendance(request, pk):
    session = get_object_or_404(DiscoverySession.objects.select_related("association"), pk=pk)
    if not attendance.may_take_roll(request.user, session):
        raise Http404
    bookings = attendance.rollable_bookings(request.user, session)
    if request.method == "GET":
        return _render(request, session, bookings)

    mine = {booking.pk: booking for booking in bookings}
    try:
        asked = {int(value) for value in request.POST.getlist("booking")}
    except ValueError:
        asked = None
    if asked is None or not asked:
        messages.error(request, _("Le formulaire d'appel est incomplet : rechargez la page et recommencez."))
        return _render(request, session, bookings, status=400)
    if not asked <= set(mine):
        # A booking of another session, of another class, or not confirmed: not the reader's to record.
        raise Http404
    try:
        present = attendance.attendance_record_roll(
            session=session,
            bookings=[mine[pk] for pk in sorted(asked)],
            present_pupil_ids=request.POST.getlist("present"),
            listed_pupil_ids=request.POST.getlist("pupil"),
            by=request.user,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _render(request, session, bookings, status=400)
    listed = len(set(request.POST.getlist("pupil")))
    messages.success(
        request,
        ngettext(
            "L'appel est enregistré : %(present)s présent sur %(total)s.",
            "L'appel est enregistré : %(present)s présents sur %(total)s.",
            present,
        )
        % {"present": present, "total": listed},
    )
    return redirect("scheduling:session_attendance", session.pk)


urlpatterns = [
    path("sequences/<int:pk>/presences/", session_attendance, name="session_attendance"),
]
