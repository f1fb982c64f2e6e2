"""Discovery-session pages: the planner, creating a session, browsing and booking, confirming, cancelling, requests
matched to common times, the class's calendar; bad input answers with a message and writes nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling.enums import RequestStatus, RulePurpose, SessionBookingStatus, SessionStatus
from scheduling.models import DiscoverySession, SessionBooking, SessionRequest
from tests.scheduling.factories import AvailabilityRuleFactory, SessionRequestFactory, SessionsWorldFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return SessionsWorldFactory()


def next_week_day(weekday: int, weeks: int = 2) -> datetime.date:
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(weeks=weeks, days=weekday)


def form_data(cast, **overrides):
    data = {
        "association": cast.association.pk,
        "title": "Les métiers de la logistique",
        "description": "Un préparateur de commandes et une cheffe d'entrepôt.",
        "sector": "N11",
        "host_organisation": cast.organisation.pk,
        "professionals": [cast.professional.pk],
        "facilitators": [cast.staff.pk],
        "date": next_week_day(1).isoformat(),
        "start_time": "14:00",
        "duration_minutes": "60",
        "time_zone": "Indian/Reunion",
        "mode": "class",
        "capacity": "2",
        "capacity_unit": "classes",
        "video_provider": "webconf",
        "video_url": "https://webconf.numerique.gouv.fr/logistique",
        "materials": "",
        "publish": "1",
    }
    data.update(overrides)
    return data


def test_staff_create_a_session_in_their_zone(client, cast):
    client.force_login(cast.staff)
    assert client.get(reverse("scheduling:session_create")).status_code == 200
    response = client.post(reverse("scheduling:session_create"), form_data(cast))
    session = DiscoverySession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:session_detail", args=[session.pk])
    assert session.status == SessionStatus.PUBLISHED
    # 14:00 in La Réunion (UTC+4) is 10:00 UTC.
    assert session.starts_at == datetime.datetime.combine(next_week_day(1), datetime.time(10), tzinfo=datetime.UTC)
    assert session.created_by == cast.staff


def test_bad_input_shows_errors_and_writes_nothing(client, cast):
    client.force_login(cast.staff)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client.post(reverse("scheduling:session_create"), form_data(cast, date=yesterday))
    assert response.status_code == 200
    assert "La séquence doit commencer dans le futur." in response.content.decode()
    response = client.post(reverse("scheduling:session_create"), form_data(cast, video_url="pas un lien"))
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not DiscoverySession.objects.exists()


def test_planner_week_and_list(client, cast):
    session = cast.session()
    client.force_login(cast.staff)
    monday = session.starts_at.astimezone(datetime.UTC).date()
    week = "{}-W{:02d}".format(*monday.isocalendar()[:2])
    page = client.get(reverse("scheduling:session_planner"), {"semaine": week}).content.decode()
    assert session.title in page
    assert '<ol class="fr-raw-list sched-week">' in page
    page = client.get(reverse("scheduling:session_planner"), {"vue": "liste"}).content.decode()
    assert session.title in page
    assert "<caption>" in page
    # Another association's sessions stay out of this planner.
    other = SessionsWorldFactory().session(title="Une séquence d'ailleurs")
    assert other.title not in client.get(reverse("scheduling:session_planner"), {"vue": "liste"}).content.decode()


def test_teacher_books_staff_confirm_and_the_link_shows_to_participants_only(client, cast):
    session = cast.session()
    client.force_login(cast.teacher)
    page = client.get(reverse("scheduling:session_list")).content.decode()
    assert session.title in page
    page = client.get(reverse("scheduling:session_detail", args=[session.pk])).content.decode()
    assert session.video_url not in page
    response = client.post(
        reverse("scheduling:session_book", args=[session.pk]), {"school_class": cast.school_class.pk}
    )
    assert response.status_code == 302
    booking = SessionBooking.objects.get()
    assert booking.status == SessionBookingStatus.PENDING

    client.force_login(cast.staff)
    response = client.post(reverse("scheduling:session_booking_decide", args=[booking.pk]), {"decision": "confirm"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == SessionBookingStatus.CONFIRMED

    client.force_login(cast.teacher)
    assert session.video_url in client.get(reverse("scheduling:session_detail", args=[session.pk])).content.decode()
    client.force_login(cast.pupils[0])
    assert session.video_url in client.get(reverse("scheduling:session_detail", args=[session.pk])).content.decode()


def test_teacher_cannot_book_someone_elses_class(client, cast):
    session = cast.session()
    _teacher, other_class = cast.another_class()
    client.force_login(cast.teacher)
    client.post(reverse("scheduling:session_book", args=[session.pk]), {"school_class": other_class.pk})
    assert not SessionBooking.objects.exists()


def test_cancel_a_booking_with_a_reason(client, cast):
    session = cast.session()
    booking = SessionBooking.objects.create(session=session, school_class=cast.school_class, booked_by=cast.teacher)
    client.force_login(cast.teacher)
    url = reverse("scheduling:session_booking_cancel", args=[booking.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == SessionBookingStatus.PENDING
    response = client.post(url, {"reason": "Voyage scolaire"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == SessionBookingStatus.CANCELLED


def test_staff_cancel_a_session(client, cast):
    session = cast.session()
    client.force_login(cast.staff)
    response = client.post(reverse("scheduling:session_cancel", args=[session.pk]), {"reason": "Intervenante malade"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED


def test_pupil_books_herself_on_an_individual_session(client, cast):
    session = cast.session(mode="individual", capacity_unit="pupils", capacity=10)
    pupil = cast.pupils[0]
    client.force_login(pupil)
    page = client.get(reverse("scheduling:session_detail", args=[session.pk])).content.decode()
    assert "M&#x27;inscrire" in page or "M'inscrire" in page
    client.post(reverse("scheduling:session_book", args=[session.pk]))
    assert SessionBooking.objects.get().pupil == pupil


def test_request_create_then_match_propose_and_accept(client, cast):
    client.force_login(cast.teacher)
    weeks = ["{}-W{:02d}".format(*next_week_day(0, n).isocalendar()[:2]) for n in (2, 3)]
    response = client.post(
        reverse("scheduling:session_request_create"),
        {
            "school_class": cast.school_class.pk,
            "association": cast.association.pk,
            "theme": "Les métiers du soin",
            "sector": "",
            "weeks": weeks,
            "range_1_weekday": "1",
            "range_1_start": "14:00",
            "range_1_end": "16:00",
            "message": "",
        },
    )
    assert response.status_code == 302, response.content.decode()
    request = SessionRequest.objects.get()
    assert request.time_ranges == [{"weekday": 1, "start": "14:00", "end": "16:00"}]
    assert request.weeks == sorted(weeks)

    for person in (cast.professional, cast.staff):
        AvailabilityRuleFactory(
            owner=person,
            purpose=RulePurpose.SESSIONS,
            rrule="FREQ=WEEKLY;BYDAY=TU",
            start_time=datetime.time(9),
            end_time=datetime.time(18),
            starts_on=timezone.localdate(),
        )
    client.force_login(cast.staff)
    detail = reverse("scheduling:session_request_detail", args=[request.pk])
    choice = {
        "host_organisation": cast.organisation.pk,
        "professionals": [cast.professional.pk],
        "facilitators": [cast.staff.pk],
        "duration_minutes": "60",
    }
    page = client.get(detail, choice).content.decode()
    assert "Horaires communs" in page
    assert 'name="starts_at"' in page
    first = datetime.datetime.combine(next_week_day(1), datetime.time(14), tzinfo=timezone.get_current_timezone())
    response = client.post(
        reverse("scheduling:session_request_propose", args=[request.pk]),
        {
            **choice,
            "starts_at": first.astimezone(datetime.UTC).isoformat(),
            "video_provider": "webconf",
            "video_url": "https://webconf.numerique.gouv.fr/soin",
            "description": "",
        },
    )
    assert response.status_code == 302, response.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.PROPOSED
    assert request.session.starts_at == first

    client.force_login(cast.teacher)
    assert "Accepter cet horaire" in client.get(detail).content.decode()
    client.post(reverse("scheduling:session_request_answer", args=[request.pk]), {"decision": "accept"})
    request.refresh_from_db()
    assert request.status == RequestStatus.SCHEDULED
    assert request.session.status == SessionStatus.PUBLISHED


def test_a_proposal_outside_the_common_times_is_refused(client, cast):
    request = SessionRequestFactory(school_class=cast.school_class, association=cast.association)
    client.force_login(cast.staff)
    response = client.post(
        reverse("scheduling:session_request_propose", args=[request.pk]),
        {
            "host_organisation": cast.organisation.pk,
            "professionals": [cast.professional.pk],
            "duration_minutes": "60",
            "starts_at": "2030-01-01T10:00:00+00:00",
            "video_provider": "webconf",
            "video_url": "https://webconf.numerique.gouv.fr/soin",
        },
    )
    assert response.status_code == 400
    assert not DiscoverySession.objects.exists()


def test_class_calendar_shows_sessions_and_tutoring(client, cast):
    session = cast.session()
    SessionBooking.objects.create(
        session=session, school_class=cast.school_class, booked_by=cast.teacher, status="confirmed"
    )
    client.force_login(cast.teacher)
    local = session.starts_at.astimezone(timezone.get_current_timezone()).date()
    week = "{}-W{:02d}".format(*local.isocalendar()[:2])
    page = client.get(reverse("scheduling:class_calendar", args=[cast.school_class.pk]), {"semaine": week})
    assert page.status_code == 200
    assert session.title in page.content.decode()
    # Another teacher of the school does not see this class's calendar.
    other_teacher, _class = cast.another_class()
    client.force_login(other_teacher)
    assert client.get(reverse("scheduling:class_calendar", args=[cast.school_class.pk])).status_code == 403


def test_a_professional_states_when_she_is_free_for_sessions(client, cast):
    client.force_login(cast.professional)
    url = reverse("scheduling:session_availability")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "action": "add_rule",
            "rule-weekdays": ["TU", "TH"],
            "rule-start_time": "14:00",
            "rule-end_time": "17:00",
            "rule-starts_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    rule = cast.professional.availability_rules.get()
    assert rule.purpose == RulePurpose.SESSIONS
    assert rule.rrule == "FREQ=WEEKLY;BYDAY=TU,TH"
    assert "Mardi, Jeudi" in client.get(url).content.decode()
    # An end before the start: a message, nothing written.
    response = client.post(
        url,
        {
            "action": "add_rule",
            "rule-weekdays": ["MO"],
            "rule-start_time": "17:00",
            "rule-end_time": "14:00",
            "rule-starts_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    assert cast.professional.availability_rules.count() == 1
    day = (timezone.localdate() + datetime.timedelta(days=9)).isoformat()
    assert client.post(url, {"action": "add_day_off", "off-date": day}).status_code == 302
    assert cast.professional.availability_exceptions.get().purpose == RulePurpose.SESSIONS
    client.post(url, {"action": "delete_rule", "id": rule.pk})
    assert not cast.professional.availability_rules.exists()


def test_pupils_and_teachers_have_no_session_availability_page(client, cast):
    for person in (cast.pupils[0], cast.teacher):
        client.force_login(person)
        assert client.get(reverse("scheduling:session_availability")).status_code == 403


def test_staff_move_a_session_and_the_sequence_is_bumped(client, cast):
    session = cast.session()
    client.force_login(cast.staff)
    url = reverse("scheduling:session_edit", args=[session.pk])
    assert client.get(url).status_code == 200
    data = form_data(cast, time_zone="Europe/Paris", start_time="15:30")
    data.pop("publish")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    session.refresh_from_db()
    assert session.sequence == 1
    local = session.starts_at.astimezone(timezone.get_current_timezone())
    assert (local.date(), local.hour, local.minute) == (next_week_day(1), 15, 30)
