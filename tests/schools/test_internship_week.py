"""A class's internship week: a Monday of its school year, set by its teachers or the school's heads."""

import datetime

import pytest
from django.urls import reverse

from backend.schools import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("week", "accepted"),
    [
        (datetime.date(2026, 12, 7), True),  # a Monday of 2026-2027
        (datetime.date(2026, 8, 31), True),  # the Monday of the rentrée week
        (datetime.date(2027, 8, 30), True),  # the last Monday of the school year
        (datetime.date(2026, 12, 8), False),  # a Tuesday
        (datetime.date(2026, 8, 24), False),  # before the school year
        (datetime.date(2027, 9, 6), False),  # the next school year
        (None, True),  # clearing it
    ],
)
def test_the_week_is_a_monday_of_the_class_school_year(world, week, accepted):
    school_class = world["school_class"]  # 2026-2027
    refusal = services.internship_week_refusal(school_class=school_class, week=week)
    assert (refusal is None) == accepted


def test_the_teacher_sets_it_and_goes_back_where_she_came_from(world, client):
    school_class = world["school_class"]
    client.force_login(world["users"]["teacher"])
    url = reverse("schools:class_internship_week", args=[school_class.pk])
    assert client.get(url).status_code == 200
    back = reverse("follow_up:school_follow_up", args=[world["school"].uai])
    response = client.post(url, {"week": "2027-01-18", "next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    school_class.refresh_from_db()
    assert school_class.internship_week == datetime.date(2027, 1, 18)


def test_a_foreign_next_is_ignored(world, client):
    client.force_login(world["users"]["school_head"])
    url = reverse("schools:class_internship_week", args=[world["school_class"].pk])
    response = client.post(url, {"week": "2027-01-18", "next": "https://example.com/"})
    assert response["Location"] == reverse("schools:class_detail", args=[world["school_class"].pk])


def test_a_bad_week_is_a_field_error_and_changes_nothing(world, client):
    school_class = world["school_class"]
    client.force_login(world["users"]["teacher"])
    url = reverse("schools:class_internship_week", args=[school_class.pk])
    for value in ("2027-01-19", "2030-01-07", "pas une date"):
        response = client.post(url, {"week": value})
        assert response.status_code == 200
        assert response.context["form"].errors["week"]
    school_class.refresh_from_db()
    assert school_class.internship_week is None


def test_clearing_the_week(world, client):
    school_class = world["school_class"]
    school_class.internship_week = datetime.date(2027, 1, 18)
    school_class.save()
    client.force_login(world["users"]["teacher"])
    client.post(reverse("schools:class_internship_week", args=[school_class.pk]), {"week": ""})
    school_class.refresh_from_db()
    assert school_class.internship_week is None


def test_the_service_refuses_what_the_form_refuses(world):
    with pytest.raises(services.SchoolError):
        services.class_internship_week_set(school_class=world["school_class"], week=datetime.date(2027, 1, 19))
