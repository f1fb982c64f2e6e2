"""Moderators' pages: a room's moderation log and the queue of reported messages.

The queue is for the supervising adults — platform staff, the staff of the room's association, the classes'
teachers, the sessions' facilitators (`realtime.selectors.reports_for`); each report is resolved through
`realtime.services.report_resolve` after `realtime.permissions.can_moderate` agreed."""

import dataclasses
import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from realtime import permissions, selectors, services
from realtime.enums import ModerationKind, ReportResolution
from realtime.models import Message, Report, Room

RESOLVED_SHOWN_DAYS = 30
LOG_PAGE_SIZE = 100


def room_title(room: Room) -> str:
    if room.session_id:
        return room.session.title
    booking = room.booking
    return _("Tutorat de %(pupil)s avec %(tutor)s") % {
        "pupil": booking.pupil.display_name,
        "tutor": booking.slot.tutor.display_name,
    }


MESSAGE_ACTIONS = {
    ModerationKind.DELETE_MESSAGE,
    ModerationKind.PIN_MESSAGE,
    ModerationKind.UNPIN_MESSAGE,
    ModerationKind.DISMISS_REPORT,
}
QUESTION_ACTIONS = {ModerationKind.APPROVE_QUESTION, ModerationKind.REJECT_QUESTION}
ROOM_ACTIONS = {ModerationKind.LOCK, ModerationKind.UNLOCK, ModerationKind.PREMODERATION}


def _log_targets(action) -> list[str]:
    """What a log row aimed at, in words. After the retention job, its message or question is gone (null)."""
    lines = []
    if action.target_message is not None:
        message = action.target_message
        lines.append(
            _("Message n° %(seq)s : « %(body)s »") % {"seq": message.seq, "body": Truncator(message.body).chars(80)}
        )
    elif action.action in MESSAGE_ACTIONS:
        lines.append(_("Message effacé avec la discussion"))
    if action.target_question is not None:
        lines.append(_("Question : « %(body)s »") % {"body": Truncator(action.target_question.body).chars(80)})
    elif action.action in QUESTION_ACTIONS:
        lines.append(_("Question effacée avec la discussion"))
    if action.target_user is not None:
        lines.append(action.target_user.display_name)
    if action.action in ROOM_ACTIONS:
        lines.append(_("Le salon"))
    return lines


def room_log(request, room_id):
    """Who did what, when, to which message or participant, and why — for the room's moderators only."""
    room = get_object_or_404(
        Room.objects.select_related("session", "booking__pupil__pupil_profile", "booking__slot__tutor__pupil_profile"),
        pk=room_id,
    )
    if not permissions.can_moderate(request.user, room):
        raise PermissionDenied
    actions = (
        selectors.moderation_log(room)
        .select_related("actor__pupil_profile", "target_user__pupil_profile", "target_message", "target_question")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(actions, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    for action in page.object_list:
        action.target_lines = _log_targets(action)
    title = room_title(room)
    return render(
        request,
        "realtime/room_log.html",
        {
            "room": room,
            "room_title": title,
            "page": page,
            "page_title": _("Journal de modération : %(room)s") % {"room": title},
        },
    )


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        choices=ReportResolution.choices,
        error_messages={
            "required": gettext_lazy("Choisissez la suite à donner au signalement."),
            "invalid_choice": gettext_lazy("Suite inconnue pour ce signalement."),
        },
    )
    reason = forms.CharField(
        required=False,
        max_length=services.MAX_REASON_LENGTH,
        error_messages={
            "max_length": gettext_lazy("Le motif est trop long : %(limit_value)d caractères au plus."),
        },
    )


@dataclasses.dataclass
class ReportedMessage:
    """A message with its open reports: the moderator decides once for all of them."""

    message: Message
    reports: list
    room_title: str
    author_name: str

    @property
    def first_report(self) -> Report:
        return self.reports[0]


def _author_name(message: Message) -> str:
    return message.author.display_name if message.author else _("Compte supprimé")


def report_queue(request):
    """Open reports grouped by message, the oldest first, each with the message, who reported it and why; below,
    the reports resolved in the last 30 days."""
    if not selectors.moderates_any_room(request.user):
        raise PermissionDenied
    since = timezone.now() - datetime.timedelta(days=RESOLVED_SHOWN_DAYS)
    reported: dict[int, ReportedMessage] = {}
    for report in selectors.reports_for(request.user):
        message = report.message
        if message.pk not in reported:
            reported[message.pk] = ReportedMessage(message, [], room_title(message.room), _author_name(message))
        reported[message.pk].reports.append(report)
    resolved = list(selectors.resolved_reports_for(request.user, since=since)[:200])
    for report in resolved:
        report.room_title = room_title(report.message.room)
        report.author_name = _author_name(report.message)
    return render(
        request,
        "realtime/reports.html",
        {
            "reported_messages": list(reported.values()),
            "open_count": sum(len(item.reports) for item in reported.values()),
            "resolved_reports": resolved,
            "resolved_days": RESOLVED_SHOWN_DAYS,
            "reason_limit": services.MAX_REASON_LENGTH,
            "page_title": _("Signalements à traiter"),
        },
    )


@require_POST
def report_resolve(request, report_id):
    """Delete the reported message (which resolves every open report of it) or dismiss the report, with the other
    open reports of the same message: the moderator judged the message once. Any refusal comes back as a message on
    the queue, and then nothing has changed."""
    if not selectors.moderates_any_room(request.user):
        raise PermissionDenied
    report = (
        Report.objects.select_related("message__room__session", "message__room__booking__slot")
        .filter(pk=report_id)
        .first()
    )
    if report is None or not permissions.can_moderate(request.user, report.message.room):
        messages.error(request, _("Ce signalement n'existe pas ou ne relève pas de vous."))
        return redirect("realtime:reports")
    form = ResolveForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("realtime:reports")
    resolution, reason = form.cleaned_data["resolution"], form.cleaned_data["reason"]
    try:
        with transaction.atomic():
            services.report_resolve(report=report, actor=request.user, resolution=resolution, reason=reason)
            if resolution == ReportResolution.DISMISSED:
                others = Report.objects.filter(message=report.message, resolved_at__isnull=True)
                for other in others.order_by("pk"):
                    services.report_resolve(report=other, actor=request.user, resolution=resolution, reason=reason)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("realtime:reports")
    if resolution == ReportResolution.DELETED:
        messages.success(request, _("Le message est supprimé ; ses signalements sont traités."))
    else:
        messages.success(request, _("Le signalement est classé sans suite ; le message reste en place."))
    return redirect("realtime:reports")
