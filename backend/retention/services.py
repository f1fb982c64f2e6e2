"""The end of the school year and the data-retention rules. Both entry points are dry runs unless told `wet_run`:
they then count exactly what they would change and write nothing. The management commands, the Celery tasks and the
tests all call these two functions; README.md lists every rule with its setting.

Dates: a period of N months ends at midnight, Paris time, of the same day N months before today in Paris — the day a
person reads in the README and in the command's output, whatever the UTC hour the nightly job runs at.
"""

import calendar
import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from backend.accounts.models import PupilProfile, User
from backend.follow_up.models import FeedbackAnswer, FeedbackInvitation, Nudge
from backend.offers.models import Application, OfferReport
from backend.retention.models import ArchivedPupil, Rollover
from backend.schools.models import Enrolment, SchoolClass
from realtime.services import transcripts_purge
from scheduling.models import Booking, CalendarFeed

PARIS = ZoneInfo("Europe/Paris")
# A school year (rentrée in September) may be closed from 20 August of the next calendar year: after the last
# internships and sessions of June and July and the summer's re-enrolments, before teachers create next year's classes
# for the rentrée. The nightly task closes it on the first night from that day (backend/periodic.py).
YEAR_CLOSES_ON = (8, 20)
# The years a person may type: anything else is a typing mistake.
FIRST_YEAR, LAST_YEAR = 2000, 2100

# What an anonymised pupil's account is left with. The birth date is a required field: no statistic uses it, so it
# becomes a date nobody has rather than a real one.
ANONYMOUS_FIRST_NAME = "Élève"
ANONYMOUS_LAST_NAME = "anonymisé"
ANONYMOUS_USERNAME_PREFIX = "anonyme-"  # + the account's id: unique, and no real identifier has this shape
ANONYMOUS_BIRTH_DATE = datetime.date(1900, 1, 1)
# Rows are changed by batches of ids: SQLite caps the number of parameters of one statement.
BATCH = 500


class RetentionError(Exception):
    """The run was refused; the message is meant for the person who ran it. Nothing was changed."""


@dataclass
class Line:
    """One rule of a run: what it changes, after how long, and how many rows it changed or would change. `key` is
    stable (logs, the tasks' results); `label` is for people."""

    key: str
    label: str
    period: str
    count: int
    detail: str = ""


@dataclass
class Report:
    title: str
    wet_run: bool
    lines: list[Line] = field(default_factory=list)
    conclusion: str = ""

    @property
    def counts(self) -> dict[str, int]:
        return {line.key: line.count for line in self.lines}

    @property
    def total(self) -> int:
        return sum(line.count for line in self.lines)

    def table(self) -> list[str]:
        """The report as a plain-text table, for the command's output and the logs."""
        headers = (_("Règle"), _("Conservation"), _("Nombre"), _("Détail"))
        rows = [(line.label, line.period, str(line.count), line.detail) for line in self.lines]
        widths = [max(len(row[column]) for row in [headers, *rows]) for column in range(len(headers))]

        def render(row) -> str:
            return " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()

        return [self.title, render(headers), "-+-".join("-" * width for width in widths), *map(render, rows)]


# --- Time --------------------------------------------------------------------------------------------------------


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` months earlier; the last day of that month when it is shorter (31 March → 28 Feb)."""
    year, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return datetime.date(year, month_index + 1, min(day.day, last_day))


def cutoff(now: datetime.datetime, months: int) -> datetime.datetime:
    """Midnight in Paris, `months` months before today in Paris: what was recorded before it is past retention."""
    day = months_before(now.astimezone(PARIS).date(), months)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=PARIS)


def year_label(year: int) -> str:
    return f"{year}-{year + 1}"


def year_closes_at(year: int) -> datetime.datetime:
    month, day = YEAR_CLOSES_ON
    return datetime.datetime(year + 1, month, day, tzinfo=PARIS)


def last_ended_year(now: datetime.datetime) -> int:
    """The school year that ended last: on 20 August 2027 (Paris) and after, 2026-2027; before it, 2025-2026."""
    calendar_year = now.astimezone(PARIS).year
    return calendar_year - 1 if now >= year_closes_at(calendar_year - 1) else calendar_year - 2


def _paris(moment: datetime.datetime) -> str:
    return formats.date_format(moment.astimezone(PARIS), "j F Y à H:i")


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


# --- The roll-over -----------------------------------------------------------------------------------------------


def _check_rollover(year: int, now: datetime.datetime) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise RetentionError(
            _("Année scolaire invalide : %(year)s. Indiquez l'année de la rentrée, par exemple 2026 pour 2026-2027.")
            % {"year": year}
        )
    done = Rollover.objects.filter(school_year=year).first()
    if done is not None:
        raise RetentionError(_already_closed(done))
    if now < year_closes_at(year):
        raise RetentionError(
            _("L'année %(year)s n'est pas terminée : elle pourra être clôturée à partir du %(date)s. Rien n'a changé.")
            % {"year": year_label(year), "date": formats.date_format(year_closes_at(year), "j F Y")}
        )


def _already_closed(done: Rollover) -> str:
    return _("L'année %(year)s a déjà été clôturée le %(date)s. Rien n'a changé.") % {
        "year": year_label(done.school_year),
        "date": _paris(done.ran_at),
    }


def rollover_school_year(
    *, year: int | None = None, wet_run: bool, now: datetime.datetime | None = None, by: User | None = None
) -> Report:
    """Closes school year `year` (by default the one that ended last, see `last_ended_year`): its classes not yet
    archived are archived, their current enrolments end, and each of their pupils — now without a class — gets an
    `ArchivedPupil` row, the start of her retention period. Classes of other years are not touched. Refuses
    (`RetentionError`, nothing changed) a year already closed, a year not over yet and a nonsense year. All in one
    transaction, under the year's unique `Rollover` row: two runs at once close the year once."""
    now = now or timezone.now()
    year = last_ended_year(now) if year is None else year
    _check_rollover(year, now)
    classes = SchoolClass.objects.filter(school_year=year, archived_at__isnull=True)
    enrolments = Enrolment.objects.filter(school_class__in=classes, left_at__isnull=True)
    period = _("année %(year)s") % {"year": year_label(year)}
    lines = [
        Line("classes_archived", _("classes archivées"), period, classes.count()),
        Line("enrolments_ended", _("inscriptions terminées"), period, enrolments.count()),
        Line(
            "pupils_archived",
            _("élèves archivés (sans classe)"),
            period,
            enrolments.values("pupil").distinct().count(),
        ),
    ]
    report = Report(title=_("Clôture de l'année scolaire %(year)s") % {"year": year_label(year)}, wet_run=wet_run)
    report.lines = lines
    if not wet_run:
        report.conclusion = _("Simulation : rien n'a changé. Relancez avec --wet-run pour clôturer l'année.")
        return report
    with transaction.atomic():
        try:
            with transaction.atomic():
                rollover = Rollover.objects.create(school_year=year, ran_at=now, ran_by=by)
        except IntegrityError as error:  # another run closed it between the check and here
            raise RetentionError(_already_closed(Rollover.objects.get(school_year=year))) from error
        # Locks the classes: a pupil joining one of them (`pupil_join_class` locks it too) waits for the roll-over,
        # then finds it archived. Subqueries rather than lists of ids: a national year holds more pupils than a
        # statement may carry parameters.
        list(classes.select_for_update().values_list("pk", flat=True))
        current = Enrolment.objects.filter(
            school_class__school_year=year, school_class__archived_at__isnull=True, left_at__isnull=True
        )
        # A pupil back in a class after an earlier roll-over starts a new period; an anonymised one stays as she is.
        ArchivedPupil.objects.filter(user__in=current.values("pupil"), anonymised_at__isnull=True).delete()
        pupil_ids = list(
            current.exclude(pupil__in=ArchivedPupil.objects.values("user"))
            .order_by("pupil_id")
            .values_list("pupil_id", flat=True)
            .distinct()
        )
        ArchivedPupil.objects.bulk_create(
            [ArchivedPupil(user_id=pk, archived_at=now, rollover=rollover) for pk in pupil_ids], batch_size=BATCH
        )
        rollover.enrolments_ended = current.update(left_at=now)
        rollover.classes_archived = classes.update(archived_at=now)
        rollover.pupils_archived = len(pupil_ids)
        rollover.save(update_fields=["classes_archived", "enrolments_ended", "pupils_archived"])
    for line in lines:
        line.count = getattr(rollover, line.key)
    report.conclusion = _("L'année %(year)s est clôturée.") % {"year": year_label(year)}
    return report


# --- Retention ---------------------------------------------------------------------------------------------------


def _has_current_class():
    return Exists(Enrolment.objects.filter(pupil_id=OuterRef("user_id"), left_at__isnull=True))


def _months(months: int) -> str:
    return _("%(months)s mois") % {"months": months}


def _back_in_class(*, wet_run: bool, now: datetime.datetime) -> Line:
    """A pupil put in a class again is no longer archived: her retention clock stops."""
    back = ArchivedPupil.objects.filter(anonymised_at__isnull=True).filter(_has_current_class())
    count = back.count()
    if wet_run and count:
        with transaction.atomic():
            count = back.delete()[0]
    return Line("pupils_back_in_class", _("élèves revenus dans une classe (archive levée)"), "—", count)


def pupils_due_for_anonymisation(now: datetime.datetime):
    """Archived pupils still without a class `RETENTION_PUPIL_MONTHS` after the roll-over that archived them."""
    return (
        ArchivedPupil.objects.filter(
            anonymised_at__isnull=True, archived_at__lt=cutoff(now, settings.RETENTION_PUPIL_MONTHS)
        )
        .exclude(_has_current_class())
        .order_by("user_id")
    )


def _anonymise(user_ids: list[int], now: datetime.datetime) -> None:
    """Everything that names or describes these pupils goes; every row a statistic counts stays (applications,
    bookings, attendances, views, answers), now pointing at an account that says nothing about her."""
    usernames = list(User.objects.filter(pk__in=user_ids).values_list("username", flat=True))
    User.objects.filter(pk__in=user_ids).update(
        first_name=ANONYMOUS_FIRST_NAME,
        last_name=ANONYMOUS_LAST_NAME,
        username=Concat(Value(ANONYMOUS_USERNAME_PREFIX), Cast("pk", output_field=CharField())),
        email="",
        # Unusable: no sign-in, and the sessions still open stop working (their hash no longer matches).
        password=make_password(None),
        is_active=False,
        email_verified_at=None,
        must_change_password=False,
        last_login=None,
        time_zone="Europe/Paris",
    )
    PupilProfile.objects.filter(user_id__in=user_ids).update(birth_date=ANONYMOUS_BIRTH_DATE)
    # Free texts she wrote, or that adults wrote about her.
    Application.objects.filter(pupil_id__in=user_ids).update(motivation="", teacher_note="", decline_detail="")
    Booking.objects.filter(pupil_id__in=user_ids).update(message="", cancel_reason="")
    OfferReport.objects.filter(reporter_id__in=user_ids).update(detail="")
    # Ways in and traces of her connections.
    Token.objects.filter(user_id__in=user_ids).delete()
    CalendarFeed.objects.filter(user_id__in=user_ids).delete()
    FeedbackInvitation.objects.filter(user_id__in=user_ids).delete()
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__in=usernames).delete()
    ArchivedPupil.objects.filter(user_id__in=user_ids).update(anonymised_at=now)


def _anonymise_pupils(*, wet_run: bool, now: datetime.datetime) -> Line:
    due = pupils_due_for_anonymisation(now)
    line = Line("pupils_anonymised", _("élèves anonymisés"), _months(settings.RETENTION_PUPIL_MONTHS), due.count())
    if wet_run and line.count:
        with transaction.atomic():
            user_ids = list(due.select_for_update().values_list("user_id", flat=True))
            for batch in _batches(user_ids):
                _anonymise(batch, now)
        line.count = len(user_ids)
    return line


def _feedback_answers(*, wet_run: bool, now: datetime.datetime) -> Line:
    """The answer is deleted, the statistic stays: the respondent and the comment go, the note and the copied facts
    (role, school, département, priority kind, sector, association) stay and keep being counted."""
    due = FeedbackAnswer.objects.filter(created_at__lt=cutoff(now, settings.FEEDBACK_RETENTION_MONTHS)).filter(
        Q(respondent__isnull=False) | ~Q(comment="")
    )
    line = Line(
        "feedback_answers_detached",
        _("avis détachés de leur auteur"),
        _months(settings.FEEDBACK_RETENTION_MONTHS),
        due.count(),
    )
    if wet_run and line.count:
        with transaction.atomic():
            line.count = due.update(respondent=None, comment="")
    return line


def _feedback_invitations(*, wet_run: bool, now: datetime.datetime) -> Line:
    """An invitation is kept only to e-mail a person once per questionnaire; the questionnaire closes
    `FEEDBACK_WINDOW_DAYS` after its event, which ended before the invitation was sent."""
    days = settings.FEEDBACK_WINDOW_DAYS
    due = FeedbackInvitation.objects.filter(sent_at__lt=now - datetime.timedelta(days=days))
    line = Line(
        "feedback_invitations_deleted",
        _("invitations à donner son avis supprimées"),
        _("%(days)s jours") % {"days": days},
        due.count(),
    )
    if wet_run and line.count:
        with transaction.atomic():
            line.count = due.delete()[0]
    return line


def _nudges_of_closed_years(*, wet_run: bool, now: datetime.datetime) -> Line:
    """A teacher's nudge is about the school year of its class: once the roll-over has archived the class, it has
    nothing left to say, and no statistic counts it."""
    due = Nudge.objects.filter(school_class__archived_at__isnull=False)
    line = Line("nudges_deleted", _("relances des classes archivées supprimées"), _("clôture de l'année"), due.count())
    if wet_run and line.count:
        with transaction.atomic():
            line.count = due.delete()[0]
    return line


def _transcripts(*, wet_run: bool, now: datetime.datetime) -> Line:
    """Live rooms keep their own rule (`realtime.services.transcripts_purge`, one transaction per room): it is
    called from here so that this one run lists every retention rule."""
    counts = transcripts_purge(apply=wet_run, now=now)
    detail = _("%(messages)s messages, %(questions)s questions, %(polls)s sondages, %(reports)s signalements") % counts
    period = _("%(days)s jours") % {"days": settings.REALTIME_RETENTION_DAYS}
    return Line("room_transcripts_purged", _("salons en direct vidés"), period, counts["rooms"], detail)


# Written by django-axes at each sign-in attempt: username, IP address, browser.
_SIGN_IN_LOGS = (AccessAttempt, AccessFailureLog, AccessLog)


def _sign_in_logs(*, wet_run: bool, now: datetime.datetime) -> Line:
    months = settings.RETENTION_SIGN_IN_LOG_MONTHS
    querysets = [model.objects.filter(attempt_time__lt=cutoff(now, months)) for model in _SIGN_IN_LOGS]
    line = Line(
        "sign_in_logs_deleted",
        _("journaux de connexion supprimés"),
        _months(months),
        sum(queryset.count() for queryset in querysets),
    )
    if wet_run and line.count:
        with transaction.atomic():
            line.count = sum(queryset.delete()[1].get(queryset.model._meta.label, 0) for queryset in querysets)
    return line


def _expired_sessions(*, wet_run: bool, now: datetime.datetime) -> Line:
    """Sessions past their expiry can no longer be used; Django leaves their rows behind."""
    due = Session.objects.filter(expire_date__lt=now)
    line = Line(
        "expired_sessions_deleted", _("sessions de connexion expirées supprimées"), _("à expiration"), due.count()
    )
    if wet_run and line.count:
        with transaction.atomic():
            line.count = due.delete()[0]
    return line


# Every retention rule, in the order they run (README.md has the same table).
RULES: list[Callable[..., Line]] = [
    _back_in_class,
    _anonymise_pupils,
    _feedback_answers,
    _feedback_invitations,
    _nudges_of_closed_years,
    _transcripts,
    _sign_in_logs,
    _expired_sessions,
]


def retention_apply(*, wet_run: bool, now: datetime.datetime | None = None) -> Report:
    """Applies every retention rule (`RULES`), each in its own transaction, and reports per rule what it changed —
    or, in a dry run, what it would change. Idempotent: a second run right after finds nothing."""
    now = now or timezone.now()
    report = Report(title=_("Conservation des données au %(date)s") % {"date": _paris(now)}, wet_run=wet_run)
    report.lines = [rule(wet_run=wet_run, now=now) for rule in RULES]
    if not report.total:
        report.conclusion = _("Rien à faire.")
    elif not wet_run:
        report.conclusion = _("Simulation : rien n'a changé. Relancez avec --wet-run pour appliquer.")
    else:
        report.conclusion = _("Appliqué.")
    return report
