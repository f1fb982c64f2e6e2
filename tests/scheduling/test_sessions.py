"""Discovery sessions: creating, booking for a class or a pupil, capacity and waiting list, confirmation,
cancellation, requests answered with a proposed time."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from scheduling import session_services as services
from scheduling.enums import (
    CapacityUnit,
    RequestStatus,
    RulePurpose,
    SessionBookingStatus,
    SessionMode,
    SessionStatus,
)
from scheduling.models import DiscoverySession, SessionBooking
from tests import factories
from tests.scheduling.factories import AvailabilityRuleFactory, SessionRequestFactory, SessionsWorldFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return SessionsWorldFactory()


def future(days=10, hour=9):
    moment = timezone.now() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def session_fields(cast, **overrides):
    fields = {
        "host_organisation": cast.organisation,
        "professionals": [cast.professional],
        "facilitators": [cast.staff],
        "title": "Les métiers de l'aéronautique",
        "description": "Une mécanicienne avion raconte son métier.",
        "sector": "H25",
        "starts_at": future(),
        "duration_minutes": 60,
        "time_zone": "Europe/Paris",
        "mode": SessionMode.CLASS,
        "capacity": 2,
        "capacity_unit": CapacityUnit.CLASSES,
        "video_provider": "webconf",
        "video_url": "https://webconf.numerique.gouv.fr/aero",
        "materials": "",
    }
    fields.update(overrides)
    return fields


# --- Creating and changing ---------------------------------------------------------------------------------------


def test_create_draft_then_publish(cast):
    session = services.session_create(association=cast.association, created_by=cast.staff, **session_fields(cast))
    assert session.status == SessionStatus.DRAFT
    assert session.ends_at - session.starts_at == datetime.timedelta(minutes=60)
    assert list(session.professionals.all()) == [cast.professional]
    assert list(session.facilitators.all()) == [cast.staff]
    services.session_publish(session=session, by=cast.staff)
    session.refresh_from_db()
    assert session.status == SessionStatus.PUBLISHED


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"starts_at": timezone.now() - datetime.timedelta(hours=1)}, "dans le futur"),
        ({"duration_minutes": 5}, "entre 15 et 240"),
        ({"video_url": "http://insecure.example/x"}, "https://"),
        ({"mode": SessionMode.INDIVIDUAL, "capacity_unit": CapacityUnit.CLASSES}, "se compte en élèves"),
        ({"sector": "Z99"}, "domaine professionnel"),
        ({"professionals": []}, "au moins un professionnel"),
        ({"title": "  "}, "thème"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(cast, overrides, message):
    with pytest.raises(ValidationError) as error:
        services.session_create(
            association=cast.association, created_by=cast.staff, **session_fields(cast, **overrides)
        )
    assert message in " ".join(error.value.messages)
    assert not DiscoverySession.objects.exists()


def test_professionals_must_belong_to_the_host_and_facilitators_to_the_association(cast):
    stranger = factories.UserFactory()
    with pytest.raises(ValidationError, match="membres confirmés de la structure"):
        services.session_create(
            association=cast.association, created_by=cast.staff, **session_fields(cast, professionals=[stranger])
        )
    with pytest.raises(ValidationError, match="équipe confirmée de l'association"):
        services.session_create(
            association=cast.association, created_by=cast.staff, **session_fields(cast, facilitators=[stranger])
        )


def test_moving_a_published_session_bumps_the_sequence_and_tells_everyone(cast):
    session = cast.session()
    with (
        mock.patch("scheduling.notifications.session_changed") as told,
        mock.patch("django.db.transaction.on_commit", side_effect=lambda callback, *a, **k: callback()),
    ):
        services.session_update(
            session=session, by=cast.staff, starts_at=session.starts_at + datetime.timedelta(hours=2)
        )
    session.refresh_from_db()
    assert session.sequence == 1
    assert session.ends_at == session.starts_at + datetime.timedelta(minutes=60)
    told.assert_called_once()


def test_capacity_cannot_go_below_the_places_held(cast):
    session = cast.session(capacity=2)
    services.session_book_class(session=session, school_class=cast.school_class, by=cast.teacher)
    _teacher, other = cast.another_class()
    services.session_book_class(session=session, school_class=other, by=cast.staff)
    with pytest.raises(ValidationError, match="capacité ne peut pas descendre"):
        services.session_update(session=session, by=cast.staff, capacity=1)


def test_a_nonexistent_local_time_is_refused():
    # 2027-03-28: clocks in Paris jump from 02:00 to 03:00.
    with pytest.raises(ValidationError, match="changement d'heure"):
        services.local_to_utc(datetime.date(2027, 3, 28), datetime.time(2, 30), "Europe/Paris")
    moment = services.local_to_utc(datetime.date(2027, 3, 28), datetime.time(14, 0), "Europe/Paris")
    assert moment == datetime.datetime(2027, 3, 28, 12, 0, tzinfo=datetime.UTC)
    reunion = services.local_to_utc(datetime.date(2027, 3, 28), datetime.time(14, 0), "Indian/Reunion")
    assert reunion == datetime.datetime(2027, 3, 28, 10, 0, tzinfo=datetime.UTC)


# --- Booking, capacity and the waiting list ----------------------------------------------------------------------


def test_class_booking_is_pending_until_the_association_confirms(cast):
    session = cast.session()
    booking = services.session_book_class(session=session, school_class=cast.school_class, by=cast.teacher)
    assert booking.status == SessionBookingStatus.PENDING
    assert booking.places == 1
    booking = services.session_booking_confirm(booking=booking, by=cast.staff)
    assert booking.status == SessionBookingStatus.CONFIRMED
    assert booking.decided_at is not None
    assert booking.sequence == 1


def test_a_class_books_once(cast):
    session = cast.session()
    services.session_book_class(session=session, school_class=cast.school_class, by=cast.teacher)
    with pytest.raises(ValidationError, match="déjà inscrite"):
        services.session_book_class(session=session, school_class=cast.school_class, by=cast.teacher)
    assert SessionBooking.objects.count() == 1


def test_capacity_in_pupils_counts_the_class_pupils(cast):
    session = cast.session(capacity=5, capacity_unit=CapacityUnit.PUPILS)
    booking = services.session_book_class(session=session, school_class=cast.school_class, by=cast.teacher)
    assert booking.places == 3
    assert booking.status == SessionBookingStatus.PENDING
    _teacher, other = cast.another_class(pupils=3)
    second = services.session_book_class(session=session, school_class=other, by=cast.staff)
    assert second.status == SessionBookingStatus.WAITLISTED
    _teacher, too_big = cast.another_class(pupils=6)
    with pytest.raises(ValidationError, match="trop petite"):
        services.session_book_class(session=session, school_class=too_big, by=cast.staff)


def test_waiting_list_is_served_in_order_when_a_place_frees(cast):
    session = cast.session(capacity=1)
    first = services.session_book_class(session=session, school_class=cast.school_class, by=cast.teacher)
    _t2, class2 = cast.another_class()
    _t3, class3 = cast.another_class()
    second = services.session_book_class(session=session, school_class=class2, by=cast.staff)
    third = services.session_book_class(session=session, school_class=class3, by=cast.staff)
    assert (second.status, third.status) == (SessionBookingStatus.WAITLISTED, SessionBookingStatus.WAITLISTED)
    services.session_booking_cancel(booking=first, by=cast.teacher, reason="Sortie scolaire ce jour-là")
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == SessionBookingStatus.PENDING
    assert third.status == SessionBookingStatus.WAITLISTED
    services.session_booking_decline(booking=second, by=cast.staff, reason="Classe déjà venue l'an dernier")
    third.refresh_from_db()
    assert third.status == SessionBookingStatus.PENDING


def test_nobody_jumps_the_waiting_list(cast):
    session = cast.session(capacity=4, capacity_unit=CapacityUnit.PUPILS)
    first = services.session_book_class(session=session, school_class=cast.school_class, by=cast.teacher)  # 3
    _t, big = cast.another_class(pupils=4)
    waiting = services.session_book_class(session=session, school_class=big, by=cast.staff)
    assert waiting.status == SessionBookingStatus.WAITLISTED
    # One place is free, but the class waiting first comes first.
    _t, small = cast.another_class(pupils=1)
    late = services.session_book_class(session=session, school_class=small, by=cast.staff)
    assert late.status == SessionBookingStatus.WAITLISTED
    services.session_booking_cancel(booking=first, by=cast.teacher, reason="Grève des transports")
    waiting.refresh_from_db()
    late.refresh_from_db()
    assert waiting.status == SessionBookingStatus.PENDING
    assert late.status == SessionBookingStatus.WAITLISTED


@pytest.mark.parametrize("status", [SessionStatus.DRAFT, SessionStatus.CANCELLED, SessionStatus.PROPOSED])
def test_only_published_sessions_are_bookable(cast, status):
    session = cast.session(status=status)
    with pytest.raises(ValidationError):
        services.session_book_class(session=session, school_class=cast.school_class, by=cast.teacher)
    assert not SessionBooking.objects.exists()


def test_a_started_session_is_not_bookable(cast):
    session = cast.session(starts_at=timezone.now() - datetime.timedelta(minutes=5))
    with pytest.raises(ValidationError, match="commencé"):
        services.session_book_class(session=session, school_class=cast.school_class, by=cast.teacher)


def test_pupils_book_themselves_in_individual_mode_only(cast):
    individual = cast.session(mode=SessionMode.INDIVIDUAL, capacity=1, capacity_unit=CapacityUnit.PUPILS)
    pupil, other = cast.pupils[:2]
    booking = services.session_book_pupil(session=individual, pupil=pupil)
    assert booking.status == SessionBookingStatus.PENDING
    assert services.session_book_pupil(session=individual, pupil=other).status == SessionBookingStatus.WAITLISTED
    with pytest.raises(ValidationError, match="déjà inscrit"):
        services.session_book_pupil(session=individual, pupil=pupil)
    with pytest.raises(ValidationError, match="un par un"):
        services.session_book_class(session=individual, school_class=cast.school_class, by=cast.teacher)
    class_mode = cast.session()
    with pytest.raises(ValidationError, match="inscrit la classe"):
        services.session_book_pupil(session=class_mode, pupil=pupil)


def test_a_pupil_without_her_guardians_consent_cannot_book(cast):
    session = cast.session(mode=SessionMode.INDIVIDUAL, capacity=5, capacity_unit=CapacityUnit.PUPILS)
    pending = factories.EnrolmentFactory(
        school_class=cast.school_class, pupil__pupil_profile__consent_status="pending"
    ).pupil
    with pytest.raises(ValidationError, match="représentant légal"):
        services.session_book_pupil(session=session, pupil=pending)


def test_cancelling_needs_a_reason_and_an_active_booking(cast):
    session = cast.session()
    booking = services.session_book_class(session=session, school_class=cast.school_class, by=cast.teacher)
    with pytest.raises(ValidationError, match="motif"):
        services.session_booking_cancel(booking=booking, by=cast.teacher, reason=" ")
    services.session_booking_cancel(booking=booking, by=cast.teacher, reason="Conseil de classe")
    with pytest.raises(ValidationError, match="plus en cours"):
        services.session_booking_cancel(booking=booking, by=cast.teacher, reason="Encore")
    # The class may book again once its booking is cancelled.
    again = services.session_book_class(session=session, school_class=cast.school_class, by=cast.teacher)
    assert again.status == SessionBookingStatus.PENDING


def test_cancelling_a_session_cancels_its_bookings_and_tells_everyone(cast):
    session = cast.session()
    booking = services.session_book_class(session=session, school_class=cast.school_class, by=cast.teacher)
    with (
        mock.patch("scheduling.notifications.session_changed") as told,
        mock.patch("django.db.transaction.on_commit", side_effect=lambda callback, *a, **k: callback()),
    ):
        services.session_cancel(session=session, by=cast.staff, reason="La professionnelle est malade")
    session.refresh_from_db()
    booking.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert session.sequence == 1
    assert booking.status == SessionBookingStatus.CANCELLED
    assert booking.cancel_reason == "La professionnelle est malade"
    told.assert_called_once()
    with pytest.raises(ValidationError, match="déjà annulée"):
        services.session_cancel(session=session, by=cast.staff, reason="Encore")


def test_booking_notifies_after_commit(cast, django_capture_on_commit_callbacks):
    session = cast.session()
    with (
        mock.patch("scheduling.notifications.session_booking_changed") as told,
        django_capture_on_commit_callbacks(execute=True),
    ):
        booking = services.session_book_class(session=session, school_class=cast.school_class, by=cast.teacher)
    told.assert_called_once_with(booking, by=cast.teacher)


# --- Requests -----------------------------------------------------------------------------------------------------


def request_weeks():
    today = timezone.localdate()
    return ["{}-W{:02d}".format(*(today + datetime.timedelta(weeks=n)).isocalendar()[:2]) for n in (2, 3)]


def test_request_create_checks_weeks_and_ranges(cast):
    request = services.session_request_create(
        school_class=cast.school_class,
        by=cast.teacher,
        association=cast.association,
        theme="Les métiers du numérique",
        weeks=request_weeks(),
        time_ranges=[{"weekday": 1, "start": "14:00", "end": "16:00"}],
    )
    assert request.status == RequestStatus.OPEN
    assert request.pupils_count == 3
    for weeks, ranges, message in [
        ([], [{"weekday": 1, "start": "14:00", "end": "16:00"}], "au moins une semaine"),
        (["2020-W10"], [{"weekday": 1, "start": "14:00", "end": "16:00"}], "passée"),
        (["2027-W60"], [{"weekday": 1, "start": "14:00", "end": "16:00"}], "semaine"),
        (request_weeks(), [], "au moins une plage"),
        (request_weeks(), [{"weekday": 1, "start": "16:00", "end": "14:00"}], "finir après"),
        (request_weeks(), [{"weekday": 9, "start": "14:00", "end": "16:00"}], "lundi au dimanche"),
        (request_weeks(), [{"weekday": 1, "start": "25:00", "end": "26:00"}], "HH:MM"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.session_request_create(
                school_class=cast.school_class,
                by=cast.teacher,
                association=cast.association,
                theme="x",
                weeks=weeks,
                time_ranges=ranges,
            )


def free_for_sessions(user, weekdays="TU,TH", start=datetime.time(9), end=datetime.time(18)):
    return AvailabilityRuleFactory(
        owner=user,
        purpose=RulePurpose.SESSIONS,
        rrule=f"FREQ=WEEKLY;BYDAY={weekdays}",
        start_time=start,
        end_time=end,
        starts_on=timezone.localdate(),
    )


def test_propose_accept_confirm(cast):
    free_for_sessions(cast.professional)
    free_for_sessions(cast.staff)
    request = SessionRequestFactory(school_class=cast.school_class, association=cast.association)
    from scheduling import matching

    common = matching.common_times(
        people=[cast.professional, cast.staff],
        weeks=request.weeks,
        time_ranges=request.time_ranges,
        time_zone=request.time_zone,
        duration_minutes=60,
        school_class=cast.school_class,
    )
    assert common
    starts_at = common[0].starts_at
    session = services.session_request_propose(
        session_request=request,
        by=cast.staff,
        host_organisation=cast.organisation,
        professionals=[cast.professional],
        facilitators=[cast.staff],
        starts_at=starts_at,
        duration_minutes=60,
        video_provider="webconf",
        video_url="https://webconf.numerique.gouv.fr/aero",
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.PROPOSED
    assert request.session == session
    assert session.status == SessionStatus.PROPOSED
    booking = session.bookings.get()
    assert booking.school_class == cast.school_class
    assert booking.status == SessionBookingStatus.PENDING
    with pytest.raises(ValidationError, match="attend encore la réponse"):
        services.session_booking_confirm(booking=booking, by=cast.staff)
    services.session_request_accept(session_request=request, by=cast.teacher)
    request.refresh_from_db()
    session.refresh_from_db()
    assert request.status == RequestStatus.SCHEDULED
    assert session.status == SessionStatus.PUBLISHED
    booking = services.session_booking_confirm(booking=booking, by=cast.staff)
    assert booking.status == SessionBookingStatus.CONFIRMED


def test_a_time_outside_the_common_times_is_refused(cast):
    free_for_sessions(cast.professional)
    request = SessionRequestFactory(school_class=cast.school_class, association=cast.association)
    wednesday = services.local_to_utc(
        datetime.date.fromisocalendar(*map(int, request.weeks[0].split("-W")), 3), datetime.time(14), "Europe/Paris"
    )
    with pytest.raises(ValidationError, match="pas libre pour tout le monde"):
        services.session_request_propose(
            session_request=request,
            by=cast.staff,
            host_organisation=cast.organisation,
            professionals=[cast.professional],
            facilitators=[],
            starts_at=wednesday,
            duration_minutes=60,
            video_provider="webconf",
            video_url="https://webconf.numerique.gouv.fr/aero",
        )
    assert not DiscoverySession.objects.exists()
    request.refresh_from_db()
    assert request.status == RequestStatus.OPEN


def test_declining_a_proposal_reopens_the_request(cast):
    free_for_sessions(cast.professional)
    request = SessionRequestFactory(school_class=cast.school_class, association=cast.association)
    tuesday = services.local_to_utc(
        datetime.date.fromisocalendar(*map(int, request.weeks[0].split("-W")), 2), datetime.time(14), "Europe/Paris"
    )
    session = services.session_request_propose(
        session_request=request,
        by=cast.staff,
        host_organisation=cast.organisation,
        professionals=[cast.professional],
        facilitators=[],
        starts_at=tuesday,
        duration_minutes=60,
        video_provider="webconf",
        video_url="https://webconf.numerique.gouv.fr/aero",
    )
    services.session_request_decline_proposal(session_request=request, by=cast.teacher, reason="Contrôle de maths")
    request.refresh_from_db()
    session.refresh_from_db()
    assert request.status == RequestStatus.OPEN
    assert request.session is None
    assert session.status == SessionStatus.CANCELLED
    assert session.bookings.get().status == SessionBookingStatus.CANCELLED
    # Another proposal may follow, at the same time even: the cancelled session no longer counts as busy.
    services.session_request_propose(
        session_request=request,
        by=cast.staff,
        host_organisation=cast.organisation,
        professionals=[cast.professional],
        facilitators=[],
        starts_at=tuesday,
        duration_minutes=60,
        video_provider="webconf",
        video_url="https://webconf.numerique.gouv.fr/aero",
    )
    services.session_request_withdraw(session_request=request, by=cast.teacher)
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN
    assert DiscoverySession.objects.filter(status=SessionStatus.CANCELLED).count() == 2


def test_association_declines_an_open_request(cast):
    request = SessionRequestFactory(school_class=cast.school_class, association=cast.association)
    services.session_request_decline(session_request=request, by=cast.staff, answer="Pas de bénévole ce mois-ci")
    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED
    with pytest.raises(ValidationError):
        services.session_request_decline(session_request=request, by=cast.staff, answer="Encore")
