"""Reads on discovery sessions: what people browse, the association's planner, requests, a class's calendar.

Times are UTC; weeks are ISO weeks in the viewer's zone (Monday 00:00 to the next Monday 00:00 local time).
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from backend.accounts.enums import MembershipStatus
from backend.accounts.models import User
from backend.organisations.enums import AssociationRole
from backend.organisations.models import Association, HostOrganisation
from backend.schools.models import Enrolment
from scheduling import permissions
from scheduling import selectors as tutoring_selectors
from scheduling.enums import RequestStatus, SessionBookingStatus, SessionStatus, Topic
from scheduling.models import DiscoverySession, SessionBooking, SessionRequest

# What a booking holds against the capacity: waiting ones hold nothing until they are promoted.
HOLDING = (SessionBookingStatus.PENDING, SessionBookingStatus.CONFIRMED)


def with_places(queryset: QuerySet[DiscoverySession]) -> QuerySet[DiscoverySession]:
    """Annotates `places_taken` (pending and confirmed) and `waiting` (waitlisted bookings)."""
    return queryset.annotate(
        places_taken=Sum("bookings__places", filter=Q(bookings__status__in=HOLDING), default=0),
        waiting=Count("bookings", filter=Q(bookings__status=SessionBookingStatus.WAITLISTED)),
    )


def places_taken(session: DiscoverySession) -> int:
    return (
        SessionBooking.objects.filter(session=session, status__in=HOLDING).aggregate(total=Sum("places", default=0))[
            "total"
        ]
        or 0
    )


def week_bounds(monday: datetime.date, time_zone: str) -> tuple[datetime.datetime, datetime.datetime]:
    """The UTC instants where the local week starting on `monday` begins and ends."""
    zone = zoneinfo.ZoneInfo(time_zone)
    start = datetime.datetime.combine(monday, datetime.time(0), tzinfo=zone)
    end = datetime.datetime.combine(monday + datetime.timedelta(days=7), datetime.time(0), tzinfo=zone)
    return start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)


def this_monday(time_zone: str, now: datetime.datetime | None = None) -> datetime.date:
    today = (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(time_zone)).date()
    return today - datetime.timedelta(days=today.weekday())


def _base():
    return DiscoverySession.objects.select_related("association", "host_organisation")


def published_sessions(
    *, sector: str = "", mode: str = "", start=None, end=None, now=None
) -> QuerySet[DiscoverySession]:
    """Sessions open to bookings that have not started, soonest first, with their places."""
    sessions = _base().filter(status=SessionStatus.PUBLISHED, starts_at__gt=now or timezone.now())
    if sector:
        sessions = sessions.filter(Q(sector=sector) | Q(sector__startswith=sector))
    if mode:
        sessions = sessions.filter(mode=mode)
    if start:
        sessions = sessions.filter(starts_at__gte=start)
    if end:
        sessions = sessions.filter(starts_at__lt=end)
    return with_places(sessions).order_by("starts_at", "pk")


def planner_sessions(user, *, start=None, end=None, include_past: bool = False) -> QuerySet[DiscoverySession]:
    """The planner: every session of the person's associations (all of them for platform staff)."""
    sessions = _base().prefetch_related("professionals", "facilitators")
    if not user.is_staff:
        sessions = sessions.filter(association_id__in=permissions.staffed_association_ids(user))
    if start:
        sessions = sessions.filter(ends_at__gt=start)
    if end:
        sessions = sessions.filter(starts_at__lt=end)
    if not include_past and not start:
        sessions = sessions.filter(ends_at__gt=timezone.now())
    return with_places(sessions).order_by("starts_at", "pk")


def session_bookings(session: DiscoverySession) -> list[SessionBooking]:
    """All bookings of a session, in the order they were made (the waiting list's order)."""
    return list(
        SessionBooking.objects.filter(session=session)
        .select_related("school_class__school", "pupil", "booked_by")
        .annotate(
            class_pupils=Count(
                "school_class__enrolments", filter=Q(school_class__enrolments__left_at__isnull=True), distinct=True
            )
        )
        .order_by("created_at", "pk")
    )


def waiting_position(booking: SessionBooking) -> int | None:
    """1 for the first on the waiting list; None when the booking is not waiting."""
    if booking.status != SessionBookingStatus.WAITLISTED:
        return None
    ahead = SessionBooking.objects.filter(
        session_id=booking.session_id, status=SessionBookingStatus.WAITLISTED
    ).filter(Q(created_at__lt=booking.created_at) | Q(created_at=booking.created_at, pk__lt=booking.pk))
    return ahead.count() + 1


def active_booking_for(session: DiscoverySession, *, school_class=None, pupil=None) -> SessionBooking | None:
    bookings = SessionBooking.objects.filter(session=session, status__in=SessionBooking.ACTIVE)
    if school_class is not None:
        return bookings.filter(school_class=school_class).first()
    return bookings.filter(pupil=pupil).first()


def bookings_of_user(user) -> QuerySet[SessionBooking]:
    """The bookings a person sees as hers: her classes' (teacher, head) or her own and her class's (pupil)."""
    bookings = SessionBooking.objects.select_related("session__association", "session__host_organisation")
    if user.is_pupil:
        return bookings.filter(
            Q(pupil=user) | Q(school_class__enrolments__pupil=user, school_class__enrolments__left_at__isnull=True)
        ).distinct()
    return bookings.filter(school_class__in=permissions.bookable_classes(user)).select_related("school_class")


def upcoming_bookings_of_user(user, *, now=None) -> list[SessionBooking]:
    return list(
        bookings_of_user(user)
        .filter(status__in=SessionBooking.ACTIVE, session__ends_at__gt=now or timezone.now())
        .order_by("session__starts_at")
    )


def confirmed_host_organisations() -> QuerySet[HostOrganisation]:
    """Host organisations with at least one confirmed member: those a session can be held with."""
    return HostOrganisation.objects.filter(memberships__status=MembershipStatus.CONFIRMED).distinct().order_by("name")


def organisation_members(organisation_ids) -> QuerySet[User]:
    """Confirmed members of these host organisations: the professionals a session can bring."""
    return (
        User.objects.filter(
            organisation_memberships__organisation_id__in=organisation_ids,
            organisation_memberships__status=MembershipStatus.CONFIRMED,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def association_staff(association_ids) -> QuerySet[User]:
    """Confirmed staff of these associations: the facilitators a session can have."""
    return (
        User.objects.filter(
            association_memberships__association_id__in=association_ids,
            association_memberships__role=AssociationRole.STAFF,
            association_memberships__status=MembershipStatus.CONFIRMED,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def staffed_associations(user) -> QuerySet[Association]:
    return Association.objects.filter(pk__in=permissions.staffed_association_ids(user)).order_by("name")


def requests_for(user) -> QuerySet[SessionRequest]:
    """Requests a person sees: those sent to her associations and those of the classes she books for."""
    requests = SessionRequest.objects.select_related("school_class__school", "association", "requested_by", "session")
    if user.is_staff:
        return requests
    return requests.filter(
        Q(association_id__in=permissions.staffed_association_ids(user))
        | Q(school_class__in=permissions.bookable_classes(user))
    )


def open_request_count(user) -> int:
    return (
        SessionRequest.objects.filter(
            association_id__in=permissions.staffed_association_ids(user), status=RequestStatus.OPEN
        ).count()
        if permissions.staffed_association_ids(user)
        else 0
    )


def pending_booking_count(user) -> int:
    """Bookings the person's associations still have to confirm."""
    return SessionBooking.objects.filter(
        session__association_id__in=permissions.staffed_association_ids(user),
        status=SessionBookingStatus.PENDING,
        session__status=SessionStatus.PUBLISHED,
        session__starts_at__gt=timezone.now(),
    ).count()


def busy_intervals(*, user_ids=(), class_ids=(), start, end, exclude_session=None) -> list[tuple]:
    """When these people and classes already have a session (not cancelled) between start and end: the
    sessions where they are a professional or a facilitator, and those their class is booked on."""
    sessions = DiscoverySession.objects.exclude(status=SessionStatus.CANCELLED).filter(
        starts_at__lt=end, ends_at__gt=start
    )
    if exclude_session is not None:
        sessions = sessions.exclude(pk=exclude_session.pk)
    who = Q(pk__in=[])
    if user_ids:
        who |= Q(professionals__in=user_ids) | Q(facilitators__in=user_ids)
    if class_ids:
        who |= Q(bookings__school_class__in=class_ids, bookings__status__in=SessionBooking.ACTIVE)
    return list(sessions.filter(who).distinct().values_list("starts_at", "ends_at"))


@dataclass(frozen=True)
class CalendarEntry:
    """One line of a class's calendar: a session of the class or a pupil's tutoring appointment."""

    kind: str  # "session" or "tutoring"
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    title: str
    detail: str
    status: str
    url: str = ""


def class_calendar(school_class, *, start, end) -> list[CalendarEntry]:
    """The class's sessions (booked for the class, or by one of its pupils) and its pupils' tutoring
    appointments between start and end, in time order. Pupils appear by their display name."""
    pupil_ids = list(
        Enrolment.objects.filter(school_class=school_class, left_at__isnull=True).values_list("pupil_id", flat=True)
    )
    bookings = (
        SessionBooking.objects.filter(Q(school_class=school_class) | Q(pupil_id__in=pupil_ids))
        .filter(session__starts_at__lt=end, session__ends_at__gt=start)
        .exclude(status__in=(SessionBookingStatus.DECLINED,))
        .select_related("session__host_organisation", "pupil")
    )
    entries = []
    for booking in bookings:
        session = booking.session
        who = booking.pupil.display_name if booking.pupil_id else school_class.name
        status = (
            session.get_status_display() if session.status == SessionStatus.CANCELLED else booking.get_status_display()
        )
        entries.append(
            CalendarEntry(
                kind="session",
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                title=session.title,
                detail=f"{session.host_organisation.name} · {who}",
                status=str(status),
                url=reverse("scheduling:session_detail", args=[session.pk]),
            )
        )
    if pupil_ids:
        tutoring = tutoring_selectors.tutoring_bookings_of_pupils(pupil_ids, start=start, end=end)
        for booking in tutoring:
            entries.append(
                CalendarEntry(
                    kind="tutoring",
                    starts_at=booking.starts_at,
                    ends_at=booking.ends_at,
                    title=str(_topic_label(booking.topic)),
                    detail=f"{booking.pupil.display_name} · {booking.slot.tutor.display_name}",
                    status=str(booking.get_status_display()),
                )
            )
    entries.sort(key=lambda entry: (entry.starts_at, entry.kind, entry.title))
    return entries


def _topic_label(topic: str) -> str:
    try:
        return Topic(topic).label
    except ValueError:
        return topic


def association_figures(user) -> dict:
    """The association home's block: the next sessions, requests to handle, bookings to confirm."""
    upcoming = planner_sessions(user).exclude(status=SessionStatus.CANCELLED)
    return {
        "sessions_upcoming": list(upcoming[:5]),
        "sessions_upcoming_count": upcoming.count(),
        "sessions_open_requests": open_request_count(user),
        "sessions_pending_bookings": pending_booking_count(user),
    }
