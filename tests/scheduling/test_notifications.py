"""E-mails when bookings and sessions change: who is told, in which zone, with which .ics (re-parsed)."""

import datetime

import pytest
from django.core import mail

from scheduling import notifications
from scheduling.enums import BookingStatus, SessionBookingStatus, SessionStatus
from scheduling.models import Booking, SessionBooking
from tests import factories
from tests.scheduling.calendar_support import PUPIL_SURNAME, make_people, parse

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


@pytest.fixture
def people():
    # 2027-10-31 09:00 UTC: the Sunday winter time comes back in Paris (10:00 there), 13:00 in La Réunion.
    return make_people(starts_at=datetime.datetime(2027, 10, 31, 9, 0, tzinfo=UTC))


def outbox_by_address() -> dict:
    return {message.to[0]: message for message in mail.outbox}


def calendars(message) -> list[tuple[str, object]]:
    """(method parameter of the part, parsed calendar) for each text/calendar attachment."""
    found = []
    for part in message.attachments:
        assert part.get_content_type() == "text/calendar"
        found.append((part.get_param("method"), parse(part.get_payload(decode=True))))
    return found


def html_of(message) -> str:
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return html


def test_a_booking_tells_tutor_teacher_and_association_staff_with_an_invitation(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.booking_booked(people.booking)
    sent = outbox_by_address()
    # The pupil has no e-mail; the association's staff are Sami and the facilitator.
    assert set(sent) == {people.tutor.email, people.teacher.email, people.staff.email, people.facilitator.email}
    for message in sent.values():
        assert PUPIL_SURNAME not in message.body
        assert PUPIL_SURNAME not in html_of(message)
        ((method, calendar),) = calendars(message)
        assert method == "REQUEST"
        assert str(calendar["METHOD"]) == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        assert str(event["UID"]) == f"{people.booking.uid}@passerelle"
        assert event.decoded("DTSTART") == people.booking.starts_at
    # Each in her own zone: the teacher lives in La Réunion (13:00), the tutor in Paris (10:00).
    assert "13:00" in sent[people.teacher.email].body
    assert "La Réunion" in sent[people.teacher.email].body
    assert "10:00" in sent[people.tutor.email].body
    assert "3e B" in sent[people.teacher.email].body


def test_a_pupil_with_an_e_mail_is_told_herself(people, django_capture_on_commit_callbacks):
    people.pupil.email = "lea@example.org"
    people.pupil.save()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.booking_booked(people.booking)
    assert "lea@example.org" in outbox_by_address()


def test_nothing_leaves_before_the_transaction_commits(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notifications.booking_booked(people.booking)
    assert not mail.outbox
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 4


def test_a_cancellation_carries_a_cancel_with_the_reason(people, django_capture_on_commit_callbacks):
    Booking.objects.filter(pk=people.booking.pk).update(
        status=BookingStatus.CANCELLED, sequence=1, cancel_reason="Tuteur malade"
    )
    with django_capture_on_commit_callbacks(execute=True):
        notifications.booking_cancelled(people.booking, by=people.tutor)
    sent = outbox_by_address()
    assert "Tuteur malade" in sent[people.teacher.email].body
    assert "par Paul Tuteur" in sent[people.teacher.email].body
    assert "par vous" in sent[people.tutor.email].body
    ((method, calendar),) = calendars(sent[people.teacher.email])
    assert method == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1


def test_a_reschedule_invites_to_the_new_time_and_cancels_the_old(people, django_capture_on_commit_callbacks):
    old = people.booking
    Booking.objects.filter(pk=old.pk).update(status=BookingStatus.CANCELLED, sequence=1, cancel_reason="Décalé")
    slot = factories_slot(people, hours=26)
    new = Booking.objects.create(
        slot=slot, pupil=people.pupil, topic="cv", starts_at=slot.starts_at, ends_at=slot.ends_at, rescheduled_from=old
    )
    with django_capture_on_commit_callbacks(execute=True):
        notifications.booking_rescheduled(old, new, by=people.pupil)
    message = outbox_by_address()[people.tutor.email]
    (request, request_calendar), (cancel, cancel_calendar) = calendars(message)
    assert (request, cancel) == ("REQUEST", "CANCEL")
    assert str(request_calendar.walk("VEVENT")[0]["UID"]) == f"{new.uid}@passerelle"
    assert str(cancel_calendar.walk("VEVENT")[0]["UID"]) == f"{old.uid}@passerelle"
    assert "Léa S." in message.body


def factories_slot(people, *, hours: int):
    from tests.scheduling.factories import SlotFactory

    starts_at = people.booking.starts_at + datetime.timedelta(hours=hours)
    return SlotFactory(tutor=people.tutor, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(minutes=45))


def test_a_pending_class_booking_tells_the_teacher_and_the_association_without_invitation(
    people, django_capture_on_commit_callbacks
):
    SessionBooking.objects.filter(pk=people.session_booking.pk).update(status=SessionBookingStatus.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.session_booking_changed(people.session_booking, by=people.teacher)
    sent = outbox_by_address()
    # The staff of the association (facilitator included) must confirm; the professional waits for that.
    assert set(sent) == {people.teacher.email, people.staff.email, people.facilitator.email}
    assert all(not message.attachments for message in sent.values())
    assert "attend la confirmation" in sent[people.staff.email].body
    assert people.session.video_url not in sent[people.teacher.email].body


def test_a_confirmed_class_booking_invites_the_teacher_and_tells_the_hosts(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.session_booking_changed(people.session_booking, by=people.staff)
    sent = outbox_by_address()
    assert set(sent) == {people.teacher.email, people.professional.email, people.facilitator.email}
    teacher_message = sent[people.teacher.email]
    assert people.session.video_url in teacher_message.body
    ((method, calendar),) = calendars(teacher_message)
    assert method == "REQUEST"
    assert str(calendar.walk("VEVENT")[0]["UID"]) == f"{people.session_booking.uid}@passerelle"
    assert not sent[people.professional.email].attachments


def test_a_cancelled_session_cancels_everyone_s_event(people, django_capture_on_commit_callbacks):
    people.session.status = SessionStatus.CANCELLED
    people.session.cancel_reason = "Grève des transports"
    people.session.sequence = 1
    people.session.save()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.session_changed(people.session, by=people.staff)
    sent = outbox_by_address()
    assert set(sent) == {people.professional.email, people.facilitator.email, people.teacher.email}
    for address, uid in (
        (people.professional.email, people.session.uid),
        (people.teacher.email, people.session_booking.uid),
    ):
        ((method, calendar),) = calendars(sent[address])
        assert method == "CANCEL"
        event = calendar.walk("VEVENT")[0]
        assert str(event["UID"]) == f"{uid}@passerelle"
        assert str(event["STATUS"]) == "CANCELLED"
        assert "Grève des transports" in sent[address].body


def test_a_moved_session_re_invites_hosts_and_confirmed_classes(people, django_capture_on_commit_callbacks):
    other_class = factories.SchoolClassFactory(school=people.school, teachers=[people.teacher])
    SessionBooking.objects.create(
        session=people.session, school_class=other_class, status=SessionBookingStatus.WAITLISTED
    )
    with django_capture_on_commit_callbacks(execute=True):
        notifications.session_changed(people.session, by=people.staff)
    sent = outbox_by_address()
    # The teacher is told once, about the first of her bookings (confirmed: with its invitation).
    assert [message.to[0] for message in mail.outbox].count(people.teacher.email) == 1
    ((method, _calendar),) = calendars(sent[people.teacher.email])
    assert method == "REQUEST"
    ((method, _calendar),) = calendars(sent[people.professional.email])
    assert method == "REQUEST"


def test_a_draft_session_tells_nobody(people, django_capture_on_commit_callbacks):
    people.session.status = SessionStatus.DRAFT
    people.session.save()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.session_changed(people.session, by=people.staff)
    assert not mail.outbox


def test_the_tutoring_service_s_cancellation_reaches_the_teacher_with_its_new_sequence(
    people, django_capture_on_commit_callbacks
):
    from scheduling import services

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(
            booking=people.booking,
            by=people.tutor,
            reason="Je serai en déplacement",
            now=people.booking.starts_at - datetime.timedelta(days=3),
        )
    message = outbox_by_address()[people.teacher.email]
    assert "Je serai en déplacement" in message.body
    ((method, calendar),) = calendars(message)
    assert method == "CANCEL"
    assert calendar.walk("VEVENT")[0]["SEQUENCE"] == 1
