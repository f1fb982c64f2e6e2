"""Reads of the feedback questionnaires: who may answer what (and until when), what someone answered, the facts an
answer copies, and the aggregates the dashboards show.

Who takes part (the rules of time are in `rules`):
- a discovery session: the pupils of a confirmed booking — every current pupil of a confirmed class, or the pupil of
  a confirmed individual booking (scheduling's `bookings_of_user`) — and its hosts, the session's professionals and
  facilitators (scheduling's `is_session_speaker`). The host organisation's members who take part in a session are
  its professionals: the session form picks them among the organisation's confirmed members, and nothing else
  records who attended;
- a tutoring appointment: the pupil and the tutor (scheduling's `bookings_of_pupil` and `bookings_of_tutor`);
- an internship: the pupil, and the confirmed members of the offer's host organisation (employers and
  professionals).
A person may hold several of these roles at once (a professional who is also a tutor): her list gathers them all.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.enums import MembershipStatus
from backend.accounts.models import User
from backend.follow_up import rules
from backend.follow_up.enums import SLUG_OF_KIND, FeedbackKind, HelpedChoose, RespondentRole, Satisfaction
from backend.follow_up.models import TARGET_FIELDS, FeedbackAnswer
from backend.offers.enums import ApplicationStatus
from backend.offers.models import Application
from backend.organisations.enums import Sector
from backend.organisations.models import OrganisationMembership
from backend.schools.models import Enrolment
from backend.schools.selectors import current_enrolment
from scheduling import permissions as scheduling_permissions
from scheduling import selectors as tutoring_selectors
from scheduling import session_selectors
from scheduling.calendar_selectors import topic_label
from scheduling.enums import SessionBookingStatus, SessionStatus
from scheduling.models import Booking, DiscoverySession, SessionBooking

# The longest tutoring appointment: a search on the start finds every appointment that ends after a moment.
LONGEST_APPOINTMENT = datetime.timedelta(hours=2)
# An internship week ends at most this long after its Monday (Saturday 00:00 west of Paris, overseas included).
INTERNSHIP_WEEK = datetime.timedelta(days=7)


@dataclass
class Questionnaire:
    """One questionnaire of one person: what it is about, as whom she answers, when, and where it stands."""

    kind: str
    target: object  # the session, tutoring booking or application; None once the event was deleted
    target_id: int | None
    role: str
    title: str
    detail: str
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None
    held: bool = True
    state: rules.State = rules.State.OPEN
    week_start: datetime.date | None = None  # an internship: shown as its week (its Monday), not as a time
    answer: FeedbackAnswer | None = field(default=None, repr=False)

    @property
    def closes_at(self) -> datetime.datetime | None:
        return rules.closes_at(self.ends_at) if self.ends_at else None

    @property
    def is_open(self) -> bool:
        return self.state == rules.State.OPEN

    @property
    def url(self) -> str:
        return reverse("follow_up:answer", args=[SLUG_OF_KIND[self.kind], self.target_id])

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.kind, self.target_id)


# --- One questionnaire from its event -------------------------------------------------------------------------------


def _session_questionnaire(session: DiscoverySession, role: str) -> Questionnaire:
    return Questionnaire(
        kind=FeedbackKind.SESSION,
        target=session,
        target_id=session.pk,
        role=role,
        title=session.title,
        detail=_("Séquence de découverte avec %(organisation)s") % {"organisation": session.host_organisation.name},
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        held=rules.session_held(session.status),
    )


def _tutoring_questionnaire(booking: Booking, role: str) -> Questionnaire:
    other = booking.slot.tutor if role == RespondentRole.PUPIL else booking.pupil
    return Questionnaire(
        kind=FeedbackKind.TUTORING,
        target=booking,
        target_id=booking.pk,
        role=role,
        title=_("Tutorat avec %(name)s") % {"name": other.display_name},
        detail=topic_label(booking.topic),
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        held=rules.tutoring_held(booking.status),
    )


def _internship_time_zone(application: Application) -> str:
    commune = application.offer.commune
    return commune.time_zone if commune is not None else rules.DEFAULT_TIME_ZONE


def _internship_questionnaire(application: Application, role: str) -> Questionnaire:
    offer = application.offer
    if role == RespondentRole.PUPIL:
        detail = _("Stage chez %(organisation)s") % {"organisation": offer.organisation.name}
    else:
        detail = _("Stagiaire : %(name)s") % {"name": application.pupil.display_name}
    week = application.week
    starts_at = ends_at = None
    if week is not None:
        time_zone = _internship_time_zone(application)
        ends_at = rules.internship_ends_at(week.week_start, time_zone)
        starts_at = ends_at - datetime.timedelta(days=5)
    return Questionnaire(
        kind=FeedbackKind.INTERNSHIP,
        target=application,
        target_id=application.pk,
        role=role,
        title=offer.title,
        detail=detail,
        starts_at=starts_at,
        ends_at=ends_at,
        held=rules.internship_held(application.status) and week is not None,
        week_start=week.week_start if week is not None else None,
    )


def _with_state(questionnaire: Questionnaire, *, now, answered: bool) -> Questionnaire:
    if questionnaire.ends_at is None:
        questionnaire.state = rules.State.ANSWERED if answered else rules.State.NOT_HELD
    else:
        questionnaire.state = rules.state(
            held=questionnaire.held, ends_at=questionnaire.ends_at, now=now, answered=answered
        )
    return questionnaire


# --- Querysets of the events, with what their titles need -----------------------------------------------------------


def _sessions():
    return DiscoverySession.objects.select_related("host_organisation")


def _bookings():
    return Booking.objects.select_related("slot__tutor__pupil_profile", "pupil__pupil_profile")


def _applications():
    return Application.objects.select_related("offer__organisation", "offer__commune", "week", "pupil__pupil_profile")


def _confirmed_organisations(user):
    return OrganisationMembership.objects.filter(user=user, status=MembershipStatus.CONFIRMED).values(
        "organisation_id"
    )


# --- Who may answer one questionnaire -------------------------------------------------------------------------------


def _target(kind: str, target_id: int):
    if kind == FeedbackKind.SESSION:
        return _sessions().filter(pk=target_id).first()
    if kind == FeedbackKind.TUTORING:
        return _bookings().filter(pk=target_id).first()
    if kind == FeedbackKind.INTERNSHIP:
        return _applications().filter(pk=target_id).first()
    return None


def _role_in(user, kind: str, target) -> str | None:
    """As whom `user` took part in this event: "pupil", "host", or None when she did not."""
    if kind == FeedbackKind.SESSION:
        if user.is_pupil:
            confirmed = session_selectors.bookings_of_user(user).filter(
                session=target, status=SessionBookingStatus.CONFIRMED
            )
            return RespondentRole.PUPIL if confirmed.exists() else None
        return RespondentRole.HOST if scheduling_permissions.is_session_speaker(user, target) else None
    if kind == FeedbackKind.TUTORING:
        if target.pupil_id == user.pk:
            return RespondentRole.PUPIL
        return RespondentRole.HOST if target.slot.tutor_id == user.pk else None
    if target.pupil_id == user.pk:
        return RespondentRole.PUPIL
    if user.is_pupil:
        return None
    member = _confirmed_organisations(user).filter(organisation_id=target.offer.organisation_id).exists()
    return RespondentRole.HOST if member else None


BUILDERS = {
    FeedbackKind.SESSION: _session_questionnaire,
    FeedbackKind.TUTORING: _tutoring_questionnaire,
    FeedbackKind.INTERNSHIP: _internship_questionnaire,
}


def questionnaire_for(user, kind: str, target, *, now=None) -> Questionnaire | None:
    """The questionnaire of `target` (a session, tutoring booking or application) for `user`, in whatever state it
    stands (open, answered, not yet, closed, not held); None if she did not take part in it."""
    if target is None or not getattr(user, "is_authenticated", False):
        return None
    role = _role_in(user, kind, target)
    if role is None:
        return None
    answered = FeedbackAnswer.objects.filter(respondent=user, **{TARGET_FIELDS[kind]: target}).first()
    questionnaire = _with_state(BUILDERS[kind](target, role), now=now or timezone.now(), answered=bool(answered))
    questionnaire.answer = answered
    return questionnaire


def open_questionnaire_for(user, kind: str, target, *, now=None) -> Questionnaire | None:
    """The questionnaire of `target` if `user` may answer it now, else None. Asks the database nothing while the
    event has not ended or did not take place (the pages of upcoming events show no link at no cost)."""
    now = now or timezone.now()
    if target is None or not _may_be_open(kind, target, now):
        return None
    questionnaire = questionnaire_for(user, kind, target, now=now)
    return questionnaire if questionnaire is not None and questionnaire.is_open else None


def _may_be_open(kind: str, target, now) -> bool:
    if kind == FeedbackKind.SESSION:
        held, ends_at = rules.session_held(target.status), target.ends_at
    elif kind == FeedbackKind.TUTORING:
        held, ends_at = rules.tutoring_held(target.status), target.ends_at
    else:
        held = rules.internship_held(target.status) and target.week_id is not None
        ends_at = rules.internship_ends_at(target.week.week_start, _internship_time_zone(target)) if held else None
    return held and rules.state(held=True, ends_at=ends_at, now=now) == rules.State.OPEN


def questionnaire_of(user, kind: str, target_id: int, *, now=None) -> Questionnaire | None:
    """`questionnaire_for` from the kind and the id of the event."""
    if kind not in TARGET_FIELDS:
        return None
    return questionnaire_for(user, kind, _target(kind, target_id), now=now)


# --- Everything a person may still answer ---------------------------------------------------------------------------


def _answered_keys(user) -> set[tuple[str, int]]:
    rows = FeedbackAnswer.objects.filter(respondent=user).values_list(
        "kind", "session_id", "tutoring_booking_id", "application_id"
    )
    return {
        (kind, session_id or booking_id or application_id) for kind, session_id, booking_id, application_id in rows
    }


def _session_candidates(user, *, since, now) -> list[Questionnaire]:
    if user.is_pupil:
        bookings = (
            session_selectors.bookings_of_user(user)
            .filter(status=SessionBookingStatus.CONFIRMED, session__ends_at__gte=since, session__ends_at__lte=now)
            .select_related("session__host_organisation")
        )
        sessions = {booking.session_id: booking.session for booking in bookings}.values()
        role = RespondentRole.PUPIL
    else:
        sessions = (
            _sessions()
            .filter(Q(professionals=user) | Q(facilitators=user), ends_at__gte=since, ends_at__lte=now)
            .distinct()
        )
        role = RespondentRole.HOST
    return [_session_questionnaire(session, role) for session in sessions]


def _tutoring_candidates(user, *, since, now) -> list[Questionnaire]:
    if user.is_pupil:
        bookings = tutoring_selectors.bookings_of_pupil(user, upcoming=False, now=now).filter(ends_at__gte=since)
        role = RespondentRole.PUPIL
    else:
        bookings = tutoring_selectors.bookings_of_tutor(
            user, start=since - LONGEST_APPOINTMENT, end=now, include_cancelled=False
        ).filter(ends_at__gte=since, ends_at__lte=now)
        role = RespondentRole.HOST
    bookings = bookings.select_related("slot__tutor__pupil_profile")
    return [_tutoring_questionnaire(booking, role) for booking in bookings]


def _internship_candidates(user, *, since, now) -> list[Questionnaire]:
    applications = _applications().filter(
        status=ApplicationStatus.CONFIRMED,
        week__week_start__gte=(since - INTERNSHIP_WEEK).date(),
        week__week_start__lte=now.date(),
    )
    if user.is_pupil:
        applications, role = applications.filter(pupil=user), RespondentRole.PUPIL
    else:
        applications = applications.filter(offer__organisation_id__in=_confirmed_organisations(user))
        role = RespondentRole.HOST
    return [_internship_questionnaire(application, role) for application in applications]


def pending_questionnaires(user, *, now=None) -> list[Questionnaire]:
    """The questionnaires `user` may answer now, the ones closing soonest first. Four queries whatever their number:
    the sessions, the tutoring appointments and the internships that ended within the window, and her answers."""
    if not getattr(user, "is_authenticated", False):
        return []
    now = now or timezone.now()
    since = now - rules.window()
    candidates = [
        *_session_candidates(user, since=since, now=now),
        *_tutoring_candidates(user, since=since, now=now),
        *_internship_candidates(user, since=since, now=now),
    ]
    answered = _answered_keys(user)
    pending = [
        questionnaire
        for questionnaire in (_with_state(c, now=now, answered=c.key in answered) for c in candidates)
        if questionnaire.is_open
    ]
    return sorted(
        pending, key=lambda questionnaire: (questionnaire.ends_at, questionnaire.kind, questionnaire.target_id)
    )


def pending_count(user, *, now=None) -> int:
    return len(pending_questionnaires(user, now=now))


def answered_questionnaires(user) -> list[Questionnaire]:
    """What `user` answered, latest first, each with its answer (one query)."""
    answers = FeedbackAnswer.objects.filter(respondent=user).select_related(
        "session__host_organisation",
        "tutoring_booking__slot__tutor__pupil_profile",
        "tutoring_booking__pupil__pupil_profile",
        "application__offer__organisation",
        "application__offer__commune",
        "application__week",
        "application__pupil__pupil_profile",
    )
    result = []
    for answer in answers:
        target = getattr(answer, TARGET_FIELDS[answer.kind])
        if target is None:
            questionnaire = Questionnaire(
                kind=answer.kind,
                target=None,
                target_id=None,
                role=answer.respondent_role,
                title=answer.get_kind_display(),
                detail=_("Cet événement a été supprimé depuis."),
                starts_at=None,
                ends_at=None,
            )
        else:
            questionnaire = BUILDERS[answer.kind](target, answer.respondent_role)
        questionnaire.state = rules.State.ANSWERED
        questionnaire.answer = answer
        result.append(questionnaire)
    return result


# --- What an answer copies -----------------------------------------------------------------------------------------


def _association_of(questionnaire: Questionnaire) -> int | None:
    target = questionnaire.target
    if questionnaire.kind == FeedbackKind.SESSION:
        return target.association_id
    if questionnaire.kind == FeedbackKind.TUTORING:
        associations = tutoring_selectors.tutor_associations(target.slot.tutor)
        return min(associations) if associations else None
    return target.offer.association_id


def _sector_of(questionnaire: Questionnaire) -> str:
    target = questionnaire.target
    if questionnaire.kind == FeedbackKind.SESSION:
        sector = (target.sector or "")[:1]
    elif questionnaire.kind == FeedbackKind.INTERNSHIP:
        sector = target.offer.sector
    else:
        sector = ""
    return sector if sector in Sector.values else ""


def answer_facts(user, questionnaire: Questionnaire) -> dict:
    """The facts an answer keeps for the dashboards, as they stand now: the association (the session's; the tutor's
    — the one chosen in his settings, else the first of his associations; the one that posted the offer), the sector
    (the session's or the offer's grand domaine), and for a pupil her current class and school, the school's
    priority-education kind, QPV flag and département."""
    facts = {
        "association_id": _association_of(questionnaire),
        "sector": _sector_of(questionnaire),
        "school": None,
        "school_class": None,
        "school_priority": "",
        "school_qpv": None,
        "departement": "",
    }
    if questionnaire.role == RespondentRole.PUPIL:
        enrolment = current_enrolment(user)
        if enrolment is not None:
            school = enrolment.school_class.school
            facts.update(
                school=school,
                school_class=enrolment.school_class,
                school_priority=school.priority,
                school_qpv=school.qpv,
                departement=school.commune.departement_code,
            )
    return facts


# --- Who the daily e-mail may concern ------------------------------------------------------------------------------


def invitation_candidates(*, since: datetime.datetime, until: datetime.datetime) -> QuerySet[User]:
    """Active people with an e-mail address who took part in an event that ended between `since` and `until` (a
    superset, in one query: each one's own list then says what she may answer)."""
    sessions = DiscoverySession.objects.filter(status=SessionStatus.PUBLISHED, ends_at__gt=since, ends_at__lte=until)
    session_bookings = SessionBooking.objects.filter(session__in=sessions, status=SessionBookingStatus.CONFIRMED)
    class_pupils = Enrolment.objects.filter(
        left_at__isnull=True, school_class__in=session_bookings.values("school_class")
    ).values("pupil")
    bookings = Booking.objects.filter(status__in=rules.TUTORING_HELD, ends_at__gt=since, ends_at__lte=until)
    applications = Application.objects.filter(
        status=ApplicationStatus.CONFIRMED,
        week__week_start__gte=(since - INTERNSHIP_WEEK).date(),
        week__week_start__lte=until.date(),
    )
    hosts_of_offers = OrganisationMembership.objects.filter(
        status=MembershipStatus.CONFIRMED, organisation__in=applications.values("offer__organisation")
    ).values("user")
    took_part = (
        Q(pk__in=sessions.values("professionals"))
        | Q(pk__in=sessions.values("facilitators"))
        | Q(pk__in=session_bookings.values("pupil"))
        | Q(pk__in=class_pupils)
        | Q(pk__in=bookings.values("pupil"))
        | Q(pk__in=bookings.values("slot__tutor"))
        | Q(pk__in=applications.values("pupil"))
        | Q(pk__in=hosts_of_offers)
    )
    return User.objects.filter(took_part, is_active=True).exclude(email="").order_by("pk")


# --- Aggregates for the dashboards ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """What a set of answers says: how many, the mean satisfaction (one decimal), how many gave each note, and how
    many pupils said it helped them choose, with the percentage (one decimal) of the pupils who answered that."""

    count: int
    mean: Decimal | None
    distribution: dict[int, int]
    helped_choose: dict[str, int]
    helped_choose_share: dict[str, Decimal | None]

    @property
    def helped_choose_count(self) -> int:
        return sum(self.helped_choose.values())


def satisfaction_summary(answers: QuerySet[FeedbackAnswer]) -> Summary:
    """The summary of `answers` (any queryset of `FeedbackAnswer`, filtered by the helpers below or otherwise), in
    one query."""
    notes = {f"note_{note}": Count("pk", filter=Q(satisfaction=note)) for note in Satisfaction.values}
    helped = {f"helped_{value}": Count("pk", filter=Q(helped_choose=value)) for value in HelpedChoose.values}
    row = answers.order_by().aggregate(count=Count("pk"), mean=Avg("satisfaction"), **notes, **helped)
    helped_counts = {value: row[f"helped_{value}"] for value in HelpedChoose.values}
    helped_total = sum(helped_counts.values())
    return Summary(
        count=row["count"],
        mean=rules.one_decimal(row["mean"]),
        distribution={note: row[f"note_{note}"] for note in Satisfaction.values},
        helped_choose=helped_counts,
        helped_choose_share={value: rules.share(count, helped_total) for value, count in helped_counts.items()},
    )


def answers(*, kind: str | None = None, role: str | None = None, since=None, until=None) -> QuerySet[FeedbackAnswer]:
    """Every answer, or those of a kind (session, tutoring, internship), of a role (pupil, host), given between
    `since` (included) and `until` (excluded)."""
    queryset = FeedbackAnswer.objects.all()
    if kind:
        queryset = queryset.filter(kind=kind)
    if role:
        queryset = queryset.filter(respondent_role=role)
    if since is not None:
        queryset = queryset.filter(created_at__gte=since)
    if until is not None:
        queryset = queryset.filter(created_at__lt=until)
    return queryset


def answers_of_association(association, queryset: QuerySet[FeedbackAnswer] | None = None):
    """Answers about the association's sessions, its tutors' appointments and the offers it posted (the association
    copied when each answer was given)."""
    return (queryset if queryset is not None else answers()).filter(association=association)


def answers_of_school(school, queryset: QuerySet[FeedbackAnswer] | None = None):
    """Answers of the school's pupils (their school when they answered); adults' answers belong to no school."""
    return (queryset if queryset is not None else answers()).filter(school=school)


def answers_of_class(school_class, queryset: QuerySet[FeedbackAnswer] | None = None):
    """Answers of the class's pupils (their class when they answered)."""
    return (queryset if queryset is not None else answers()).filter(school_class=school_class)
