"""Reads for calendars, e-mails and reminders: who takes part in a booking or a session, who supervises it, and
the events a person's private feed holds.

Who sees what in a feed:
- tutoring bookings where the person is the pupil or the tutor;
- discovery sessions where she is a professional or a facilitator (one event with the session's UID);
- sessions booked for a class she teaches or booked by her, and those booked for her class or for herself as a
  pupil (one event per booking, with the booking's UID; its SEQUENCE adds the booking's and the session's, so
  that a change of either reaches the calendar). A host of a session sees only the session's event.
A video link is written only for those taking part in a confirmed, live session. Pupils are named by their
display name; a class by its name.
"""

import datetime
import hashlib

from django.conf import settings
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.enums import MembershipStatus
from backend.accounts.models import User
from backend.organisations.enums import AssociationRole
from backend.organisations.models import Association
from backend.schools.models import Enrolment, SchoolClass
from backend.schools.selectors import class_teachers, pupil_teachers
from scheduling.enums import BookingStatus, SessionBookingStatus, SessionStatus, SlotFormat, Topic
from scheduling.ics import CalendarEvent, event_uid
from scheduling.models import AvailabilitySettings, Booking, CalendarFeed, DiscoverySession, SessionBooking

# How far a feed looks back and ahead.
FEED_PAST = datetime.timedelta(days=60)
FEED_FUTURE = datetime.timedelta(days=400)

# Where the events link to, first name that exists wins (the pages belong to other areas of scheduling).
TUTORING_PAGES = ("scheduling:booking_detail", "scheduling:calendar")
SESSION_PAGES = ("scheduling:session_detail", "scheduling:calendar")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_by_token(token: str) -> CalendarFeed | None:
    """The live feed whose secret is `token`, with its user; None for an unknown or revoked one."""
    if not token or len(token) > 128:
        return None
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def live_feed(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


# People -----------------------------------------------------------------------------------------------------------


def association_staff(association_ids) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            association_memberships__association_id__in=list(association_ids),
            association_memberships__role=AssociationRole.STAFF,
            association_memberships__status=MembershipStatus.CONFIRMED,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def tutor_associations(tutor: User) -> list[Association]:
    """The association named in the tutor's settings, else those he is a confirmed tutor of."""
    chosen = (
        AvailabilitySettings.objects.filter(user=tutor, association__isnull=False)
        .values_list("association_id", flat=True)
        .first()
    )
    if chosen:
        return list(Association.objects.filter(pk=chosen))
    return list(
        Association.objects.filter(
            memberships__user=tutor,
            memberships__role=AssociationRole.TUTOR,
            memberships__status=MembershipStatus.CONFIRMED,
        ).distinct()
    )


def tutor_association_staff(tutor: User) -> list[User]:
    return association_staff(association.pk for association in tutor_associations(tutor))


def session_booking_teachers(session_booking: SessionBooking) -> list[User]:
    """Who answers for a session booking: the class's teachers (or the pupil's), and whoever booked it."""
    if session_booking.school_class_id:
        people = class_teachers(session_booking.school_class)
    else:
        people = pupil_teachers(session_booking.pupil)
    booker = session_booking.booked_by
    if booker is not None and booker.is_active and not booker.is_pupil and booker not in people:
        people.append(booker)
    return people


def session_hosts(session: DiscoverySession) -> list[User]:
    """The professionals and the facilitators of a session."""
    people = list(session.professionals.filter(is_active=True)) + list(session.facilitators.filter(is_active=True))
    return list(dict.fromkeys(people))


def unique_people(people) -> list[User]:
    """Each person once, in order."""
    return list(dict.fromkeys(person for person in people if person is not None))


# Events -----------------------------------------------------------------------------------------------------------


def page_path(names: tuple[str, ...], *args) -> str:
    """The path of the first page that exists among `names` (for the site's own pages)."""
    for name in names:
        try:
            return reverse(name, args=args or None)
        except NoReverseMatch:
            continue
    return reverse("scheduling:calendar")


def page_url(names: tuple[str, ...], *args) -> str:
    """The absolute URL of that page (for calendars and e-mails, read outside the site)."""
    return settings.SITE_URL + page_path(names, *args)


def topic_label(value: str) -> str:
    try:
        return str(Topic(value).label)
    except ValueError:
        return value


def booking_event(booking: Booking, *, viewer: User) -> CalendarEvent:
    """A tutoring booking seen by `viewer`: the pupil sees her tutor, everybody else sees the pupil's display name."""
    slot = booking.slot
    topic = topic_label(booking.topic)
    as_pupil = viewer.pk == booking.pupil_id
    if as_pupil:
        summary = _("Tutorat : %(topic)s avec %(name)s") % {"topic": topic, "name": slot.tutor.display_name}
    else:
        summary = _("Tutorat : %(topic)s avec %(name)s") % {"topic": topic, "name": booking.pupil.display_name}
    lines = [
        _("Format : %(format)s") % {"format": SlotFormat(slot.format).label},
        _("Tuteur ou tutrice : %(name)s") % {"name": slot.tutor.display_name},
        _("Élève : %(name)s") % {"name": booking.pupil.display_name},
    ]
    cancelled = booking.status == BookingStatus.CANCELLED
    if cancelled:
        lines.append(_("Rendez-vous annulé."))
        if booking.cancel_reason:
            lines.append(_("Motif : %(reason)s") % {"reason": booking.cancel_reason})
    return CalendarEvent(
        uid=event_uid(booking.uid),
        sequence=booking.sequence,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        summary=summary,
        description="\n".join(str(line) for line in lines),
        url=page_url(TUTORING_PAGES, booking.pk),
        path=page_path(TUTORING_PAGES, booking.pk),
        location=str(_("En ligne, sur Passerelle")),
        cancelled=cancelled,
        updated_at=booking.updated_at,
        kind="tutoring",
    )


def _session_lines(session: DiscoverySession) -> list[str]:
    lines = [
        _("Structure d'accueil : %(name)s") % {"name": session.host_organisation.name},
        _("Organisée par : %(name)s") % {"name": session.association.name},
    ]
    if session.description:
        lines.append(session.description)
    if session.materials:
        lines.append(_("Supports : %(materials)s") % {"materials": session.materials})
    if session.status == SessionStatus.CANCELLED:
        lines.append(_("Séquence annulée."))
        if session.cancel_reason:
            lines.append(_("Motif : %(reason)s") % {"reason": session.cancel_reason})
    return [str(line) for line in lines]


def session_event(session: DiscoverySession, *, session_booking: SessionBooking | None = None) -> CalendarEvent:
    """A discovery session, either as its hosts see it (no `session_booking`: the session's UID) or as a class or a
    pupil booked on it sees it (the booking's UID)."""
    session_cancelled = session.status == SessionStatus.CANCELLED
    summary = _("Séquence de découverte : %(title)s") % {"title": session.title}
    lines = _session_lines(session)
    if session_booking is None:
        cancelled = session_cancelled
        tentative = session.status in (SessionStatus.DRAFT, SessionStatus.PROPOSED)
        uid, sequence = session.uid, session.sequence
        updated_at = session.updated_at
    else:
        cancelled = session_cancelled or session_booking.status in (
            SessionBookingStatus.CANCELLED,
            SessionBookingStatus.DECLINED,
        )
        tentative = session.status == SessionStatus.PROPOSED or session_booking.status in (
            SessionBookingStatus.PENDING,
            SessionBookingStatus.WAITLISTED,
        )
        uid, sequence = session_booking.uid, session_booking.sequence + session.sequence
        updated_at = max(session.updated_at, session_booking.updated_at)
        if session_booking.school_class_id:
            lines.insert(0, str(_("Classe : %(name)s") % {"name": session_booking.school_class.name}))
        lines.append(
            str(_("Réservation : %(status)s") % {"status": SessionBookingStatus(session_booking.status).label})
        )
    live = not cancelled and not tentative
    return CalendarEvent(
        uid=event_uid(uid),
        sequence=sequence,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=summary,
        description="\n".join(lines),
        url=page_url(SESSION_PAGES, session.pk),
        path=page_path(SESSION_PAGES, session.pk),
        # The video link only for those taking part, once it is confirmed.
        location=session.video_url if live else str(_("En ligne (le lien est donné une fois la séquence confirmée)")),
        cancelled=cancelled,
        tentative=tentative and not cancelled,
        updated_at=updated_at,
        kind="session",
    )


# Pupils of a booked class see its confirmed bookings (and cancelled ones, so that their calendar drops them).
PUPIL_VISIBLE = (SessionBookingStatus.CONFIRMED, SessionBookingStatus.CANCELLED, SessionBookingStatus.DECLINED)


def _sessions_related(queryset):
    return queryset.select_related("association", "host_organisation")


def events_for(user: User, *, now: datetime.datetime | None = None) -> list[CalendarEvent]:
    """Everything the user's feed shows, from FEED_PAST ago to FEED_FUTURE ahead, by start time."""
    now = now or timezone.now()
    start, end = now - FEED_PAST, now + FEED_FUTURE
    events: list[CalendarEvent] = []

    bookings = (
        Booking.objects.filter(Q(pupil=user) | Q(slot__tutor=user), ends_at__gte=start, starts_at__lte=end)
        .select_related("slot__tutor", "pupil__pupil_profile")
        .order_by("starts_at", "pk")
    )
    events += [booking_event(booking, viewer=user) for booking in bookings]

    seen_sessions: set[int] = set()
    window = {"ends_at__gte": start, "starts_at__lte": end}
    hosted = _sessions_related(
        DiscoverySession.objects.filter(Q(professionals=user) | Q(facilitators=user), **window).exclude(
            status=SessionStatus.DRAFT
        )
    ).distinct()
    for session in hosted:
        seen_sessions.add(session.pk)
        events.append(session_event(session))

    taught = SchoolClass.objects.filter(
        teachers=user, school__staff__user=user, school__staff__status=MembershipStatus.CONFIRMED
    ).values("pk")
    own_class = Enrolment.objects.filter(pupil=user, left_at__isnull=True).values("school_class_id")
    session_bookings = (
        SessionBooking.objects.filter(
            Q(school_class__in=taught)
            | Q(booked_by=user)
            | Q(pupil=user)
            | Q(school_class__in=own_class, status__in=PUPIL_VISIBLE),
            session__ends_at__gte=start,
            session__starts_at__lte=end,
        )
        .exclude(session__status=SessionStatus.DRAFT)
        .select_related("session__association", "session__host_organisation", "school_class")
        .order_by("session__starts_at", "pk")
    )
    events += [
        session_event(sb.session, session_booking=sb) for sb in session_bookings if sb.session_id not in seen_sessions
    ]
    return sorted(events, key=lambda event: (event.starts_at, event.uid))
