"""The iCalendar writer: every output is parsed back with icalendar."""

import datetime

import pytest

from scheduling import calendar_selectors, ics
from scheduling.enums import SessionBookingStatus, SessionStatus
from tests.scheduling.calendar_support import PUPIL_SURNAME, make_people, parse

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def test_times_are_written_in_utc_across_the_spring_change():
    """10:00 in Paris on the day summer time starts (2027-03-28) is 08:00 UTC; the day before, 09:00 UTC."""
    paris = datetime.timezone(datetime.timedelta(hours=2))
    event = ics.CalendarEvent(
        uid="a@passerelle",
        sequence=3,
        starts_at=datetime.datetime(2027, 3, 28, 10, 0, tzinfo=paris),
        ends_at=datetime.datetime(2027, 3, 28, 10, 45, tzinfo=paris),
        summary="Tutorat",
    )
    body = ics.calendar_bytes([event])
    assert b"DTSTART:20270328T080000Z" in body
    (vevent,) = parse(body).walk("VEVENT")
    assert vevent.decoded("DTSTART") == datetime.datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    assert vevent.decoded("DTEND") == datetime.datetime(2027, 3, 28, 8, 45, tzinfo=UTC)
    assert vevent["SEQUENCE"] == 3
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert "METHOD" not in parse(body)


def test_an_attachment_names_organizer_and_attendee_and_a_cancel_is_cancelled():
    event = ics.CalendarEvent(
        uid="b@passerelle",
        sequence=1,
        starts_at=datetime.datetime(2027, 10, 31, 9, 0, tzinfo=UTC),
        ends_at=datetime.datetime(2027, 10, 31, 10, 0, tzinfo=UTC),
        summary="Séquence",
    )
    request = parse(ics.calendar_bytes([event], method=ics.REQUEST, attendee="prof@example.org"))
    assert str(request["METHOD"]) == "REQUEST"
    (vevent,) = request.walk("VEVENT")
    assert str(vevent["ORGANIZER"]).startswith("mailto:")
    assert str(vevent["ATTENDEE"]) == "mailto:prof@example.org"
    cancel = parse(ics.calendar_bytes([event], method=ics.CANCEL, attendee="prof@example.org"))
    assert str(cancel["METHOD"]) == "CANCEL"
    assert str(cancel.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


def test_a_booking_as_the_pupil_and_as_the_tutor_sees_it():
    people = make_people()
    booking = people.booking
    booking.sequence = 2
    mine = calendar_selectors.booking_event(booking, viewer=people.pupil)
    theirs = calendar_selectors.booking_event(booking, viewer=people.tutor)
    assert mine.uid == theirs.uid == f"{booking.uid}@passerelle"
    assert "Paul Tuteur" in mine.summary
    assert "Léa S." in theirs.summary
    for event in (mine, theirs):
        body = ics.calendar_bytes([event]).decode()
        assert PUPIL_SURNAME not in body
        (vevent,) = parse(body).walk("VEVENT")
        assert vevent["SEQUENCE"] == 2
        assert str(vevent["URL"]).endswith(f"/tutorat/rendez-vous/{booking.pk}/")


def test_a_session_shows_its_video_link_only_once_confirmed_and_live():
    people = make_people()
    session, session_booking = people.session, people.session_booking
    confirmed = calendar_selectors.session_event(session, session_booking=session_booking)
    assert confirmed.location == session.video_url
    assert confirmed.status == "CONFIRMED"

    session_booking.status = SessionBookingStatus.PENDING
    pending = calendar_selectors.session_event(session, session_booking=session_booking)
    assert pending.status == "TENTATIVE"
    assert session.video_url not in pending.location

    session.status = SessionStatus.CANCELLED
    session.cancel_reason = "Intervenante malade"
    cancelled = calendar_selectors.session_event(session, session_booking=session_booking)
    assert cancelled.status == "CANCELLED"
    assert session.video_url not in cancelled.location
    assert "Intervenante malade" in cancelled.description
    # The booking's UID; its SEQUENCE moves with both the booking and the session.
    session.sequence, session_booking.sequence = 2, 1
    assert calendar_selectors.session_event(session, session_booking=session_booking).sequence == 3
    assert calendar_selectors.session_event(session).uid == f"{session.uid}@passerelle"
