"""A teacher's follow-up of her class: the page, its CSV and XLSX exports, the nudge she sends a pupil, and the
pupil's "J'ai vu". A class one may not follow is a 404, whatever the reason (not hers, archived, unknown)."""

import io

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from backend.accounts.models import User
from backend.follow_up import class_follow_up as follow_up
from backend.follow_up.models import NudgeKind
from backend.offers.enums import ApplicationStatus
from backend.offers.exports import csv_safe, csv_text

FILTER_PARAMETER = "filtre"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _followed_or_404(request, pk):
    found = follow_up.followed_class(request.user, pk)
    if found is None:
        raise Http404
    return found


def _filter_of(request) -> tuple[str, str]:
    """The filter asked for, and an error message when it is not one of the choices (the page then shows all)."""
    value = request.GET.get(FILTER_PARAMETER, follow_up.Filter.ALL)
    if value in dict(follow_up.FILTER_CHOICES):
        return value, ""
    return follow_up.Filter.ALL, _("Ce filtre n'existe pas : tous les élèves sont affichés.")


def _zone(request) -> str:
    return request.user.time_zone


@require_GET
def class_follow_up(request, pk):
    school_class, can_nudge = _followed_or_404(request, pk)
    chosen, filter_error = _filter_of(request)
    now = timezone.now()
    rows = follow_up.class_rows(school_class, now=now, time_zone=_zone(request))
    shown = follow_up.apply_filter(rows, chosen)
    if can_nudge:
        sent = follow_up.nudged_today([row.pupil.pk for row in shown], now=now)
        for row in shown:
            allowed = follow_up.nudge_kinds_for(row.pupil)
            row.nudge_kinds = [(value, label) for value, label in NudgeKind.choices if value in allowed]
            row.sent_today = sent.get(row.pupil.pk, set())
    query = f"?{FILTER_PARAMETER}={chosen}" if chosen != follow_up.Filter.ALL else ""
    return render(
        request,
        "follow_up/class_follow_up.html",
        {
            "school_class": school_class,
            "rows": shown,
            "summary": follow_up.summary(rows),
            "can_nudge": can_nudge,
            "filter_choices": follow_up.FILTER_CHOICES,
            "filter_parameter": FILTER_PARAMETER,
            "chosen": chosen,
            "filter_error": filter_error,
            "export_query": query,
            "inactive_days": follow_up.INACTIVE_AFTER_DAYS,
            "page_title": _("Suivi de la classe %(name)s") % {"name": school_class.name},
        },
    )


# --- Exports ------------------------------------------------------------------------------------------------------


def export_rows(rows: list[follow_up.PupilRow], *, time_zone: str) -> list[list]:
    """The header and one line per pupil, as on the page; times in the viewer's zone."""
    header = [
        _("Élève"),
        _("Candidatures"),
        *[str(label) for _value, label in ApplicationStatus.choices],
        _("Stage trouvé"),
        _("Semaine de stage"),
        _("Séquences réservées (terminées)"),
        _("Séquences suivies"),
        _("Tutorat réservé"),
        _("Tutorat suivi"),
        _("Vidéos vues"),
        _("Dernière activité"),
        _("Besoin d'aide"),
    ]
    lines = [header]
    with timezone.override(time_zone):
        for row in rows:
            last = timezone.localtime(row.last_activity).strftime("%d/%m/%Y %H:%M") if row.last_activity else ""
            lines.append(
                [
                    row.pupil.display_name,
                    row.applications_total,
                    *[row.applications.get(value, 0) for value in ApplicationStatus.values],
                    _("Oui") if row.has_internship else _("Non"),
                    ", ".join(row.internship_labels) or _("pas encore"),
                    row.sessions_booked,
                    row.sessions_attended,
                    row.tutoring_booked,
                    row.tutoring_attended,
                    row.videos_watched,
                    last or _("jamais"),
                    " ; ".join(row.help_labels) or _("Non"),
                ]
            )
    return lines


def _export(request, pk):
    """The rows of the page with its filter, or a 400 for a filter that does not exist (an export says nothing
    silently)."""
    school_class, _can_nudge = _followed_or_404(request, pk)
    value = request.GET.get(FILTER_PARAMETER, follow_up.Filter.ALL)
    if value not in dict(follow_up.FILTER_CHOICES):
        return school_class, None
    rows = follow_up.class_rows(school_class, time_zone=_zone(request))
    return school_class, export_rows(follow_up.apply_filter(rows, value), time_zone=_zone(request))


def _filename(school_class, extension: str) -> str:
    # Only ASCII letters, digits and hyphens: safe in a header whatever the class is called.
    base = slugify(f"suivi {school_class.name} {school_class.school_year_label}") or "suivi"
    return f"{base}.{extension}"


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _bad_filter() -> HttpResponse:
    return HttpResponseBadRequest(
        _("Ce filtre n'existe pas. Choisissez : %(choices)s.")
        % {"choices": ", ".join(value for value, _label in follow_up.FILTER_CHOICES)},
        content_type="text/plain; charset=utf-8",
    )


@require_GET
def class_export_csv(request, pk):
    school_class, lines = _export(request, pk)
    if lines is None:
        return _bad_filter()
    return _download(
        csv_text(lines).encode("utf-8"),
        content_type="text/csv; charset=utf-8",
        filename=_filename(school_class, "csv"),
    )


def xlsx_bytes(lines: list[list], *, title: str) -> bytes:
    """A workbook of one sheet: the header row in bold and frozen, columns as wide as their content. Text cells
    that a spreadsheet would run as a formula get a leading apostrophe, as in the CSV."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]  # Excel's limit
    for line in lines:
        sheet.append([cell if isinstance(cell, int) else csv_safe(cell) for cell in line])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index in range(1, len(lines[0]) + 1):
        width = max(len(str(line[index - 1])) for line in lines)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@require_GET
def class_export_xlsx(request, pk):
    school_class, lines = _export(request, pk)
    if lines is None:
        return _bad_filter()
    return _download(
        xlsx_bytes(lines, title=_("Suivi %(name)s") % {"name": school_class.name}),
        content_type=XLSX_TYPE,
        filename=_filename(school_class, "xlsx"),
    )


# --- Nudges -------------------------------------------------------------------------------------------------------


@require_POST
def nudge(request, pk, pupil_pk):
    """A teacher sends one of the fixed messages to a pupil of her class; back to the page with a message. A 404
    for a class she does not teach or a pupil who is not (or no longer) in it; nothing is written on a refusal."""
    school_class, can_nudge = _followed_or_404(request, pk)
    if not can_nudge:
        raise Http404
    pupil = get_object_or_404(
        User.objects.select_related("pupil_profile"),
        pk=pupil_pk,
        enrolments__school_class=school_class,
        enrolments__left_at__isnull=True,
    )
    try:
        follow_up.nudge_send(
            school_class=school_class, pupil=pupil, sent_by=request.user, kind=request.POST.get("kind")
        )
    except follow_up.NudgeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Message envoyé à %(name)s : « %(kind)s ».")
            % {"name": pupil.display_name, "kind": NudgeKind(request.POST["kind"]).label},
        )
    target = redirect("follow_up:class_follow_up", pk=school_class.pk)
    chosen = request.POST.get(FILTER_PARAMETER)
    if chosen in dict(follow_up.FILTER_CHOICES) and chosen != follow_up.Filter.ALL:
        target["Location"] += f"?{FILTER_PARAMETER}={chosen}"
    target["Location"] += f"#eleve-{pupil.pk}"
    return target


@require_POST
def nudge_seen(request, pk):
    """The pupil marks her own nudge seen; a 404 for anyone else's."""
    if follow_up.nudge_mark_seen(nudge_id=pk, pupil=request.user) is None:
        raise Http404
    messages.success(request, _("C'est noté !"))
    return redirect("ui:home")
