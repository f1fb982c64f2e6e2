"""A teacher's follow-up of her class: one row per current pupil with what she did on the platform, who needs help,
and the nudges a teacher sends. Reads offers, scheduling, media and schools; writes only `Nudge`.

The rows come in a fixed number of queries whatever the class's size: each figure is one aggregate over the class's
current pupils (`values("pupil").annotate(...)`), merged in Python (`class_rows`).

What counts:
- applications by state, every state (`ApplicationStatus`); an internship is a CONFIRMED application, shown by its
  week;
- sessions booked: the ended, not cancelled discovery sessions on which her class has a confirmed booking, plus those
  of her own confirmed individual bookings; sessions attended: attendance rows marked present (no row = unknown);
- tutoring booked: her bookings that were not cancelled; attended: those marked attended;
- videos watched: her progress rows with `watched_at` (80 % played, media/watching.py);
- last activity: the latest of what she did herself — signing in (`last_login`), sending or confirming an
  application, booking tutoring, attending a tutoring appointment or a session, playing a video. The host's answer
  to an application is not hers, so it does not count.
"""

import datetime
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.accounts.services import email_send_on_commit
from backend.follow_up.models import Nudge, NudgeKind
from backend.offers.enums import PENDING_APPLICATION_STATUSES, ApplicationStatus
from backend.offers.models import Application
from backend.offers.rules import iso_week
from backend.schools.enums import StaffRole
from backend.schools.models import Enrolment, SchoolClass
from backend.schools.permissions import is_confirmed_staff
from backend.schools.selectors import taught_classes
from media.models import WatchProgress
from scheduling.enums import BookingStatus, SessionBookingStatus, SessionStatus
from scheduling.models import Booking, SessionAttendance, SessionBooking

# A pupil with no activity since the start of the day this many days ago (in the viewer's time zone) is inactive.
INACTIVE_AFTER_DAYS = 14
# A pupil without an internship needs help when the class's internship week (`SchoolClass.internship_week`, set by
# the school) or the first week she asked for starts within this many days: little time is left to find a place.
WEEK_SOON_DAYS = 21


class Filter:
    ALL = "all"
    NO_INTERNSHIP = "no_internship"
    INACTIVE = "inactive"
    NEEDS_HELP = "needs_help"


FILTER_CHOICES = [
    (Filter.ALL, gettext_lazy("Tous les élèves")),
    (Filter.NO_INTERNSHIP, gettext_lazy("Sans stage")),
    (Filter.INACTIVE, gettext_lazy("Sans activité depuis 14 jours")),
    (Filter.NEEDS_HELP, gettext_lazy("Qui ont besoin d'aide")),
]


class HelpReason:
    NO_APPLICATION = "no_application"
    WEEK_SOON = "week_soon"
    CLASS_WEEK_SOON = "class_week_soon"
    INACTIVE = "inactive"


HELP_REASON_LABELS = {
    HelpReason.NO_APPLICATION: gettext_lazy("Pas de stage et aucune candidature en cours"),
    HelpReason.WEEK_SOON: gettext_lazy(
        "Pas de stage et sa première semaine demandée commence dans moins de 3 semaines"
    ),
    HelpReason.CLASS_WEEK_SOON: gettext_lazy(
        "Pas de stage et la semaine de stage de la classe est dans moins de 3 semaines"
    ),
    HelpReason.INACTIVE: gettext_lazy("Aucune activité depuis 14 jours"),
}


@dataclass
class PupilRow:
    pupil: object
    applications: dict[str, int] = field(default_factory=dict)
    internship_weeks: list[datetime.date] = field(default_factory=list)
    first_week_asked: datetime.date | None = None
    sessions_booked: int = 0
    sessions_attended: int = 0
    tutoring_booked: int = 0
    tutoring_attended: int = 0
    videos_watched: int = 0
    last_activity: datetime.datetime | None = None
    help_reasons: list[str] = field(default_factory=list)
    # Filled by the page for a teacher: the messages she may send this pupil (`nudge_kinds_for`), and those already
    # sent today (`nudged_today`).
    nudge_kinds: list[tuple[str, str]] = field(default_factory=list)
    sent_today: set[str] = field(default_factory=set)

    @property
    def applications_total(self) -> int:
        return sum(self.applications.values())

    @property
    def applications_pending(self) -> int:
        return sum(self.applications.get(status, 0) for status in PENDING_APPLICATION_STATUSES)

    @property
    def applications_by_state(self) -> list[tuple[str, int]]:
        """(label, count) of the states she has, in the states' order."""
        return [
            (label, self.applications[value])
            for value, label in ApplicationStatus.choices
            if value in self.applications
        ]

    @property
    def has_internship(self) -> bool:
        return bool(self.internship_weeks)

    @property
    def internship_labels(self) -> list[str]:
        return [
            _("%(week)s (semaine du %(date)s)") % {"week": iso_week(monday), "date": monday.strftime("%d/%m/%Y")}
            for monday in self.internship_weeks
        ]

    @property
    def needs_help(self) -> bool:
        return bool(self.help_reasons)

    @property
    def help_labels(self) -> list[str]:
        return [str(HELP_REASON_LABELS[reason]) for reason in self.help_reasons]

    @property
    def inactive(self) -> bool:
        return HelpReason.INACTIVE in self.help_reasons


@dataclass
class Summary:
    pupils: int
    with_internship: int
    needing_help: int
    inactive: int


# --- Who may see a class's follow-up ------------------------------------------------------------------------------


def followed_class(user, pk) -> tuple[SchoolClass, bool] | None:
    """The current class `pk` and whether `user` may nudge its pupils, or None when she may not see it.

    Its teachers (a current class, a confirmed membership: `taught_classes`) see it and nudge; the confirmed heads
    of its school and platform staff see it read-only (part 2 of the dashboards, and support). An archived class
    has no follow-up: the year is over."""
    if not user.is_authenticated:
        return None
    school_class = SchoolClass.objects.select_related("school").filter(pk=pk, archived_at__isnull=True).first()
    if school_class is None:
        return None
    if taught_classes(user).filter(pk=school_class.pk).exists():
        return school_class, True
    if user.is_staff or is_confirmed_staff(user, school_class.school, role=StaffRole.HEAD):
        return school_class, False
    return None


# --- The rows -----------------------------------------------------------------------------------------------------


def inactive_since(now: datetime.datetime, time_zone: str) -> datetime.datetime:
    """The start of the day `INACTIVE_AFTER_DAYS` days ago in `time_zone`: no activity since then is inactivity."""
    zone = zoneinfo.ZoneInfo(time_zone or settings.TIME_ZONE)
    day = now.astimezone(zone).date() - datetime.timedelta(days=INACTIVE_AFTER_DAYS)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)


def help_reasons(
    row: PupilRow, *, today: datetime.date, since: datetime.datetime, class_week: datetime.date | None = None
) -> list[str]:
    """Why a pupil needs help — the one place where the rule is written. `class_week` is the Monday of the class's
    internship week, if the school has set it; it counts until that week is over."""
    soon = today + datetime.timedelta(days=WEEK_SOON_DAYS)
    reasons = []
    if not row.has_internship:
        if not row.applications_pending:
            reasons.append(HelpReason.NO_APPLICATION)
        elif row.first_week_asked and row.first_week_asked <= soon:
            reasons.append(HelpReason.WEEK_SOON)
        if class_week and class_week <= soon and today <= class_week + datetime.timedelta(days=6):
            reasons.append(HelpReason.CLASS_WEEK_SOON)
    if row.last_activity is None or row.last_activity < since:
        reasons.append(HelpReason.INACTIVE)
    return reasons


def _later(*moments):
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None


def class_rows(school_class: SchoolClass, *, now=None, time_zone: str = "") -> list[PupilRow]:
    """One row per current pupil of the class (first name order), with every figure; ten queries whatever the number
    of pupils. `time_zone` is the viewer's: it draws the 14-day boundary and "today"."""
    now = now or timezone.now()
    zone = zoneinfo.ZoneInfo(time_zone or settings.TIME_ZONE)
    today = now.astimezone(zone).date()
    this_monday = today - datetime.timedelta(days=today.weekday())
    enrolments = list(
        Enrolment.objects.filter(school_class=school_class, left_at__isnull=True)
        .select_related("pupil__pupil_profile")
        .order_by("pupil__first_name", "pupil__last_name", "pupil_id")
    )
    rows = {enrolment.pupil_id: PupilRow(pupil=enrolment.pupil) for enrolment in enrolments}
    if not rows:
        return []
    ids = list(rows)
    activity = defaultdict(list)

    applications = (
        Application.objects.filter(pupil_id__in=ids)
        .values("pupil_id", "status")
        .annotate(count=Count("pk"), created=Max("created_at"), confirmed=Max("confirmed_at"))
    )
    for line in applications:
        rows[line["pupil_id"]].applications[line["status"]] = line["count"]
        activity[line["pupil_id"]] += [line["created"], line["confirmed"]]
    internships = (
        Application.objects.filter(pupil_id__in=ids, status=ApplicationStatus.CONFIRMED, week__isnull=False)
        .values_list("pupil_id", "week__week_start")
        .order_by("week__week_start")
    )
    for pupil_id, monday in internships:
        rows[pupil_id].internship_weeks.append(monday)
    # The earliest week still to come among those asked for in applications awaiting an answer.
    first_weeks = (
        Application.objects.filter(
            pupil_id__in=ids, status__in=PENDING_APPLICATION_STATUSES, weeks__week_start__gte=this_monday
        )
        .values("pupil_id")
        .annotate(first=Min("weeks__week_start"))
    )
    for line in first_weeks:
        rows[line["pupil_id"]].first_week_asked = line["first"]

    ended = Q(session__ends_at__lte=now) & ~Q(session__status=SessionStatus.CANCELLED)
    class_sessions = set(
        SessionBooking.objects.filter(
            ended, school_class=school_class, status=SessionBookingStatus.CONFIRMED
        ).values_list("session_id", flat=True)
    )
    booked = {pupil_id: set(class_sessions) for pupil_id in ids}
    own = SessionBooking.objects.filter(ended, pupil_id__in=ids, status=SessionBookingStatus.CONFIRMED).values_list(
        "pupil_id", "session_id"
    )
    for pupil_id, session_id in own:
        booked[pupil_id].add(session_id)
    for pupil_id, sessions in booked.items():
        rows[pupil_id].sessions_booked = len(sessions)
    attended = (
        SessionAttendance.objects.filter(pupil_id__in=ids, present=True)
        .values("pupil_id")
        .annotate(count=Count("session_id", distinct=True), last=Max("session__starts_at"))
    )
    for line in attended:
        rows[line["pupil_id"]].sessions_attended = line["count"]
        activity[line["pupil_id"]].append(line["last"])

    tutoring = (
        Booking.objects.filter(pupil_id__in=ids)
        .exclude(status=BookingStatus.CANCELLED)
        .values("pupil_id")
        .annotate(
            booked=Count("pk"),
            attended=Count("pk", filter=Q(status=BookingStatus.ATTENDED)),
            last_booked=Max("created_at"),
            last_attended=Max("starts_at", filter=Q(status=BookingStatus.ATTENDED)),
        )
    )
    for line in tutoring:
        row = rows[line["pupil_id"]]
        row.tutoring_booked, row.tutoring_attended = line["booked"], line["attended"]
        activity[line["pupil_id"]] += [line["last_booked"], line["last_attended"]]
    # A booking cancelled after being made was still her doing: its creation counts as activity.
    cancelled = (
        Booking.objects.filter(pupil_id__in=ids, status=BookingStatus.CANCELLED)
        .values("pupil_id")
        .annotate(last=Max("created_at"))
    )
    for line in cancelled:
        activity[line["pupil_id"]].append(line["last"])

    videos = (
        WatchProgress.objects.filter(user_id__in=ids)
        .values("user_id")
        .annotate(watched=Count("pk", filter=Q(watched_at__isnull=False)), last=Max("updated_at"))
    )
    for line in videos:
        rows[line["user_id"]].videos_watched = line["watched"]
        activity[line["user_id"]].append(line["last"])

    since = inactive_since(now, time_zone)
    for pupil_id, row in rows.items():
        row.last_activity = _later(row.pupil.last_login, *activity[pupil_id])
        row.help_reasons = help_reasons(row, today=today, since=since, class_week=school_class.internship_week)
    return list(rows.values())


def apply_filter(rows: list[PupilRow], value: str) -> list[PupilRow]:
    if value == Filter.NO_INTERNSHIP:
        return [row for row in rows if not row.has_internship]
    if value == Filter.INACTIVE:
        return [row for row in rows if row.inactive]
    if value == Filter.NEEDS_HELP:
        return [row for row in rows if row.needs_help]
    return rows


def summary(rows: list[PupilRow]) -> Summary:
    return Summary(
        pupils=len(rows),
        with_internship=sum(row.has_internship for row in rows),
        needing_help=sum(row.needs_help for row in rows),
        inactive=sum(row.inactive for row in rows),
    )


# --- Nudges -------------------------------------------------------------------------------------------------------


class NudgeError(Exception):
    """A refused nudge; the message is meant for the teacher."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


# Where each message sends the pupil.
NUDGE_LINKS = {
    NudgeKind.APPLY: "offers:catalogue",
    NudgeKind.TUTORING: "scheduling:slots",
    NudgeKind.SESSION: "scheduling:session_list",
    NudgeKind.VIDEOS: "videos:library",
}

# What the pupil reads (spoken to with "tu", as on her other pages).
NUDGE_TEXTS = {
    NudgeKind.APPLY: gettext_lazy(
        "Ton professeur t'encourage à candidater à des offres de stage : regarde le catalogue, il y a sûrement une "
        "offre pour toi."
    ),
    NudgeKind.TUTORING: gettext_lazy(
        "Ton professeur te propose de réserver un rendez-vous avec un tuteur ou une tutrice bénévole : il ou elle "
        "peut t'aider à préparer ton stage."
    ),
    NudgeKind.SESSION: gettext_lazy(
        "Ton professeur t'invite à participer à une séquence de découverte : des professionnels racontent leur "
        "métier en visioconférence."
    ),
    NudgeKind.VIDEOS: gettext_lazy(
        "Ton professeur te conseille de regarder des vidéos sur les métiers : elles peuvent te donner des idées."
    ),
}


def nudge_kinds_for(pupil) -> list[str]:
    """The messages a pupil may receive. While her guardian's consent is pending she may not yet apply, book
    tutoring or meet professionals — only watch videos — so nothing pushes her toward what she cannot do."""
    profile = getattr(pupil, "pupil_profile", None)
    if profile is not None and profile.consent_pending:
        return [NudgeKind.VIDEOS]
    return list(NudgeKind.values)


def nudge_send(*, school_class: SchoolClass, pupil, sent_by, kind: str, now=None) -> Nudge:
    """Sends `pupil` one of the fixed messages: a `Nudge` shown on her home, and an e-mail after commit when she has
    an address. Refused (`NudgeError`, nothing written) unless `sent_by` teaches the class and `pupil` is one of its
    current pupils, for an unknown kind, or when the same message already went to her today (her day)."""
    now = now or timezone.now()
    if kind not in NudgeKind.values:
        raise NudgeError(_("Choisissez un des messages proposés."), code="invalid")
    if (
        not taught_classes(sent_by).filter(pk=school_class.pk).exists()
        or not Enrolment.objects.filter(school_class=school_class, pupil=pupil, left_at__isnull=True).exists()
    ):
        raise NudgeError(_("Vous ne pouvez relancer que les élèves de vos classes."), code="not_allowed")
    if kind not in nudge_kinds_for(pupil):
        raise NudgeError(
            _(
                "L'accord du représentant légal de %(name)s n'est pas encore enregistré : vous pouvez seulement "
                "l'inviter à regarder des vidéos."
            )
            % {"name": pupil.display_name},
            code="consent_pending",
        )
    sent_on = now.astimezone(zoneinfo.ZoneInfo(pupil.time_zone or settings.TIME_ZONE)).date()
    try:
        with transaction.atomic():
            nudge = Nudge.objects.create(
                pupil=pupil, school_class=school_class, sent_by=sent_by, kind=kind, sent_on=sent_on, created_at=now
            )
    except IntegrityError:
        raise NudgeError(
            _("%(name)s a déjà reçu ce message aujourd'hui. Vous pourrez le renvoyer demain.")
            % {"name": pupil.display_name},
            code="already_sent",
        ) from None
    if pupil.email:
        email_send_on_commit(
            to=pupil.email,
            subject=_("Passerelle : un message de ton professeur"),
            template="follow_up/email/nudge.txt",
            context={
                "recipient": pupil,
                "text": NUDGE_TEXTS[kind],
                "link": settings.SITE_URL.rstrip("/") + reverse(NUDGE_LINKS[kind]),
            },
        )
    return nudge


def nudge_mark_seen(*, nudge_id: int, pupil, now=None) -> Nudge | None:
    """Marks the pupil's own nudge seen (once: a second click keeps the first moment). None when it is not hers."""
    nudge = Nudge.objects.filter(pk=nudge_id, pupil=pupil).first()
    if nudge is None:
        return None
    if nudge.seen_at is None:
        nudge.seen_at = now or timezone.now()
        nudge.save(update_fields=["seen_at"])
    return nudge


def unseen_nudges(pupil, *, limit: int = 5) -> list[Nudge]:
    """The pupil's nudges she has not marked seen, newest first."""
    return list(
        Nudge.objects.filter(pupil=pupil, seen_at__isnull=True)
        .select_related("sent_by__pupil_profile")
        .order_by("-created_at", "-pk")[:limit]
    )


def nudged_today(pupil_ids, *, now=None) -> dict[int, set[str]]:
    """For the page: the kinds already sent today (her day) to each of these pupils — one query."""
    now = now or timezone.now()
    recent = Nudge.objects.filter(
        pupil_id__in=list(pupil_ids), created_at__gte=now - datetime.timedelta(days=2)
    ).values_list("pupil_id", "kind", "sent_on", "pupil__time_zone")
    sent = defaultdict(set)
    for pupil_id, kind, sent_on, time_zone in recent:
        if sent_on == now.astimezone(zoneinfo.ZoneInfo(time_zone or settings.TIME_ZONE)).date():
            sent[pupil_id].add(kind)
    return sent
