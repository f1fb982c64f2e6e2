"""Reads about applications: what a pupil, an offer's managers and a class's teachers see, and who to notify.

Writes live in `backend.offers.applications`; views and tasks read through these functions only.
"""

import datetime
from collections import OrderedDict

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from backend.accounts.models import User
from backend.offers.enums import ApplicationStatus, Track
from backend.offers.models import Application, Offer, OfferWeek
from backend.schools.enums import LYCEE_PRO_LEVELS, Level
from backend.schools.models import Enrolment, SchoolClass

# Days an employer has to answer, days after which she is reminded, days a pupil has to confirm an acceptance.
ANSWER_DAYS = 15
REMINDER_DAYS = (7, 14)
CONFIRM_DAYS = 7

# The order in which the managers' list groups applications: what needs an answer first.
STATUS_ORDER = [
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.READ,
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.CONFIRMED,
    ApplicationStatus.DECLINED,
    ApplicationStatus.WITHDRAWN,
    ApplicationStatus.EXPIRED,
]
AWAITING_EMPLOYER = (ApplicationStatus.SUBMITTED, ApplicationStatus.READ)
# Levels whose pupils do a 3e observation internship; vocational-lycée levels do PFMPs; 4e pupils do neither.
OBSERVATION_LEVELS = {Level.TROISIEME, Level.TROISIEME_PREPA_METIERS, Level.TROISIEME_SEGPA}


def track_for_level(level: str) -> str | None:
    """The kind of internship a class level does: 3e → observation, lycée pro → PFMP, otherwise none."""
    if level in LYCEE_PRO_LEVELS:
        return Track.PFMP
    if level in OBSERVATION_LEVELS:
        return Track.OBSERVATION_3E
    return None


def today(now: datetime.datetime | None = None) -> datetime.date:
    return timezone.localdate(now or timezone.now())


def open_weeks(offer: Offer, *, now: datetime.datetime | None = None) -> QuerySet[OfferWeek]:
    """The offer's weeks a pupil may still ask for: starting after today, with a seat left."""
    return offer.weeks.filter(week_start__gt=today(now), seats_taken__lt=F("seats")).order_by("week_start")


def confirmed_week_starts(pupil: User) -> set[datetime.date]:
    """The Mondays of the weeks this pupil already has a confirmed internship."""
    return set(
        Application.objects.filter(pupil=pupil, status=ApplicationStatus.CONFIRMED).values_list(
            "week__week_start", flat=True
        )
    )


def application_of(pupil: User, offer: Offer) -> Application | None:
    if not getattr(pupil, "is_authenticated", False):
        return None
    return Application.objects.filter(pupil=pupil, offer=offer).first()


def with_related(queryset: QuerySet[Application]) -> QuerySet[Application]:
    return queryset.select_related(
        "offer__organisation", "offer__commune", "offer__association", "pupil__pupil_profile", "week"
    ).prefetch_related(Prefetch("weeks", queryset=OfferWeek.objects.order_by("week_start")))


def application_for_page(pk: int) -> Application | None:
    return with_related(Application.objects.filter(pk=pk)).first()


def pupil_applications(pupil: User) -> list[Application]:
    """Her applications, newest first, each with `has_unread_change` and `confirm_deadline`."""
    applications = list(with_related(Application.objects.filter(pupil=pupil)).order_by("-created_at"))
    for application in applications:
        decorate(application)
    return applications


def last_change_at(application: Application) -> datetime.datetime | None:
    """When the application last changed state, whoever changed it."""
    moments = [
        moment
        for moment in (application.read_at, application.answered_at, application.confirmed_at, application.closed_at)
        if moment is not None
    ]
    return max(moments, default=None)


def has_unread_change(application: Application) -> bool:
    """A change the pupil has not seen yet (she sees it on her applications page)."""
    changed = last_change_at(application)
    seen = application.pupil_seen_at or application.created_at
    return changed is not None and changed > seen


def confirm_deadline(application: Application) -> datetime.datetime | None:
    if application.status != ApplicationStatus.ACCEPTED or application.answered_at is None:
        return None
    return application.answered_at + datetime.timedelta(days=CONFIRM_DAYS)


def answer_deadline(application: Application) -> datetime.datetime | None:
    if application.status not in AWAITING_EMPLOYER:
        return None
    return application.created_at + datetime.timedelta(days=ANSWER_DAYS)


def decorate(application: Application) -> Application:
    application.has_unread_change = has_unread_change(application)
    application.confirm_deadline = confirm_deadline(application)
    application.answer_deadline = answer_deadline(application)
    application.offer_url = offer_url(application.offer)
    return application


def offer_url(offer: Offer) -> str:
    """The offer's public page (the catalogue's)."""
    return reverse("offers:detail", args=[offer.pk])


def offer_applications_by_status(offer: Offer) -> list[tuple[str, str, list[Application]]]:
    """The offer's applications grouped by state in `STATUS_ORDER`: (status, label, applications)."""
    applications = (
        with_related(offer.applications.all())
        .select_related("pupil__pupil_profile")
        .prefetch_related(
            Prefetch(
                "pupil__enrolments",
                queryset=Enrolment.objects.filter(left_at__isnull=True).select_related("school_class__school"),
                to_attr="current_enrolments",
            )
        )
    )
    groups: OrderedDict[str, list[Application]] = OrderedDict((status, []) for status in STATUS_ORDER)
    for application in applications.order_by("created_at"):
        decorate(application)
        enrolments = application.pupil.current_enrolments
        application.school_class = enrolments[0].school_class if enrolments else None
        groups[application.status].append(application)
    return [(status, ApplicationStatus(status).label, items) for status, items in groups.items() if items]


def offer_weeks_with_counts(offer: Offer) -> list[OfferWeek]:
    """The offer's weeks with `pending_count`: applications waiting for an answer that ask for that week."""
    return list(
        offer.weeks.annotate(
            pending_count=Count("applications", filter=Q(applications__status__in=AWAITING_EMPLOYER), distinct=True)
        ).order_by("week_start")
    )


def class_applications(school_class: SchoolClass) -> list[Application]:
    """Every application of the class's current pupils, by pupil then newest first."""
    pupils = Enrolment.objects.filter(school_class=school_class, left_at__isnull=True).values("pupil")
    applications = with_related(Application.objects.filter(pupil__in=pupils)).order_by(
        "pupil__last_name", "pupil__first_name", "pupil_id", "-created_at"
    )
    return [decorate(application) for application in applications]


def pupils_without_application(school_class: SchoolClass) -> list[User]:
    return list(
        User.objects.filter(enrolments__school_class=school_class, enrolments__left_at__isnull=True)
        .exclude(applications__isnull=False)
        .order_by("last_name", "first_name")
    )
