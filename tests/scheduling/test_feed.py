"""The private ICS feed and the "Mon agenda" page: a secret shown once, only its hash stored, revocable;
each person's feed holds what she takes part in, re-parsed with icalendar."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling import calendar_selectors, calendar_services
from scheduling.enums import BookingStatus, SessionBookingStatus, SessionStatus
from scheduling.models import Booking, CalendarFeed, SessionBooking
from tests import factories
from tests.scheduling.calendar_support import PUPIL_SURNAME, by_uid, make_people, parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return make_people(starts_at=(timezone.now() + datetime.timedelta(days=5)).replace(microsecond=0))


def feed_url(token: str) -> str:
    return reverse("scheduling:feed", kwargs={"token": token})


def read_feed(client, user):
    response = client.get(feed_url(calendar_services.feed_create(user=user)))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return response.content


def test_the_agenda_page_shows_a_new_address_once_and_stores_only_its_hash(client, people):
    client.force_login(people.teacher)
    page = client.get(reverse("scheduling:calendar"))
    assert "Créer mon adresse d'agenda" in page.content.decode()

    response = client.post(reverse("scheduling:calendar"), {"action": "create"}, follow=True)
    html = response.content.decode()
    assert 'id="feed-url"' in html
    url = html.split('id="feed-url" name="feed-url" value="')[1].split('"')[0]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(user=people.teacher, revoked_at__isnull=True)
    assert feed.token_hash == calendar_selectors.token_hash(token) != token
    assert token not in str(CalendarFeed.objects.values_list().get())

    # Shown once: the next visit no longer shows it, but says an address is active.
    again = client.get(reverse("scheduling:calendar")).content.decode()
    assert token not in again
    assert "Adresse active depuis" in again
    assert client.get(url).status_code == 200


def test_renewing_stops_the_old_address_and_revoking_stops_the_new_one(client, people):
    old = calendar_services.feed_create(user=people.pupil)
    client.force_login(people.pupil)
    client.post(reverse("scheduling:calendar"), {"action": "renew"})
    assert client.get(feed_url(old)).status_code == 404
    live = CalendarFeed.objects.get(user=people.pupil, revoked_at__isnull=True)

    client.post(reverse("scheduling:calendar"), {"action": "revoke"})
    live.refresh_from_db()
    assert live.revoked_at is not None
    assert not CalendarFeed.objects.filter(user=people.pupil, revoked_at__isnull=True).exists()


def test_an_unknown_address_is_not_found_and_a_feed_is_never_cached(client, people):
    assert client.get(feed_url("nope")).status_code == 404
    assert client.get(feed_url("x" * 300)).status_code == 404
    token = calendar_services.feed_create(user=people.tutor)
    response = client.get(feed_url(token))  # no session: calendar applications do not sign in
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert CalendarFeed.objects.get(user=people.tutor).last_used_at is not None


def test_an_inactive_person_s_feed_is_gone(client, people):
    token = calendar_services.feed_create(user=people.tutor)
    people.tutor.is_active = False
    people.tutor.save()
    assert client.get(feed_url(token)).status_code == 404


def test_pupil_and_tutor_see_their_booking_with_one_uid_and_no_surname(client, people):
    uid = f"{people.booking.uid}@passerelle"
    for user in (people.pupil, people.tutor):
        body = read_feed(client, user)
        assert PUPIL_SURNAME.encode() not in body
        event = by_uid(body)[uid]
        assert event.decoded("DTSTART") == people.booking.starts_at
        assert str(event["STATUS"]) == "CONFIRMED"
    # The pupil's class is booked on a confirmed session: she sees it too, with its link.
    pupil_events = by_uid(read_feed(client, people.pupil))
    session_event = pupil_events[f"{people.session_booking.uid}@passerelle"]
    assert str(session_event["LOCATION"]) == people.session.video_url


def test_a_cancelled_booking_stays_in_the_feed_as_cancelled_with_its_sequence(client, people):
    Booking.objects.filter(pk=people.booking.pk).update(
        status=BookingStatus.CANCELLED, sequence=1, cancel_reason="Empêchement"
    )
    event = by_uid(read_feed(client, people.tutor))[f"{people.booking.uid}@passerelle"]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert "Empêchement" in str(event["DESCRIPTION"])


def test_sessions_reach_hosts_with_the_session_uid_and_teachers_with_the_booking_uid(client, people):
    session, session_booking = people.session, people.session_booking
    for host in (people.professional, people.facilitator):
        events = by_uid(read_feed(client, host))
        assert set(events) == {f"{session.uid}@passerelle"}
        assert str(events[f"{session.uid}@passerelle"]["LOCATION"]) == session.video_url
    teacher_events = by_uid(read_feed(client, people.teacher))
    event = teacher_events[f"{session_booking.uid}@passerelle"]
    assert "3e B" in str(event["DESCRIPTION"])
    # The association's staff who do not facilitate it, and people of other classes, do not see it.
    assert not by_uid(read_feed(client, people.staff))
    other_pupil = factories.EnrolmentFactory().pupil
    assert not by_uid(read_feed(client, other_pupil))


def test_a_pending_class_booking_is_tentative_without_link_and_hidden_from_pupils(client, people):
    SessionBooking.objects.filter(pk=people.session_booking.pk).update(status=SessionBookingStatus.PENDING)
    event = by_uid(read_feed(client, people.teacher))[f"{people.session_booking.uid}@passerelle"]
    assert str(event["STATUS"]) == "TENTATIVE"
    assert people.session.video_url not in str(event.get("LOCATION", ""))
    assert f"{people.session_booking.uid}@passerelle" not in by_uid(read_feed(client, people.pupil))


def test_a_cancelled_session_is_cancelled_for_everybody(client, people):
    people.session.status = SessionStatus.CANCELLED
    people.session.sequence = 1
    people.session.save()
    for user, uid in (
        (people.professional, people.session.uid),
        (people.teacher, people.session_booking.uid),
        (people.pupil, people.session_booking.uid),
    ):
        event = by_uid(read_feed(client, user))[f"{uid}@passerelle"]
        assert str(event["STATUS"]) == "CANCELLED"
        assert people.session.video_url not in str(event.get("LOCATION", ""))


def test_the_agenda_page_lists_upcoming_events_in_the_viewer_s_zone(client, people):
    client.force_login(people.teacher)  # La Réunion: UTC+4
    html = client.get(reverse("scheduling:calendar")).content.decode()
    local = timezone.localtime(people.session.starts_at, timezone=datetime.timezone(datetime.timedelta(hours=4)))
    assert "<caption>" in html
    assert local.strftime("%H:%M") in html
    assert "Les métiers du soin" in html
    assert PUPIL_SURNAME not in html


def test_every_feed_parses(client, people):
    for user in (people.pupil, people.tutor, people.teacher, people.professional, people.facilitator, people.staff):
        calendar = parse(read_feed(client, user))
        assert str(calendar["VERSION"]) == "2.0"


def test_a_pupil_booked_on_her_own_sees_the_session_with_her_booking_uid(client, people):
    from scheduling.enums import SessionMode

    people.session.mode = SessionMode.INDIVIDUAL
    people.session.save()
    pupil = factories.EnrolmentFactory().pupil
    own = SessionBooking.objects.create(
        session=people.session, pupil=pupil, booked_by=pupil, status=SessionBookingStatus.CONFIRMED
    )
    events = by_uid(read_feed(client, pupil))
    assert set(events) == {f"{own.uid}@passerelle"}
    assert str(events[f"{own.uid}@passerelle"]["LOCATION"]) == people.session.video_url
