"""How the dashboards count, written once for the association dashboard and the national view.

- **School years**: named by the year of the rentrée (2026 for 2026-2027), from 1 September 00:00 to the next
  1 September 00:00 in Paris. (Classes for the rentrée are created from August: that is
  `backend.schools.services.current_school_year`, a different moment on purpose.)
- **Priority-education kinds** of a pupil's school, in buckets that do not overlap: REP+, then REP, then a QPV
  school outside REP and REP+, then the others; "unknown" when she has no class to tell it (each page says which
  class counts and names that bucket itself).
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy

from backend.schools.enums import Priority

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class SchoolYear:
    start: int  # the year of the rentrée: 2026 for 2026-2027

    @property
    def label(self) -> str:
        return f"{self.start}-{self.start + 1}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.start, 9, 1)

    @property
    def next_first_day(self) -> datetime.date:
        return datetime.date(self.start + 1, 9, 1)

    @property
    def starts_at(self) -> datetime.datetime:
        return datetime.datetime(self.start, 9, 1, tzinfo=PARIS)

    @property
    def ends_at(self) -> datetime.datetime:
        return datetime.datetime(self.start + 1, 9, 1, tzinfo=PARIS)


def school_year_of(moment: datetime.datetime) -> int:
    """The school year (its start year) of an aware moment."""
    local = moment.astimezone(PARIS)
    return local.year if local.month >= 9 else local.year - 1


def current_school_year(now: datetime.datetime | None = None) -> SchoolYear:
    return SchoolYear(school_year_of(now or timezone.now()))


class PriorityKind:
    REP_PLUS = "rep_plus"
    REP = "rep"
    QPV = "qpv"
    NONE = "none"
    UNKNOWN = "unknown"

    ORDER = (REP_PLUS, REP, QPV, NONE, UNKNOWN)
    PRIORITY = (REP_PLUS, REP, QPV)
    # UNKNOWN is named by each page (which class counts differs).
    LABELS = {
        REP_PLUS: gettext_lazy("REP+"),
        REP: gettext_lazy("REP"),
        QPV: gettext_lazy("QPV hors REP et REP+"),
        NONE: gettext_lazy("Hors éducation prioritaire"),
    }


def priority_kind(priority: str | None, qpv: bool | None) -> str:
    """The bucket of a school from its priority-education kind and QPV flag (None: no school known)."""
    if priority is None:
        return PriorityKind.UNKNOWN
    if priority == Priority.REP_PLUS:
        return PriorityKind.REP_PLUS
    if priority == Priority.REP:
        return PriorityKind.REP
    return PriorityKind.QPV if qpv else PriorityKind.NONE
