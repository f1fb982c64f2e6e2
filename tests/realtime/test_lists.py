"""The rooms one may enter ("Mes salons"): who sees which, how they are grouped, and the page."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backend.organisations.enums import AssociationRole
from realtime import permissions, selectors, services
from realtime.enums import ModerationKind, RoomState
from realtime.models import ModerationAction
from scheduling.enums import BookingStatus, SessionBookingStatus, SessionStatus
from tests import factories
from tests.scheduling.factories import SeatedBookingFactory, SessionBookingFactory, SessionsWorldFactory

pytestmark = pytest.mark.django_db


class Cast:
    """A class with three pupils and its teacher, confirmed on a session under way, one to come and one that ended
    two days ago; a session the class is only pending on; another class's session; a tutor of the association with
    a booking of the first pupil and one of a pupil of the other class."""

    def __init__(self):
        self.now = timezone.now().replace(second=0, microsecond=0)
        world = self.world = SessionsWorldFactory()
        self.teacher, self.pupils, self.staff = world.teacher, world.pupils, world.staff
        self.professional = world.professional
        self.current = self.session(minutes=-10)
        self.upcoming = self.session(minutes=3 * 24 * 60)
        self.ended = self.session(minutes=-2 * 24 * 60)
        self.pending = world.session(starts_at=self.now + datetime.timedelta(days=4))
        SessionBookingFactory(
            session=self.pending, school_class=world.school_class, status=SessionBookingStatus.PENDING
        )
        self.other_teacher, self.other_class = world.another_class()
        self.other_session = world.session(starts_at=self.now + datetime.timedelta(days=5))
        SessionBookingFactory(session=self.other_session, school_class=self.other_class)
        self.other_pupil = self.other_class.enrolments.first().pupil
        self.tutor = factories.UserFactory()
        factories.AssociationMembershipFactory(
            user=self.tutor, association=world.association, role=AssociationRole.TUTOR
        )
        self.tutoring = self.booking(self.pupils[0], days=2)
        self.other_tutoring = self.booking(self.other_pupil, days=6)
        self.head = factories.SchoolStaffFactory(school=world.school, head=True).user
        self.platform = factories.UserFactory(staff=True)

    def session(self, *, minutes: int):
        session = self.world.session(starts_at=self.now + datetime.timedelta(minutes=minutes))
        SessionBookingFactory(session=session, school_class=self.world.school_class)
        return session

    def booking(self, pupil, *, days: int):
        starts_at = self.now + datetime.timedelta(days=days)
        return SeatedBookingFactory(
            pupil=pupil,
            slot__tutor=self.tutor,
            slot__starts_at=starts_at,
            slot__ends_at=starts_at + datetime.timedelta(minutes=45),
        )

    def everybody(self):
        return [
            *self.pupils,
            self.other_pupil,
            self.teacher,
            self.other_teacher,
            self.head,
            self.professional,
            self.staff,
            self.tutor,
            self.platform,
        ]


def keys(entries) -> set:
    return {(entry.kind, entry.object_id) for entry in entries}


def listed(user, now) -> set:
    lists = selectors.rooms_for(user, now=now)
    return keys(lists.current) | keys(lists.upcoming) | keys(lists.ended)


@pytest.fixture
def cast():
    return Cast()


def test_a_teacher_sees_every_room_of_her_class_grouped(cast):
    lists = selectors.rooms_for(cast.teacher, now=cast.now)

    assert keys(lists.current) == {("session", cast.current.pk)}
    # Her pupil's tutoring is a room of her class too.
    assert keys(lists.upcoming) == {("session", cast.upcoming.pk), ("booking", cast.tutoring.pk)}
    assert keys(lists.ended) == {("session", cast.ended.pk)}
    assert [entry.object_id for entry in lists.upcoming] == [cast.tutoring.pk, cast.upcoming.pk]  # soonest first
    assert lists.current[0].state == RoomState.OPEN
    assert lists.upcoming[0].state == RoomState.NOT_YET_OPEN
    assert lists.ended[0].state == RoomState.CLOSED


def test_pupils_see_their_own_rooms_only(cast):
    sessions = {("session", s.pk) for s in (cast.current, cast.upcoming, cast.ended)}
    assert listed(cast.pupils[0], cast.now) == sessions | {("booking", cast.tutoring.pk)}
    assert listed(cast.pupils[1], cast.now) == sessions
    assert listed(cast.other_pupil, cast.now) == {
        ("session", cast.other_session.pk),
        ("booking", cast.other_tutoring.pk),
    }


def test_each_adult_sees_the_rooms_of_what_they_take_part_in(cast):
    all_sessions = {
        ("session", s.pk) for s in (cast.current, cast.upcoming, cast.ended, cast.pending, cast.other_session)
    }
    bookings = {("booking", cast.tutoring.pk), ("booking", cast.other_tutoring.pk)}
    assert listed(cast.tutor, cast.now) == bookings
    assert listed(cast.professional, cast.now) == all_sessions
    assert listed(cast.staff, cast.now) == all_sessions | bookings
    # Platform staff enter every session's room; tutoring rooms are for the pupil's supervisors only.
    assert listed(cast.platform, cast.now) == all_sessions
    assert listed(cast.head, cast.now) == set()
    assert listed(factories.UserFactory(), cast.now) == set()


def test_the_list_and_the_entry_rule_agree(cast):
    """Every room listed can be entered, and every room one may enter (and not past retention) is listed."""
    everything = [cast.current, cast.upcoming, cast.ended, cast.pending, cast.other_session]
    rooms = {("session", s.pk): services.room_for_session(s) for s in everything}
    for booking in (cast.tutoring, cast.other_tutoring):
        rooms["booking", booking.pk] = services.room_for_booking(booking)
    for person in cast.everybody():
        may_enter = {key for key, room in rooms.items() if permissions.can_enter(person, room)}
        assert listed(person, cast.now) == may_enter, person


def test_moderators_get_the_log_link_of_rooms_already_created(cast):
    services.room_for_session(cast.current)
    teacher_entry = selectors.rooms_for(cast.teacher, now=cast.now).current[0]
    assert teacher_entry.moderator
    assert not selectors.rooms_for(cast.pupils[0], now=cast.now).current[0].moderator
    assert not selectors.rooms_for(cast.professional, now=cast.now).current[0].moderator
    # Not created yet: nothing to log.
    assert not selectors.rooms_for(cast.teacher, now=cast.now).upcoming[0].moderator


def test_a_participant_removed_by_a_moderator_no_longer_sees_the_room(cast):
    room = services.room_for_session(cast.current)
    ModerationAction.objects.create(
        room=room, actor=cast.teacher, action=ModerationKind.REMOVE, target_user=cast.pupils[1]
    )
    assert ("session", cast.current.pk) not in listed(cast.pupils[1], cast.now)
    assert ("session", cast.current.pk) in listed(cast.pupils[2], cast.now)


def test_drafts_cancellations_and_rooms_past_retention(cast, settings):
    settings.REALTIME_RETENTION_DAYS = 90
    draft = cast.session(minutes=24 * 60)
    draft.status = SessionStatus.DRAFT
    draft.save()
    cancelled_empty = cast.session(minutes=2 * 24 * 60)
    cancelled_with_room = cast.session(minutes=-20)
    services.room_for_session(cancelled_with_room)
    DiscoverySession = type(draft)
    DiscoverySession.objects.filter(pk__in=[cancelled_empty.pk, cancelled_with_room.pk]).update(
        status=SessionStatus.CANCELLED
    )
    long_ago = cast.session(minutes=-91 * 24 * 60)
    services.room_for_session(long_ago)
    cast.tutoring.status = BookingStatus.CANCELLED
    cast.tutoring.save()

    lists = selectors.rooms_for(cast.teacher, now=cast.now)

    everything = keys(lists.current) | keys(lists.upcoming) | keys(lists.ended)
    assert ("session", draft.pk) not in everything
    assert ("session", cancelled_empty.pk) not in everything
    assert ("session", long_ago.pk) not in everything
    assert ("booking", cast.tutoring.pk) not in everything
    cancelled = next(entry for entry in lists.ended if entry.object_id == cancelled_with_room.pk)
    assert cancelled.cancelled
    assert cancelled.state == RoomState.CLOSED


def test_open_before_the_start_and_locked_rooms_are_under_way(cast):
    soon = cast.session(minutes=10)
    later = cast.session(minutes=20)
    room = services.room_for_session(cast.current)
    services.room_lock(room=room, actor=cast.teacher)

    lists = selectors.rooms_for(cast.teacher, now=cast.now)

    states = {entry.object_id: entry.state for entry in lists.current}
    assert states == {cast.current.pk: RoomState.LOCKED, soon.pk: RoomState.OPEN}
    assert later.pk in {entry.object_id for entry in lists.upcoming}


def test_queries_do_not_grow_with_the_number_of_rooms(cast):
    def count():
        with CaptureQueriesContext(connection) as queries:
            selectors.rooms_for(cast.staff, now=cast.now)
        return len(queries)

    services.room_for_session(cast.current)
    count()  # the person's associations are then cached on her
    before = count()
    for minutes in (60 * 24, 60 * 48, -60 * 24):
        services.room_for_session(cast.session(minutes=minutes))
    services.room_for_booking(cast.booking(cast.pupils[2], days=9))
    assert count() == before


# --- The page ------------------------------------------------------------------------------------------------------


def test_the_page_shows_times_in_the_readers_zone(client, cast):
    cast.teacher.time_zone = "America/Cayenne"
    cast.teacher.save()
    client.force_login(cast.teacher)

    response = client.get(reverse("realtime:list"))

    assert response.status_code == 200
    html = response.content.decode()
    starts = cast.upcoming.starts_at.astimezone(zoneinfo.ZoneInfo("America/Cayenne"))
    ends = cast.upcoming.ends_at.astimezone(zoneinfo.ZoneInfo("America/Cayenne"))
    assert f"de {starts:%H:%M} à {ends:%H:%M}" in html
    assert "votre fuseau horaire" in html
    assert reverse("realtime:session-room", args=[cast.upcoming.pk]) in html
    assert reverse("realtime:booking-room", args=[cast.tutoring.pk]) in html
    for group in ("En cours", "À venir", "Terminés"):
        assert group in html


def test_times_follow_the_readers_zone_across_the_daylight_saving_weekend(client, cast):
    # Europe/Paris moves to summer time on Sunday 28 March 2027: 09:00 UTC is 10:00 on Saturday, 11:00 on Sunday.
    saturday = cast.world.session(starts_at=datetime.datetime(2027, 3, 27, 9, 0, tzinfo=datetime.UTC))
    sunday = cast.world.session(starts_at=datetime.datetime(2027, 3, 28, 9, 0, tzinfo=datetime.UTC))
    for session in (saturday, sunday):
        SessionBookingFactory(session=session, school_class=cast.world.school_class)
    client.force_login(cast.teacher)

    html = client.get(reverse("realtime:list")).content.decode()

    assert "samedi 27 mars 2027, de 10:00 à 11:00" in html
    assert "dimanche 28 mars 2027, de 11:00 à 12:00" in html


def test_pupils_are_spoken_to_with_tu_and_see_no_log_link(client, cast):
    room = services.room_for_session(cast.current)
    client.force_login(cast.pupils[0])
    html = client.get(reverse("realtime:list")).content.decode()
    assert "ton fuseau horaire" in html
    assert reverse("realtime:room-log", args=[room.pk]) not in html

    client.force_login(cast.teacher)
    assert reverse("realtime:room-log", args=[room.pk]) in client.get(reverse("realtime:list")).content.decode()


def test_an_empty_list_says_so(client):
    client.force_login(factories.UserFactory())
    response = client.get(reverse("realtime:list"))
    assert response.status_code == 200
    assert "Vous n'avez aucun salon pour le moment." in response.content.decode()


def test_the_navigation_offers_my_rooms_to_those_who_have_rooms(client, cast):
    client.force_login(cast.pupils[0])
    assert reverse("realtime:list") in client.get(reverse("accounts:profile")).content.decode()
    client.force_login(cast.head)
    assert reverse("realtime:list") not in client.get(reverse("accounts:profile")).content.decode()


# --- In the browser ------------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_pupil_finds_her_rooms_on_a_phone_without_accessibility_violations(mobile_ui):
    from playwright.sync_api import expect

    from tests.browser_support import log_in

    cast = Cast()
    page = mobile_ui.page
    log_in(mobile_ui, cast.pupils[0].username, factories.PASSWORD, lands_on="/espace/eleve/")
    mobile_ui.goto(reverse("realtime:list"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes salons")
    current = page.get_by_role("region", name="En cours (1)")
    expect(current.get_by_role("link", name=cast.current.title)).to_be_visible()
    expect(current).to_contain_text("Ouvert maintenant")
    expect(page.get_by_role("region", name="À venir (2)")).to_contain_text("Tutorat : Aide aux devoirs")
    # The room itself needs the WebSocket server: its journey is tests/browser/test_room_journey.py.
    expect(current.get_by_role("link", name=cast.current.title)).to_have_attribute(
        "href", reverse("realtime:session-room", args=[cast.current.pk])
    )
