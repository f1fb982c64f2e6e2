"""The room page and its doors: who gets in (200, a redirect) or not (403, 404, the sign-in page), what a closed
room shows without a socket, and the links to the room on the session and booking pages — shown exactly to the
people the room lets in."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from realtime import permissions, services
from realtime.enums import ModerationKind
from realtime.models import Room
from tests import factories
from tests.realtime.factories import MessageFactory, OpenSessionRoomCast
from tests.scheduling.factories import SeatedBookingFactory, SessionBookingFactory, SessionsWorldFactory, SlotFactory

pytestmark = pytest.mark.django_db


def _config(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="room-config" type="application/json">') + len(
        '<script id="room-config" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


@pytest.fixture
def cast():
    return OpenSessionRoomCast()


def _outsiders():
    """A pupil of another class, a teacher of another school, a professional of another organisation."""
    return {
        "other_pupil": factories.EnrolmentFactory().pupil,
        "other_teacher": factories.SchoolStaffFactory().user,
        "other_professional": factories.OrganisationMembershipFactory(professional=True).user,
        "no_role": factories.UserFactory(),
    }


# --- The room page -------------------------------------------------------------------------------------------------


def test_participants_get_the_room_page(client, cast):
    for user in [*cast.pupils, cast.teacher, cast.professional, cast.staff]:
        client.force_login(user)
        response = client.get(reverse("realtime:room", args=[cast.room.pk]))
        assert response.status_code == 200, user
        assert cast.session.title in response.content.decode()


def test_everybody_else_gets_403_and_anonymous_people_the_sign_in_page(client, cast):
    url = reverse("realtime:room", args=[cast.room.pk])
    for name, user in _outsiders().items():
        client.force_login(user)
        assert client.get(url).status_code == 403, name
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_unknown_room_is_404(client, cast):
    client.force_login(cast.staff)
    assert client.get(reverse("realtime:room", args=[cast.room.pk + 1000])).status_code == 404


def test_a_person_removed_by_a_moderator_is_refused(client, cast):
    pupil = cast.pupils[0]
    services.participant_restrict(room=cast.room, actor=cast.teacher, user=pupil, action=ModerationKind.REMOVE)
    client.force_login(pupil)
    assert client.get(reverse("realtime:room", args=[cast.room.pk])).status_code == 403


def test_an_open_room_loads_the_script_with_the_latest_messages_and_translated_strings(client, cast):
    pupil = cast.pupils[0]
    for n in range(3):
        MessageFactory(room=cast.room, author=cast.professional, body=f"Bonjour {n}")
    client.force_login(pupil)
    response = client.get(reverse("realtime:room", args=[cast.room.pk]))
    html = response.content.decode()
    config = _config(response)
    assert config["state"] == "open"
    assert [frame["id"] for frame in config["messages"]] == [1, 2, 3]
    assert config["you"]["role"] == "pupil"
    assert config["you"]["moderator"] is False
    assert config["socket"] == f"/ws/rooms/{cast.room.pk}/"
    assert "realtime/room.js" in html
    assert 'aria-live="polite"' in html
    assert 'id="room-strings"' in html
    assert "Ton message" in html  # a pupil is addressed with "tu"
    # The session's video link, with how to join, for the people in the room.
    assert cast.session.video_url in html
    # Moderators' tools are not shown to a pupil.
    assert reverse("realtime:reports") not in html


def test_moderators_get_their_tools_and_links(client, cast):
    client.force_login(cast.teacher)
    response = client.get(reverse("realtime:room", args=[cast.room.pk]))
    html = response.content.decode()
    assert _config(response)["you"]["moderator"] is True
    assert reverse("realtime:room-log", args=[cast.room.pk]) in html
    assert reverse("realtime:reports") in html
    assert "Votre message" in html  # adults are addressed with "vous"


def test_a_room_not_yet_open_says_when_it_opens(client):
    world = SessionsWorldFactory()
    session = world.session(starts_at=timezone.now() + datetime.timedelta(days=2))
    SessionBookingFactory(session=session, school_class=world.school_class)
    room = services.room_for_session(session)
    client.force_login(world.pupils[0])
    response = client.get(reverse("realtime:room", args=[room.pk]))
    assert response.status_code == 200
    assert _config(response)["state"] == "not_yet_open"
    assert "Le salon ouvre le" in response.content.decode()


def test_a_closed_room_shows_its_transcript_without_a_socket(client):
    world = SessionsWorldFactory()
    session = world.session(starts_at=timezone.now() - datetime.timedelta(days=1))
    SessionBookingFactory(session=session, school_class=world.school_class)
    room = services.room_for_session(session)
    MessageFactory(room=room, author=world.professional, body="Merci à toutes et à tous !")
    removed = MessageFactory(room=room, author=world.pupils[0], body="Un message retiré")
    services.message_delete(message=removed, actor=world.teacher)
    client.force_login(world.pupils[1])
    response = client.get(reverse("realtime:room", args=[room.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Merci à toutes et à tous !" in html
    assert "Un message retiré" not in html
    assert "Message supprimé par la modération" in html
    assert "realtime/room.js" not in html
    assert 'id="room-config"' not in html


def test_a_long_transcript_comes_in_pages_and_bad_page_numbers_are_ignored(client):
    world = SessionsWorldFactory()
    session = world.session(starts_at=timezone.now() - datetime.timedelta(days=1))
    SessionBookingFactory(session=session, school_class=world.school_class)
    room = services.room_for_session(session)
    for n in range(1, 56):
        MessageFactory(room=room, author=world.professional, body=f"Message numéro {n:03d}")
    client.force_login(world.teacher)
    url = reverse("realtime:room", args=[room.pk])
    html = client.get(url).content.decode()
    assert "Message numéro 055" in html
    assert "Message numéro 005" not in html
    assert f"{url}?avant=6" in html
    earlier = client.get(f"{url}?avant=6").content.decode()
    assert "Message numéro 005" in earlier
    assert "Message numéro 006" not in earlier
    for bad in ("abc", "-3", "99999999999999999999999", ""):
        response = client.get(url, {"avant": bad})
        assert response.status_code == 200
        assert "Message numéro 055" in response.content.decode()


# --- The doors from a session and a booking -----------------------------------------------------------------------


def test_the_session_door_creates_the_room_and_sends_participants_in(client):
    world = SessionsWorldFactory()
    session = world.session()
    SessionBookingFactory(session=session, school_class=world.school_class)
    client.force_login(world.pupils[0])
    response = client.get(reverse("realtime:session-room", args=[session.pk]))
    room = Room.objects.get(session=session)
    assert response.status_code == 302
    assert response["Location"] == reverse("realtime:room", args=[room.pk])
    client.force_login(world.professional)
    assert client.get(reverse("realtime:session-room", args=[session.pk]))["Location"] == response["Location"]
    assert Room.objects.count() == 1


def test_the_session_door_refuses_outsiders_and_creates_nothing(client):
    world = SessionsWorldFactory()
    session = world.session()
    SessionBookingFactory(session=session, school_class=world.school_class, status="pending")
    # A class whose booking is not confirmed yet does not enter.
    for user in [world.pupils[0], world.teacher, *_outsiders().values()]:
        client.force_login(user)
        assert client.get(reverse("realtime:session-room", args=[session.pk])).status_code == 403
    assert not Room.objects.exists()
    assert client.get(reverse("realtime:session-room", args=[session.pk + 1000])).status_code == 404


def _tutoring():
    world = SessionsWorldFactory()
    pupil = world.pupils[0]
    slot = SlotFactory()
    booking = SeatedBookingFactory(slot=slot, pupil=pupil)
    return world, booking


def test_the_booking_door_lets_in_the_pupil_the_tutor_and_the_pupils_teacher(client):
    world, booking = _tutoring()
    for user in (booking.pupil, booking.slot.tutor, world.teacher):
        client.force_login(user)
        response = client.get(reverse("realtime:booking-room", args=[booking.pk]))
        assert response.status_code == 302, user
        room = Room.objects.get(booking=booking)
        assert response["Location"] == reverse("realtime:room", args=[room.pk])
        page = client.get(response["Location"])
        assert page.status_code == 200
        # Tutoring has no video field: the page says so and shows no link.
        assert "n'a pas de lien de visioconférence" in page.content.decode()
        assert _config(page)["you"]["speaker"] is (user == booking.slot.tutor or user == world.teacher)


def test_the_booking_door_refuses_everybody_else(client):
    world, booking = _tutoring()
    staff = factories.UserFactory(staff=True)
    for user in [world.pupils[1], world.professional, staff, *_outsiders().values()]:
        client.force_login(user)
        assert client.get(reverse("realtime:booking-room", args=[booking.pk])).status_code == 403, user
    assert not Room.objects.exists()
    assert client.get(reverse("realtime:booking-room", args=[booking.pk + 1000])).status_code == 404


# --- Links on the session and booking pages -------------------------------------------------------------------------


def _shows_link(client, user, url) -> bool | None:
    client.force_login(user)
    response = client.get(url)
    if response.status_code != 200:
        return None  # the page itself is closed to this person
    return 'id="room-link"' in response.content.decode()


def test_the_session_page_links_to_the_room_exactly_for_those_who_may_enter(client):
    world = SessionsWorldFactory()
    session = world.session()
    session.facilitators.add(factories.AssociationMembershipFactory(association=world.association).user)
    SessionBookingFactory(session=session, school_class=world.school_class)
    other_teacher, other_class = world.another_class()
    SessionBookingFactory(session=session, school_class=other_class, status="pending")
    head = factories.SchoolStaffFactory(school=world.school, head=True).user
    people = {
        "pupil": world.pupils[0],
        "teacher": world.teacher,
        "professional": world.professional,
        "facilitator": session.facilitators.get(),
        "association_staff": world.staff,
        "platform_staff": factories.UserFactory(staff=True),
        "teacher_of_a_pending_class": other_teacher,
        "school_head": head,
        **_outsiders(),
    }
    room = services.room_for_session(session)
    url = reverse("scheduling:session_detail", args=[session.pk])
    shown = {name: _shows_link(client, user, url) for name, user in people.items()}
    for name, user in people.items():
        if shown[name] is not None:
            assert shown[name] == permissions.can_enter(user, room), name
    assert all(shown[name] for name in ("pupil", "teacher", "professional", "association_staff"))
    assert shown["teacher_of_a_pending_class"] is False
    client.force_login(world.pupils[0])
    assert reverse("realtime:session-room", args=[session.pk]) in client.get(url).content.decode()
    # Somebody a moderator removed from the room no longer sees the way in.
    services.participant_restrict(room=room, actor=world.staff, user=world.pupils[0], action=ModerationKind.REMOVE)
    assert _shows_link(client, world.pupils[0], url) is False


def test_the_booking_page_links_to_the_room_exactly_for_those_who_may_enter(client):
    world, booking = _tutoring()
    staff = factories.UserFactory(staff=True)
    room = services.room_for_booking(booking)
    url = reverse("scheduling:booking_detail", args=[booking.pk])
    for user in (booking.pupil, booking.slot.tutor, world.teacher, staff, world.pupils[1]):
        shown = _shows_link(client, user, url)
        if shown is not None:
            assert shown == permissions.can_enter(user, room), user
    client.force_login(booking.pupil)
    assert reverse("realtime:booking-room", args=[booking.pk]) in client.get(url).content.decode()
    assert _shows_link(client, staff, url) is False
