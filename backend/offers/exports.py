"""CSV exports that open as they should in Excel in French: UTF-8 with a byte-order mark, `;` between cells,
and no cell that a spreadsheet would run as a formula."""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from backend.offers import application_selectors
from backend.offers.rules import iso_week
from backend.schools.models import SchoolClass

BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (CWE-1236); a leading
# apostrophe makes it text again. Tab and carriage return are in the OWASP list too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "%d/%m/%Y"


def csv_safe(value) -> str:
    """The cell as text, neutralised when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Sequence]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return BOM + buffer.getvalue()


def filename(*parts: str) -> str:
    return "-".join(slugify(part) for part in parts if part) + ".csv"


def csv_response(rows: Iterable[Sequence], *, filename: str) -> HttpResponse:
    """A download of `rows` (the first being the header row)."""
    response = HttpResponse(csv_text(rows).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def last_weekday(schedule: dict) -> int:
    """The last day of presence in a week (ISO number, 5 for Friday when the schedule says nothing)."""
    days = [int(day) for day, ranges in (schedule or {}).items() if ranges and str(day).isdigit()]
    return max(days, default=5)


def class_applications_rows(school_class: SchoolClass) -> list[list[str]]:
    """Every application of the class's pupils: who, where, its state and its week (the retained week's dates,
    or the weeks asked for while none is retained)."""
    rows = [
        [
            _("Élève"),
            _("Offre"),
            _("Structure"),
            _("Commune"),
            _("État"),
            _("Semaine"),
            _("Du"),
            _("Au"),
            _("Candidature envoyée le"),
        ]
    ]
    for application in application_selectors.class_applications(school_class):
        offer = application.offer
        week = application.week
        if week is not None:
            weeks = iso_week(week.week_start)
            start = week.week_start.strftime(DATE_FORMAT)
            end = (week.week_start + datetime.timedelta(days=last_weekday(offer.schedule) - 1)).strftime(DATE_FORMAT)
        else:
            weeks = ", ".join(iso_week(asked.week_start) for asked in application.weeks.all())
            start = end = ""
        rows.append(
            [
                application.pupil.get_full_name(),
                offer.title,
                offer.organisation.name,
                offer.commune.name if offer.commune else _("À distance"),
                application.get_status_display(),
                weeks,
                start,
                end,
                timezone.localtime(application.created_at).strftime(DATE_FORMAT),
            ]
        )
    return rows
