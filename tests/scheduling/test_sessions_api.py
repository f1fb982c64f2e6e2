"""The sessions API under /api/v1/: list, detail, booking, cancelling; errors shaped {"code", "detail"}; the video
link only for those taking part; in the OpenAPI schema."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from scheduling.enums import SessionBookingStatus
from scheduling.models import SessionBooking
from tests.scheduling.factories import SessionsWorldFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return SessionsWorldFactory()


@pytest.fixture
def api():
    return APIClient()


def test_list_and_detail(api, cast):
    session = cast.session()
    cast.session(status="draft", title="Brouillon caché")
    api.force_authenticate(cast.teacher)
    response = api.get(reverse("api:session-list"))
    assert response.status_code == 200
    assert [item["id"] for item in response.json()] == [session.pk]
    item = response.json()[0]
    assert item["places_taken"] == 0
    assert item["video_url"] is None
    assert item["professionals"] == [{"id": cast.professional.pk, "display_name": cast.professional.display_name}]
    detail = api.get(reverse("api:session-detail", args=[session.pk]))
    assert detail.status_code == 200
    assert detail.json()["title"] == session.title


def test_list_filters_and_bad_week(api, cast):
    cast.session(mode="class")
    api.force_authenticate(cast.teacher)
    assert api.get(reverse("api:session-list"), {"mode": "individual"}).json() == []
    response = api.get(reverse("api:session-list"), {"week": "2027-W60"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "week" in response.json()["fields"]


def test_a_draft_is_not_found_for_teachers(api, cast):
    draft = cast.session(status="draft")
    api.force_authenticate(cast.teacher)
    response = api.get(reverse("api:session-detail", args=[draft.pk]))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_book_for_a_class_then_cancel(api, cast):
    session = cast.session(capacity=1)
    api.force_authenticate(cast.teacher)
    url = reverse("api:session-booking-create", args=[session.pk])
    response = api.post(url, {"school_class": cast.school_class.pk}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == SessionBookingStatus.PENDING
    assert body["school_class"] == cast.school_class.pk
    again = api.post(url, {"school_class": cast.school_class.pk}, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "invalid"
    assert "déjà inscrite" in again.json()["fields"]["non_field_errors"][0]

    cancel = reverse("api:session-booking-cancel", args=[body["id"]])
    assert api.post(cancel, {}, format="json").status_code == 400
    response = api.post(cancel, {"reason": "Conseil de classe"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == SessionBookingStatus.CANCELLED


def test_full_session_puts_the_class_on_the_waiting_list(api, cast):
    session = cast.session(capacity=1)
    _other_teacher, other = cast.another_class()
    SessionBooking.objects.create(session=session, school_class=other, places=1)
    api.force_authenticate(cast.teacher)
    response = api.post(
        reverse("api:session-booking-create", args=[session.pk]), {"school_class": cast.school_class.pk}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == SessionBookingStatus.WAITLISTED
    assert response.json()["waiting_position"] == 1


def test_a_class_that_is_not_hers_is_refused(api, cast):
    session = cast.session()
    _other_teacher, other = cast.another_class()
    api.force_authenticate(cast.teacher)
    response = api.post(
        reverse("api:session-booking-create", args=[session.pk]), {"school_class": other.pk}, format="json"
    )
    assert response.status_code == 400
    assert not SessionBooking.objects.exists()


def test_pupil_books_an_individual_session(api, cast):
    session = cast.session(mode="individual", capacity_unit="pupils", capacity=3)
    pupil = cast.pupils[0]
    api.force_authenticate(pupil)
    response = api.post(reverse("api:session-booking-create", args=[session.pk]), {}, format="json")
    assert response.status_code == 201
    assert response.json()["pupil"] == {"id": pupil.pk, "display_name": pupil.display_name}


def test_sessions_are_in_the_schema(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    paths = schema["paths"]
    for url in (
        "/api/v1/sessions/",
        "/api/v1/sessions/{id}/",
        "/api/v1/sessions/{id}/bookings/",
        "/api/v1/session-bookings/{id}/cancel/",
    ):
        assert url in paths, sorted(paths)
