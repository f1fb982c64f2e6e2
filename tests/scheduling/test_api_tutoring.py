"""The tutoring API: slots, bookings, cancel and reschedule, availability rules — errors as {"code", "detail"},
nothing written on refused input, every operation in the OpenAPI schema."""

import datetime

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from scheduling import selectors, services
from scheduling.enums import BookingStatus
from scheduling.models import AvailabilityRule, Booking
from tests import factories
from tests.scheduling.factories import AvailabilityRuleFactory, AvailabilitySettingsFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def cast():
    tutor = factories.TutorProfileFactory(user__first_name="Claire", user__last_name="Martin").user
    AvailabilitySettingsFactory(user=tutor, min_notice_hours=24, horizon_days=14)
    AvailabilityRuleFactory(
        owner=tutor,
        rrule="FREQ=DAILY",
        starts_on=timezone.localdate() - datetime.timedelta(days=1),
        slot_minutes=60,
        group_size=2,
        topics=["homework", "cv"],
    )
    pupil = factories.EnrolmentFactory(pupil__first_name="Inès", pupil__last_name="Benali").pupil
    return {"tutor": tutor, "pupil": pupil}


def later_slot(tutor, *, days=3):
    limit = timezone.now() + datetime.timedelta(days=days)
    return next(slot for slot in selectors.open_slots(tutor=tutor) if slot.starts_at > limit)


def test_slots_are_listed_with_keys_and_filtered(api, cast):
    api.force_authenticate(cast["pupil"])
    response = api.get(reverse("api:tutoring-slot-list"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] > 0
    first = body["results"][0]
    assert set(first) == {"key", "tutor", "starts_at", "ends_at", "format", "seats", "seats_left", "topics"}
    assert first["tutor"] == {"id": cast["tutor"].pk, "display_name": "Claire Martin"}
    day = later_slot(cast["tutor"]).starts_at.astimezone(datetime.UTC).date()
    response = api.get(reverse("api:tutoring-slot-list"), {"day": day.isoformat(), "topic": "cv"})
    assert {item["starts_at"][:10] for item in response.json()["results"]} <= {day.isoformat()}
    assert api.get(reverse("api:tutoring-slot-list"), {"topic": "interview"}).json()["count"] == 0
    response = api.get(reverse("api:tutoring-slot-list"), {"topic": "nope"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "topic" in response.json()["fields"]


def test_a_pupil_books_then_the_same_time_again_is_refused(api, cast):
    pupil, tutor = cast["pupil"], cast["tutor"]
    slot = later_slot(tutor)
    api.force_authenticate(pupil)
    response = api.post(
        reverse("api:tutoring-booking-list"), {"slot": slot.key, "topic": "cv", "message": "Bonjour"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["tutor"]["display_name"] == "Claire Martin"
    assert body["pupil"] == {"id": pupil.pk, "display_name": "Inès B."}
    assert body["status"] == "booked"
    response = api.post(reverse("api:tutoring-booking-list"), {"slot": slot.key, "topic": "cv"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["detail"]
    assert Booking.objects.filter(pupil=pupil).count() == 1
    listed = api.get(reverse("api:tutoring-booking-list")).json()
    assert [item["id"] for item in listed["results"]] == [body["id"]]
    # The tutor sees it among his.
    api.force_authenticate(tutor)
    assert [item["id"] for item in api.get(reverse("api:tutoring-booking-list")).json()["results"]] == [body["id"]]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"slot": "abc", "topic": "cv"}, "slot"),
        ({"slot": "999999-20300101T100000Z", "topic": "cv"}, "slot"),
        ({"topic": "cv"}, "slot"),
        ({"slot": None, "topic": "astrologie"}, "topic"),
    ],
)
def test_bad_booking_input_is_a_400_with_the_field(api, cast, data, field):
    if data.get("slot", "") is None:
        data["slot"] = later_slot(cast["tutor"]).key
    api.force_authenticate(cast["pupil"])
    response = api.post(reverse("api:tutoring-booking-list"), data, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    assert not Booking.objects.exists()


def test_only_pupils_book(api, cast):
    api.force_authenticate(cast["tutor"])
    response = api.post(
        reverse("api:tutoring-booking-list"), {"slot": later_slot(cast["tutor"]).key, "topic": "cv"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_cancel_and_reschedule(api, cast):
    pupil, tutor = cast["pupil"], cast["tutor"]
    first = later_slot(tutor)
    booking = services.booking_create(pupil=pupil, tutor=tutor, starts_at=first.starts_at, topic="homework")
    api.force_authenticate(pupil)
    target = later_slot(tutor, days=5)
    url = reverse("api:tutoring-booking-reschedule", args=[booking.pk])
    response = api.post(url, {"slot": target.key, "reason": "Sortie scolaire"}, format="json")
    assert response.status_code == 201, response.json()
    new = response.json()
    assert new["rescheduled_from"] == booking.pk
    assert new["starts_at"].startswith(target.starts_at.strftime("%Y-%m-%dT%H:%M"))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED

    cancel = reverse("api:tutoring-booking-cancel", args=[new["id"]])
    response = api.post(cancel, {"reason": ""}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    response = api.post(cancel, {"reason": "Malade"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["cancel_reason"]) == ("cancelled", "Malade")
    response = api.post(cancel, {"reason": "Encore"}, format="json")
    assert response.status_code == 400
    # Someone else's booking does not exist for her.
    api.force_authenticate(factories.EnrolmentFactory().pupil)
    assert api.post(cancel, {"reason": "x"}, format="json").status_code == 404


def test_rescheduling_to_another_tutor_is_refused(api, cast):
    pupil, tutor = cast["pupil"], cast["tutor"]
    booking = services.booking_create(pupil=pupil, tutor=tutor, starts_at=later_slot(tutor).starts_at, topic="cv")
    other = factories.TutorProfileFactory().user
    api.force_authenticate(pupil)
    response = api.post(
        reverse("api:tutoring-booking-reschedule", args=[booking.pk]),
        {"slot": selectors.slot_key(other.pk, later_slot(tutor, days=5).starts_at), "reason": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "slot" in response.json()["fields"]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_a_tutor_manages_his_rules(api, cast):
    tutor = cast["tutor"]
    api.force_authenticate(tutor)
    listed = api.get(reverse("api:tutoring-rule-list")).json()
    assert [item["rrule"] for item in listed["results"]] == ["FREQ=DAILY"]
    rule_data = {
        "rrule": "FREQ=DAILY",
        "starts_on": timezone.localdate().isoformat(),
        "start_time": "09:00",
        "end_time": "10:00",
        "slot_minutes": 30,
        "topics": ["orientation"],
    }
    response = api.post(reverse("api:tutoring-rule-list"), rule_data, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["time_zone"], created["format"], created["start_time"]) == ("Europe/Paris", "group", "09:00")

    for bad, field in (
        ({"rrule": "FREQ=MONTHLY"}, "rrule"),
        ({"end_time": "08:00"}, "end_time"),
        ({"start_time": "09:30", "end_time": "10:30"}, None),  # overlaps the rule just made
    ):
        response = api.post(reverse("api:tutoring-rule-list"), {**rule_data, **bad}, format="json")
        assert response.status_code == 400, bad
        assert response.json()["code"] == "invalid"
        if field:
            assert field in response.json()["fields"]
    assert AvailabilityRule.objects.filter(owner=tutor).count() == 2

    other = factories.TutorProfileFactory().user
    api.force_authenticate(other)
    assert api.delete(reverse("api:tutoring-rule-detail", args=[created["id"]])).status_code == 404
    api.force_authenticate(tutor)
    assert api.delete(reverse("api:tutoring-rule-detail", args=[created["id"]])).status_code == 204
    assert AvailabilityRule.objects.filter(owner=tutor).count() == 1


def test_rules_are_for_tutors_and_a_token_works(api, cast):
    api.force_authenticate(cast["pupil"])
    assert api.get(reverse("api:tutoring-rule-list")).status_code == 403
    token = Token.objects.create(user=cast["tutor"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(reverse("api:tutoring-rule-list")).status_code == 200
    assert APIClient().get(reverse("api:tutoring-slot-list")).json()["code"] == "not_authenticated"


def test_every_tutoring_operation_is_in_the_schema(client):
    schema = yaml.safe_load(client.get(reverse("api:schema")).content)
    paths = schema["paths"]
    expected = {
        ("/api/v1/tutoring/slots/", "get"),
        ("/api/v1/tutoring/bookings/", "get"),
        ("/api/v1/tutoring/bookings/", "post"),
        ("/api/v1/tutoring/bookings/{id}/cancel/", "post"),
        ("/api/v1/tutoring/bookings/{id}/reschedule/", "post"),
        ("/api/v1/tutoring/availability/rules/", "get"),
        ("/api/v1/tutoring/availability/rules/", "post"),
        ("/api/v1/tutoring/availability/rules/{id}/", "delete"),
    }
    for path, method in expected:
        assert method in paths.get(path, {}), (path, method)
        responses = paths[path][method]["responses"]
        assert "401" in responses
        assert "429" in responses
    slot_params = {param["name"] for param in paths["/api/v1/tutoring/slots/"]["get"]["parameters"]}
    assert {"topic", "day", "page"} <= slot_params
