"""Who is told what when a booking or a session changes: e-mails with an .ics attached (METHOD:REQUEST on a
confirmation, METHOD:CANCEL on a cancellation). Pupils usually have no e-mail address: their teacher is told.

The services call these functions after their transaction commits (`transaction.on_commit`); each one is safe to
call once per change. Inside a transaction, the e-mails still leave only after it commits.

Who is told:
- tutoring (booked, cancelled, rescheduled): the tutor, the pupil when she has an e-mail address, the teachers of
  her class, the staff of the tutor's association;
- a session booking (made, confirmed, waitlisted, declined, cancelled): the teachers of the class (or of the
  pupil) and whoever booked it, the pupil when she has an e-mail address; the association's staff when a booking
  waits for them or is cancelled; the professionals and facilitators when a class is confirmed or drops out;
- a session that changes or is cancelled: its professionals and facilitators, and the teachers and pupils of the
  bookings still on it.

Each e-mail is written in its recipient's time zone, in a text and an HTML part, and carries the event as that
recipient's calendar sees it (the same UID and SEQUENCE as in her private feed).
"""

import datetime
import logging
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.schools.selectors import pupil_current_class, pupil_teachers
from scheduling import calendar_selectors as people
from scheduling import ics
from scheduling.enums import SessionBookingStatus, SessionStatus
from scheduling.models import Booking, DiscoverySession, SessionBooking

logger = logging.getLogger(__name__)

ICS_NAMES = {ics.REQUEST: "invitation.ics", ics.CANCEL: "annulation.ics"}


# Building and sending ---------------------------------------------------------------------------------------------


def email_message(*, subject: str, text: str, html: str, to: list[str], attachments: list[tuple[str, str]]):
    """An e-mail with a text and an HTML part and its calendar attachments, each `(method, ics text)` sent as
    `text/calendar; method=...`."""
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    for method, content in attachments:
        part = MIMEText(content, "calendar", "utf-8")
        part.set_param("method", method)
        part.add_header("Content-Disposition", "attachment", filename=ICS_NAMES.get(method, "evenement.ics"))
        message.attach(part)
    return message


def render(recipient, *, template: str, context: dict) -> tuple[str, str]:
    """The text and HTML parts of `scheduling/email/<template>`, dates in the recipient's time zone."""
    with timezone.override(recipient.time_zone or settings.TIME_ZONE):
        context = {"recipient": recipient, "site_url": settings.SITE_URL, **context}
        text = render_to_string(f"scheduling/email/{template}.txt", context)
        html = render_to_string(f"scheduling/email/{template}.html", context)
    return text, html


def calendar_attachment(events, *, method: str, recipient) -> tuple[str, str]:
    return method, ics.calendar_bytes(events, method=method, attendee=recipient.email).decode()


def _deliver(*, recipient, subject: str, template: str, context: dict, attachments=()) -> None:
    """Queue one e-mail to `recipient` once the current transaction commits; nothing for people without e-mail."""
    if not recipient.email or not recipient.is_active:
        return
    text, html = render(recipient, template=template, context=context)
    payload = {
        "subject": subject,
        "text": text,
        "html": html,
        "to": [recipient.email],
        "attachments": [list(attachment) for attachment in attachments],
    }

    def send():
        from scheduling.tasks import send_calendar_email

        send_calendar_email.delay(**payload)

    transaction.on_commit(send)


def _by_name(by, *, recipient) -> str:
    if by is None:
        return _("la plateforme")
    if by.pk == recipient.pk:
        return _("vous")
    return by.display_name


# Tutoring ---------------------------------------------------------------------------------------------------------


def _fresh_booking(booking) -> Booking:
    """The booking as committed (the caller may hold `F()` expressions or stale fields)."""
    return Booking.objects.select_related("slot__tutor", "pupil__pupil_profile").get(pk=booking.pk)


def tutoring_recipients(booking) -> list[tuple[object, str]]:
    """(person, role) for a tutoring booking: tutor, pupil (if she has an e-mail), teachers, association staff."""
    pupil, tutor = booking.pupil, booking.slot.tutor
    recipients = [(tutor, "tutor")]
    if pupil.email:
        recipients.append((pupil, "pupil"))
    recipients += [(teacher, "teacher") for teacher in pupil_teachers(pupil)]
    recipients += [(staff, "staff") for staff in people.tutor_association_staff(tutor)]
    seen, unique = set(), []
    for person, role in recipients:
        if person.pk not in seen:
            seen.add(person.pk)
            unique.append((person, role))
    return unique


def _tutoring_context(booking, *, role: str) -> dict:
    school_class = pupil_current_class(booking.pupil) if role in ("teacher", "staff") else None
    return {
        "booking": booking,
        "role": role,
        "tutor_name": booking.slot.tutor.display_name,
        "pupil_name": booking.pupil.display_name,
        "class_name": school_class.name if school_class else "",
        "topic": people.topic_label(booking.topic),
        "link": people.page_url(people.TUTORING_PAGES, booking.pk),
        "calendar_link": people.page_url(("scheduling:calendar",)),
    }


def booking_booked(booking) -> None:
    """A pupil booked a tutoring slot: the tutor, the pupil (or her teacher) are told."""
    booking = _fresh_booking(booking)
    for recipient, role in tutoring_recipients(booking):
        event = people.booking_event(booking, viewer=recipient)
        _deliver(
            recipient=recipient,
            subject=_("Passerelle : rendez-vous de tutorat réservé (%(topic)s)")
            % {"topic": people.topic_label(booking.topic)},
            template="booking_booked",
            context=_tutoring_context(booking, role=role),
            attachments=[calendar_attachment([event], method=ics.REQUEST, recipient=recipient)],
        )


def booking_cancelled(booking, *, by) -> None:
    """A tutoring booking was cancelled by `by` (the pupil, the tutor or staff), with `booking.cancel_reason`."""
    booking = _fresh_booking(booking)
    for recipient, role in tutoring_recipients(booking):
        event = people.booking_event(booking, viewer=recipient)
        _deliver(
            recipient=recipient,
            subject=_("Passerelle : rendez-vous de tutorat annulé (%(topic)s)")
            % {"topic": people.topic_label(booking.topic)},
            template="booking_cancelled",
            context={**_tutoring_context(booking, role=role), "by_name": _by_name(by, recipient=recipient)},
            attachments=[calendar_attachment([event], method=ics.CANCEL, recipient=recipient)],
        )


def booking_rescheduled(old, new, *, by) -> None:
    """A tutoring booking moved: `old` is cancelled, `new` is booked."""
    old, new = _fresh_booking(old), _fresh_booking(new)
    for recipient, role in tutoring_recipients(new):
        _deliver(
            recipient=recipient,
            subject=_("Passerelle : rendez-vous de tutorat déplacé (%(topic)s)")
            % {"topic": people.topic_label(new.topic)},
            template="booking_rescheduled",
            context={
                **_tutoring_context(new, role=role),
                "old": old,
                "by_name": _by_name(by, recipient=recipient),
            },
            attachments=[
                calendar_attachment(
                    [people.booking_event(new, viewer=recipient)], method=ics.REQUEST, recipient=recipient
                ),
                calendar_attachment(
                    [people.booking_event(old, viewer=recipient)], method=ics.CANCEL, recipient=recipient
                ),
            ],
        )


# Discovery sessions -----------------------------------------------------------------------------------------------


def _session_context(session, **extra) -> dict:
    return {
        "session": session,
        "link": people.page_url(people.SESSION_PAGES, session.pk),
        "calendar_link": people.page_url(("scheduling:calendar",)),
        **extra,
    }


def _booking_party(session_booking) -> str:
    if session_booking.school_class_id:
        return session_booking.school_class.name
    return session_booking.pupil.display_name


def session_booking_changed(session_booking, *, by) -> None:
    """A class or pupil booking of a discovery session was made, confirmed, waitlisted, declined or cancelled."""
    session_booking = SessionBooking.objects.select_related(
        "session__association",
        "session__host_organisation",
        "school_class__school",
        "pupil__pupil_profile",
        "booked_by",
    ).get(pk=session_booking.pk)
    session = session_booking.session
    status = session_booking.status
    ended = status in (SessionBookingStatus.CANCELLED, SessionBookingStatus.DECLINED)
    method = ics.CANCEL if ended else ics.REQUEST if status == SessionBookingStatus.CONFIRMED else None
    subject = _("Passerelle : « %(title)s » — %(status)s") % {
        "title": session.title,
        "status": SessionBookingStatus(status).label,
    }
    party = _booking_party(session_booking)
    told = set()

    takers = list(people.session_booking_teachers(session_booking))
    if session_booking.pupil_id and session_booking.pupil.email:
        takers.insert(0, session_booking.pupil)
    event = people.session_event(session, session_booking=session_booking)
    for recipient in people.unique_people(takers):
        told.add(recipient.pk)
        _deliver(
            recipient=recipient,
            subject=subject,
            template="session_booking_changed",
            context=_session_context(
                session,
                session_booking=session_booking,
                party=party,
                role="taker",
                by_name=_by_name(by, recipient=recipient),
            ),
            attachments=[calendar_attachment([event], method=method, recipient=recipient)] if method else [],
        )

    others = []
    if status in (SessionBookingStatus.PENDING, SessionBookingStatus.CANCELLED):
        others += [(person, "staff") for person in people.association_staff([session.association_id])]
    if status == SessionBookingStatus.CONFIRMED or ended:
        others += [(person, "host") for person in people.session_hosts(session)]
    for recipient, role in others:
        if recipient.pk in told:
            continue
        told.add(recipient.pk)
        _deliver(
            recipient=recipient,
            subject=subject,
            template="session_booking_changed",
            context=_session_context(
                session,
                session_booking=session_booking,
                party=party,
                role=role,
                by_name=_by_name(by, recipient=recipient),
            ),
        )


def _bookings_to_tell(session) -> list[SessionBooking]:
    """The bookings still on a session; for a cancelled session, also those cancelled with it."""
    bookings = SessionBooking.objects.filter(session=session).select_related(
        "school_class__school", "pupil__pupil_profile", "booked_by"
    )
    if session.status != SessionStatus.CANCELLED:
        return list(bookings.filter(status__in=SessionBooking.ACTIVE))
    moment = (session.cancelled_at or session.updated_at or timezone.now()) - datetime.timedelta(minutes=5)
    return [
        booking
        for booking in bookings.exclude(status=SessionBookingStatus.DECLINED)
        if booking.status in SessionBooking.ACTIVE or booking.updated_at >= moment
    ]


def session_changed(session, *, by) -> None:
    """A discovery session's time, link or state changed (cancellation included): everyone taking part is told."""
    session = DiscoverySession.objects.select_related("association", "host_organisation").get(pk=session.pk)
    if session.status == SessionStatus.DRAFT:
        return
    cancelled = session.status == SessionStatus.CANCELLED
    if cancelled:
        subject = _("Passerelle : séquence « %(title)s » annulée") % {"title": session.title}
    else:
        subject = _("Passerelle : séquence « %(title)s » modifiée") % {"title": session.title}
    told = set()
    host_event = people.session_event(session)
    for recipient in people.session_hosts(session):
        told.add(recipient.pk)
        _deliver(
            recipient=recipient,
            subject=subject,
            template="session_changed",
            context=_session_context(session, role="host", by_name=_by_name(by, recipient=recipient)),
            attachments=[
                calendar_attachment([host_event], method=ics.CANCEL if cancelled else ics.REQUEST, recipient=recipient)
            ],
        )
    for session_booking in _bookings_to_tell(session):
        takers = list(people.session_booking_teachers(session_booking))
        if session_booking.pupil_id and session_booking.pupil.email:
            takers.insert(0, session_booking.pupil)
        event = people.session_event(session, session_booking=session_booking)
        if cancelled:
            method = ics.CANCEL
        elif session_booking.status == SessionBookingStatus.CONFIRMED and session.status == SessionStatus.PUBLISHED:
            method = ics.REQUEST
        else:
            method = None
        for recipient in people.unique_people(takers):
            if recipient.pk in told:
                continue
            told.add(recipient.pk)
            _deliver(
                recipient=recipient,
                subject=subject,
                template="session_changed",
                context=_session_context(
                    session,
                    role="taker",
                    session_booking=session_booking,
                    party=_booking_party(session_booking),
                    by_name=_by_name(by, recipient=recipient),
                ),
                attachments=[calendar_attachment([event], method=method, recipient=recipient)] if method else [],
            )
