"""The school head's follow-up: every current class of her school, how many of its pupils have a confirmed
internship (and how many before the class's internship week), the agreements still to sign, and the progress
toward "every pupil has an internship before the school's internship week".

Only classes whose level does an internship count toward the goal (3e: observation; vocational lycée: PFMP, see
`backend.offers.application_selectors.track_for_level`); the others are listed without a goal. The figures are
read in three queries, whatever the number of classes and pupils.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q

from backend.offers.agreements import agreement_counts_by_school
from backend.offers.application_selectors import track_for_level
from backend.offers.enums import AgreementStatus, ApplicationStatus
from backend.offers.models import Agreement
from backend.schools.enums import StaffRole
from backend.schools.models import School, SchoolClass
from backend.schools.permissions import is_confirmed_staff

# A class whose internship week is this close (or past) with pupils still without an internship is "late".
LATE_WITHIN_DAYS = 14


class Progress:
    DONE = "done"  # every pupil has a confirmed internship
    ON_TRACK = "on_track"
    LATE = "late"  # the week is within LATE_WITHIN_DAYS, or passed, and some pupils have none
    NO_WEEK = "no_week"  # the school has not set the class's week yet
    NO_INTERNSHIP = "no_internship"  # a level without an internship (4e)


@dataclass
class ClassProgress:
    school_class: SchoolClass
    pupils: int
    placed: int
    placed_before_week: int | None
    agreements_to_sign: int
    agreements_signed: int
    progress: str
    days_left: int | None

    @property
    def share(self) -> int:
        """Percent of the class's pupils with a confirmed internship, rounded down (never 100 % too early)."""
        return self.placed * 100 // self.pupils if self.pupils else 0

    @property
    def missing(self) -> int:
        return self.pupils - self.placed


def can_follow_school(user, school: School) -> bool:
    """Its confirmed heads, and platform staff."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_staff or is_confirmed_staff(user, school, role=StaffRole.HEAD)


def _progress(*, internship: bool, pupils: int, placed: int, week, today: datetime.date) -> tuple[str, int | None]:
    if not internship:
        return Progress.NO_INTERNSHIP, None
    days_left = (week - today).days if week else None
    if pupils and placed >= pupils:
        return Progress.DONE, days_left
    if week is None:
        return Progress.NO_WEEK, None
    if days_left <= LATE_WITHIN_DAYS:
        return Progress.LATE, days_left
    return Progress.ON_TRACK, days_left


def school_classes_progress(school: School, *, today: datetime.date) -> list[ClassProgress]:
    """One row per current (not archived) class of the school, by name."""
    current = Q(enrolments__left_at__isnull=True)
    confirmed = current & Q(enrolments__pupil__applications__status=ApplicationStatus.CONFIRMED)
    classes = (
        SchoolClass.objects.filter(school=school, archived_at__isnull=True)
        .annotate(
            pupil_total=Count("enrolments__pupil", filter=current, distinct=True),
            placed_total=Count("enrolments__pupil", filter=confirmed, distinct=True),
            placed_in_time=Count(
                "enrolments__pupil",
                filter=confirmed & Q(enrolments__pupil__applications__week__week_start__lt=F("internship_week")),
                distinct=True,
            ),
        )
        .order_by("name")
    )
    agreements = {
        row["school_class_id"]: row
        for row in Agreement.objects.filter(school_class__school=school, school_class__archived_at__isnull=True)
        .values("school_class_id")
        .annotate(
            to_sign=Count("pk", filter=Q(status=AgreementStatus.TO_SIGN)),
            signed=Count("pk", filter=Q(status=AgreementStatus.SIGNED)),
        )
    }
    rows = []
    for school_class in classes:
        internship = track_for_level(school_class.level) is not None
        progress, days_left = _progress(
            internship=internship,
            pupils=school_class.pupil_total,
            placed=school_class.placed_total,
            week=school_class.internship_week,
            today=today,
        )
        counts = agreements.get(school_class.pk, {})
        rows.append(
            ClassProgress(
                school_class=school_class,
                pupils=school_class.pupil_total,
                placed=school_class.placed_total,
                placed_before_week=school_class.placed_in_time if school_class.internship_week else None,
                agreements_to_sign=counts.get("to_sign", 0),
                agreements_signed=counts.get("signed", 0),
                progress=progress,
                days_left=days_left,
            )
        )
    return rows


def school_summary(school: School, rows: list[ClassProgress]) -> dict:
    """The school's totals over the classes that do an internship, and its agreements."""
    counted = [row for row in rows if row.progress != Progress.NO_INTERNSHIP]
    pupils = sum(row.pupils for row in counted)
    placed = sum(row.placed for row in counted)
    agreements = agreement_counts_by_school([school.pk]).get(school.pk, {})
    return {
        "pupils": pupils,
        "placed": placed,
        "share": placed * 100 // pupils if pupils else 0,
        "late_classes": sum(row.progress == Progress.LATE for row in counted),
        "agreements_to_sign": agreements.get("to_sign", 0),
        "agreements_head_missing": agreements.get("head_missing", 0),
        "agreements_signed": agreements.get("signed", 0),
    }
