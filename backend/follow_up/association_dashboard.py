"""An association's dashboard: what it achieved in a school year, against the targets its staff set.

Every figure is aggregated by the database (a fixed number of queries, whatever the number of sessions, bookings or
pupils); Python only adds up the handful of rows a GROUP BY returns.

The rules, in one place:

- **School year**: 1 September 00:00 to the next 1 September 00:00, Paris time (a session that starts on 31 August
  at 23:30 in Paris belongs to the year before). An event counts in the year its start falls in.
  (`backend.schools.services.current_school_year` turns in August, when classes for the rentrée are created; the
  figures follow the school year itself.)
- **Sessions**: the association's discovery sessions. *Held*: published (not cancelled) and ended; *upcoming*:
  published and not yet ended; *cancelled*: cancelled. Drafts and proposals count nowhere.
- **Pupils reached** (distinct pupils), through the confirmed bookings of held sessions: when the roll was taken for
  a booking (at least one `SessionAttendance` row for it), the pupils marked present; when it was not, every current
  pupil of the booked class, or the pupil of an individual booking. Plus the pupils of the tutoring appointments
  the tutor marked *attended*, for the association's tutors.
- **The association's tutors**: the same rule as the feedback answers (`selectors.answer_facts`): the association
  chosen in the tutor's availability settings, else the first (lowest id) of the associations he is a confirmed
  tutor of; `association_tutors` writes it as one SQL query, checked against scheduling's `tutor_associations` in
  the tests.
- **A pupil's school** is the school of her current class (one at most); a pupil without a current class is counted
  under "unknown". The **priority kind** buckets (`counting.priority_kind`) do not overlap: REP+, then REP, then
  "QPV outside REP/REP+", then the others, then "unknown school". The share of priority-education pupils is REP+ +
  REP + QPV over pupils reached.
- **Sector**: the grand domaine (first letter of the ROME code) of the session; a pupil who attended sessions of two
  sectors counts in both rows (tutoring has no sector), so the sector rows may add up to more than the total.
- **Professionals mobilised**: distinct professionals of held sessions; **tutors mobilised**: distinct tutors of the
  association with at least one attended appointment.
- **Attendance**: for the pupils expected at held sessions (as above, before the roll), present / absent / not
  recorded (no row); for tutoring, attended / no-show (appointments not yet marked are left out); the rates are
  over what was recorded.
- **Satisfaction**: the feedback answers about the association's sessions and its tutors' appointments, given during
  the school year, pupils and adults apart.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Left
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.enums import MembershipStatus
from backend.accounts.models import User
from backend.follow_up import figures, rules, selectors
from backend.follow_up.counting import PriorityKind, SchoolYear, priority_kind, school_year_of
from backend.follow_up.enums import FeedbackKind, RespondentRole
from backend.follow_up.models import AssociationTarget
from backend.organisations.enums import AssociationRole, Sector
from backend.organisations.models import Association, AssociationMembership
from backend.schools.models import Enrolment
from scheduling.enums import BookingStatus, SessionBookingStatus, SessionStatus
from scheduling.models import AvailabilitySettings, Booking, DiscoverySession, SessionAttendance, SessionBooking

# How many past school years the year select offers (and accepts), besides the current one and the next.
YEARS_BACK = 5

# --- School years ---------------------------------------------------------------------------------------------------


def school_year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The school year `year`-`year + 1` as [start, end) in UTC."""
    school_year = SchoolYear(year)
    return school_year.starts_at.astimezone(datetime.UTC), school_year.ends_at.astimezone(datetime.UTC)


def school_year_label(year: int) -> str:
    return SchoolYear(year).label


def school_year_choices(*, now: datetime.datetime | None = None) -> list[int]:
    """The years the dashboard offers, newest first: the next one (to set its targets ahead), the current one and
    `YEARS_BACK` before."""
    current = school_year_of(now or timezone.now())
    return list(range(current + 1, current - YEARS_BACK - 1, -1))


def parse_school_year(value, *, now: datetime.datetime | None = None) -> tuple[int, bool]:
    """The school year asked for in a query string, and whether the value was refused (then the current year)."""
    now = now or timezone.now()
    if value in (None, ""):
        return school_year_of(now), False
    try:
        year = int(str(value).strip()[:4])
    except ValueError:
        return school_year_of(now), True
    if str(value).strip() not in (str(year), school_year_label(year)) or year not in school_year_choices(now=now):
        return school_year_of(now), True
    return year, False


# --- Priority kinds -------------------------------------------------------------------------------------------------


# The page's name for pupils whose school it cannot tell.
PRIORITY_LABELS = {
    **PriorityKind.LABELS,
    PriorityKind.UNKNOWN: _("Établissement inconnu (élève sans classe actuelle)"),
}


# --- The association's tutors ---------------------------------------------------------------------------------------


def association_tutors(association: Association) -> QuerySet[User]:
    """The tutors whose tutoring belongs to `association`: the one chosen in their settings, else the first of the
    associations they are confirmed tutors of (the rule of `selectors.answer_facts`, as one SQL query)."""
    chose_one = AvailabilitySettings.objects.filter(user=OuterRef("pk"), association__isnull=False)
    first_membership = (
        AssociationMembership.objects.filter(
            user=OuterRef("pk"), role=AssociationRole.TUTOR, status=MembershipStatus.CONFIRMED
        )
        .order_by("association_id")
        .values("association_id")[:1]
    )
    chose_it = Q(pk__in=AvailabilitySettings.objects.filter(association=association).values("user_id"))
    return User.objects.annotate(first_association=Subquery(first_membership)).filter(
        chose_it | (~Exists(chose_one) & Q(first_association=association.pk))
    )


# --- The figures ----------------------------------------------------------------------------------------------------


@dataclass
class Progress:
    """One target against its achievement."""

    label: str
    achieved: int | Decimal | None
    target: int | None
    unit: str = ""  # "%" for a share

    @property
    def percent(self) -> Decimal | None:
        if self.target is None or self.achieved is None:
            return None
        if self.target == 0:
            return Decimal(100)
        return rules.share(self.achieved, self.target)

    @property
    def bar_max(self):
        return self.target or 1  # a target of 0 is reached at once: a full bar

    @property
    def bar_value(self):
        """What the bar shows: the achievement, capped at the target (the text says the rest)."""
        if self.target is None or self.achieved is None:
            return 0
        return min(self.achieved, self.target) if self.target else 1


@dataclass
class Row:
    key: str
    label: str
    pupils: int = 0
    sessions: int = 0  # sectors only
    share: Decimal | None = None


@dataclass
class Dashboard:
    association: Association
    school_year: int
    now: datetime.datetime
    sessions_held: int = 0
    sessions_upcoming: int = 0
    sessions_cancelled: int = 0
    classes_reached: int = 0
    schools_reached: int = 0
    pupils_reached: int = 0
    pupils_by_sessions: int = 0
    pupils_by_tutoring: int = 0
    priority_pupils: int = 0
    professionals: int = 0
    tutors: int = 0
    by_priority: list[Row] = field(default_factory=list)
    by_departement: list[Row] = field(default_factory=list)
    by_sector: list[Row] = field(default_factory=list)
    present: int = 0
    absent: int = 0
    not_recorded: int = 0
    tutoring_attended: int = 0
    tutoring_no_show: int = 0
    satisfaction: dict = field(default_factory=dict)
    target: AssociationTarget | None = None

    @property
    def school_year_label(self) -> str:
        return school_year_label(self.school_year)

    @property
    def priority_share(self) -> Decimal | None:
        return rules.share(self.priority_pupils, self.pupils_reached)

    @property
    def absence_rate(self) -> Decimal | None:
        return rules.share(self.absent, self.present + self.absent)

    @property
    def no_show_rate(self) -> Decimal | None:
        return rules.share(self.tutoring_no_show, self.tutoring_attended + self.tutoring_no_show)

    @property
    def expected(self) -> int:
        return self.present + self.absent + self.not_recorded

    @property
    def progress(self) -> list[Progress]:
        target = self.target
        return [
            Progress(_("Séquences tenues"), self.sessions_held, target.sessions if target else None),
            Progress(_("Élèves touchés"), self.pupils_reached, target.pupils if target else None),
            Progress(
                _("Part des élèves de l'éducation prioritaire"),
                self.priority_share,
                target.priority_pupils_share if target else None,
                unit="%",
            ),
            Progress(_("Professionnels mobilisés"), self.professionals, target.professionals if target else None),
        ]


def _held_sessions(association, start, end, now) -> QuerySet[DiscoverySession]:
    return DiscoverySession.objects.filter(
        association=association,
        status=SessionStatus.PUBLISHED,
        starts_at__gte=start,
        starts_at__lt=end,
        ends_at__lte=now,
    )


def _session_reach(held: QuerySet[DiscoverySession]) -> list[QuerySet]:
    """Three querysets of (reach_sector, reach_pupil) rows, one per way a pupil is reached by a held session: marked
    present; in a booked class whose roll was not taken; booked alone without a roll."""
    confirmed = SessionBooking.objects.filter(session__in=held, status=SessionBookingStatus.CONFIRMED)
    roll_taken = Exists(SessionAttendance.objects.filter(booking=OuterRef("pk")))
    present = (
        SessionAttendance.objects.filter(booking__in=confirmed, present=True)
        .order_by()
        .values(reach_sector=Left("session__sector", 1), reach_pupil=F("pupil_id"))
    )
    class_pupils = (
        confirmed.filter(school_class__isnull=False)
        .exclude(roll_taken)
        .annotate(
            enrolled=FilteredRelation(
                "school_class__enrolments", condition=Q(school_class__enrolments__left_at__isnull=True)
            )
        )
        .filter(enrolled__isnull=False)
        .order_by()
        .values(reach_sector=Left("session__sector", 1), reach_pupil=F("enrolled__pupil_id"))
    )
    alone = (
        confirmed.filter(pupil__isnull=False)
        .exclude(roll_taken)
        .order_by()
        .values(reach_sector=Left("session__sector", 1), reach_pupil=F("pupil_id"))
    )
    return [present, class_pupils, alone]


def _tutoring(association, start, end) -> QuerySet[Booking]:
    return Booking.objects.filter(
        slot__tutor__in=association_tutors(association).values("pk"), starts_at__gte=start, starts_at__lt=end
    )


def _pupils_by_sector(parts: list[QuerySet]) -> tuple[dict[str, int], int]:
    """Distinct pupils per sector letter, and in all, over the union of the session reach querysets (one query).

    The ORM cannot group a UNION, so the union it compiles is wrapped in a GROUP BY (and a total row); only the
    compiled SQL and its parameters go in, no value of ours."""
    union = parts[0].union(*parts[1:])
    sql, params = union.query.sql_with_params()
    query = (
        "SELECT 0, reach.reach_sector, COUNT(DISTINCT reach.reach_pupil) "  # noqa: S608 (compiled by the ORM)
        f"FROM ({sql}) reach GROUP BY reach.reach_sector "
        f"UNION ALL SELECT 1, '', COUNT(DISTINCT total.reach_pupil) FROM ({sql}) total"
    )
    by_sector, everyone = {}, 0
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, *params])
        for is_total, sector, count in cursor.fetchall():
            if is_total:
                everyone = count
            else:
                by_sector[(sector or "").upper()] = count
    return by_sector, everyone


def _sector_label(letter: str) -> str:
    return Sector(letter).label if letter in Sector.values else str(_("Domaine non renseigné"))


def association_dashboard(
    association: Association, school_year: int, *, now: datetime.datetime | None = None
) -> Dashboard:
    """Every figure of the association's dashboard for a school year, in thirteen queries whatever the volume."""
    now = now or timezone.now()
    start, end = school_year_bounds(school_year)
    dashboard = Dashboard(association=association, school_year=school_year, now=now)
    in_year = DiscoverySession.objects.filter(association=association, starts_at__gte=start, starts_at__lt=end)
    held = _held_sessions(association, start, end, now)
    held_q = Q(status=SessionStatus.PUBLISHED, ends_at__lte=now)

    # 1. Sessions, classes, schools and professionals (distinct counts: the joins multiply the rows).
    confirmed_class = Q(bookings__status=SessionBookingStatus.CONFIRMED, bookings__school_class__isnull=False)
    row = in_year.order_by().aggregate(
        held=Count("pk", filter=held_q, distinct=True),
        upcoming=Count("pk", filter=Q(status=SessionStatus.PUBLISHED, ends_at__gt=now), distinct=True),
        cancelled=Count("pk", filter=Q(status=SessionStatus.CANCELLED), distinct=True),
        classes=Count("bookings__school_class", filter=held_q & confirmed_class, distinct=True),
        schools=Count("bookings__school_class__school", filter=held_q & confirmed_class, distinct=True),
    )
    dashboard.sessions_held = row["held"]
    dashboard.sessions_upcoming = row["upcoming"]
    dashboard.sessions_cancelled = row["cancelled"]
    dashboard.classes_reached = row["classes"]
    dashboard.schools_reached = row["schools"]
    # 2. Professionals (a separate query: joined with the bookings above, the rows would multiply again).
    dashboard.professionals = held.order_by().aggregate(n=Count("professionals", distinct=True))["n"]

    # 3. Tutoring: attended and no-show appointments, tutors mobilised.
    tutoring = _tutoring(association, start, end)
    row = tutoring.order_by().aggregate(
        attended=Count("pk", filter=Q(status=BookingStatus.ATTENDED)),
        no_show=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
        tutors=Count("slot__tutor", filter=Q(status=BookingStatus.ATTENDED), distinct=True),
        pupils=Count("pupil", filter=Q(status=BookingStatus.ATTENDED), distinct=True),
    )
    dashboard.tutoring_attended, dashboard.tutoring_no_show = row["attended"], row["no_show"]
    dashboard.tutors, dashboard.pupils_by_tutoring = row["tutors"], row["pupils"]

    # 4. Pupils reached, by the school of their current class (one at most: each pupil falls in one row).
    # The reached pupils' ids as one UNION (the database removes the duplicates once), then their schools.
    parts = _session_reach(held)
    tutored = tutoring.filter(status=BookingStatus.ATTENDED).order_by().values(reach_pupil=F("pupil_id"))
    reached = parts[0].values("reach_pupil").union(*[part.values("reach_pupil") for part in parts[1:]], tutored)
    school = "current__school_class__school"
    rows = (
        User.objects.filter(pk__in=reached)
        .annotate(current=FilteredRelation("enrolments", condition=Q(enrolments__left_at__isnull=True)))
        .order_by()
        .values(
            priority=F(f"{school}__priority"),
            qpv=F(f"{school}__qpv"),
            departement_code=F(f"{school}__commune__departement_code"),
            departement_name=F(f"{school}__commune__departement_name"),
        )
        .annotate(pupils=Count("pk"))
    )
    by_kind = dict.fromkeys(PriorityKind.ORDER, 0)
    by_departement: dict[tuple[str, str], int] = {}
    for row in rows:  # one row per (priority, QPV, département): a few dozen at most
        dashboard.pupils_reached += row["pupils"]
        by_kind[priority_kind(row["priority"], row["qpv"])] += row["pupils"]
        key = (row["departement_code"] or "", row["departement_name"] or "")
        by_departement[key] = by_departement.get(key, 0) + row["pupils"]
    dashboard.priority_pupils = sum(by_kind[kind] for kind in PriorityKind.PRIORITY)
    dashboard.by_priority = [
        Row(
            kind,
            str(PRIORITY_LABELS[kind]),
            by_kind[kind],
            share=rules.share(by_kind[kind], dashboard.pupils_reached),
        )
        for kind in PriorityKind.ORDER
        if by_kind[kind] or kind != PriorityKind.UNKNOWN
    ]
    dashboard.by_departement = [
        Row(
            code,
            f"{code} — {name}" if code else str(_("Établissement inconnu (élève sans classe actuelle)")),
            count,
            share=rules.share(count, dashboard.pupils_reached),
        )
        for (code, name), count in sorted(by_departement.items(), key=lambda item: (not item[0][0], item[0][0]))
    ]

    # 5–6. Sectors: held sessions per sector, distinct pupils per sector.
    sessions_by_sector = dict(
        held.order_by()
        .annotate(letter=Left("sector", 1))
        .values_list("letter")
        .annotate(n=Count("pk"))
        .values_list("letter", "n")
    )
    sessions_by_sector = {(letter or "").upper(): n for letter, n in sessions_by_sector.items()}
    pupils_by_sector, dashboard.pupils_by_sessions = _pupils_by_sector(parts)
    letters = sorted(set(sessions_by_sector) | set(pupils_by_sector), key=lambda letter: (not letter, letter))
    dashboard.by_sector = [
        Row(
            letter,
            _sector_label(letter),
            pupils_by_sector.get(letter, 0),
            sessions=sessions_by_sector.get(letter, 0),
        )
        for letter in letters
    ]

    # 7–8. Attendance at held sessions: rows recorded, and expected pupils without a row.
    confirmed = SessionBooking.objects.filter(session__in=held, status=SessionBookingStatus.CONFIRMED)
    # A row counts as "expected" when its pupil is the booking's, or a current pupil of the booked class.
    expected_row = Q(booking__pupil=F("pupil")) | Exists(
        Enrolment.objects.filter(
            pupil=OuterRef("pupil"), school_class=OuterRef("booking__school_class"), left_at__isnull=True
        )
    )
    row = SessionAttendance.objects.filter(booking__in=confirmed).aggregate(
        marked_present=Count("pk", filter=Q(present=True)),
        marked_absent=Count("pk", filter=Q(present=False)),
        expected_recorded=Count("pk", filter=expected_row),
    )
    dashboard.present, dashboard.absent = row["marked_present"], row["marked_absent"]
    dashboard.not_recorded = _expected(confirmed) - row["expected_recorded"]

    # 9. Satisfaction; 10. the target.
    dashboard.satisfaction = _satisfaction(association, start, end)
    dashboard.target = association_target(association, school_year)
    return dashboard


def association_target(association: Association, school_year: int) -> AssociationTarget | None:
    return AssociationTarget.objects.filter(association=association, school_year=school_year).first()


def association_dashboard_kept(association: Association, school_year: int) -> Dashboard:
    """The dashboard as `figures` keeps it (computed at most every FOLLOW_UP_FIGURES_SECONDS; `dashboard.now` says
    when), with its target read afresh: the staff may have just set it."""
    dashboard, _computed_at = figures.read(
        "association", (association.pk, school_year), lambda: association_dashboard(association, school_year)
    )
    dashboard.target = association_target(association, school_year)
    return dashboard


def _expected(confirmed: QuerySet[SessionBooking]) -> int:
    """The pupils expected at held sessions: the current pupils of each booked class, the pupil of each individual
    booking (one query: the bookings joined to the classes' current enrolments)."""
    return (
        confirmed.annotate(
            enrolled=FilteredRelation(
                "school_class__enrolments", condition=Q(school_class__enrolments__left_at__isnull=True)
            )
        )
        .order_by()
        .aggregate(n=Count("enrolled__pk") + Count("pk", filter=Q(pupil__isnull=False)))["n"]
    )


SATISFACTION_GROUPS = [
    ("session_pupil", FeedbackKind.SESSION, RespondentRole.PUPIL, _("Séquences — élèves")),
    ("session_host", FeedbackKind.SESSION, RespondentRole.HOST, _("Séquences — professionnels et animateurs")),
    ("tutoring_pupil", FeedbackKind.TUTORING, RespondentRole.PUPIL, _("Tutorat — élèves")),
    ("tutoring_host", FeedbackKind.TUTORING, RespondentRole.HOST, _("Tutorat — tuteurs")),
]


def _satisfaction(association, start, end) -> dict:
    """The satisfaction summaries (follow_up's `satisfaction_summary`), one query per group."""
    summaries = {}
    for key, kind, role, label in SATISFACTION_GROUPS:
        answers = selectors.answers_of_association(
            association, selectors.answers(kind=kind, role=role, since=start, until=end)
        )
        summaries[key] = (label, selectors.satisfaction_summary(answers))
    return summaries


# --- Targets (the one write) ----------------------------------------------------------------------------------------


@transaction.atomic
def association_target_set(
    *,
    association: Association,
    school_year: int,
    sessions: int,
    pupils: int,
    priority_pupils_share: int | None,
    professionals: int,
    by: User,
) -> AssociationTarget:
    """Set the association's targets for a school year (one row per association and year: created, else updated).
    The form checked the values; the database's constraints refuse negative counts and shares outside 0–100."""
    target, _created = AssociationTarget.objects.update_or_create(
        association=association,
        school_year=school_year,
        defaults={
            "sessions": sessions,
            "pupils": pupils,
            "priority_pupils_share": priority_pupils_share,
            "professionals": professionals,
            "updated_by": by,
        },
    )
    return target
