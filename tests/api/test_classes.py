import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backend.api.permissions import class_access
from backend.schools.models import SchoolClass
from backend.schools.permissions import can_manage_class
from tests import factories

CLASSES = reverse("api:class-list")


def class_url(school_class):
    return reverse("api:class-detail", kwargs={"pk": school_class.pk})


@pytest.fixture
def two_schools(world):
    """The world's school A, and a school B with its own head, teacher, class and pupil."""
    school_b = factories.SchoolFactory(name="Collège B")
    teacher_b = factories.SchoolStaffFactory(school=school_b).user
    class_b = factories.SchoolClassFactory(school=school_b, teachers=[teacher_b], name="3e B")
    factories.EnrolmentFactory(school_class=class_b)
    # A second class in school A that the world's teacher does not teach.
    other_class_a = factories.SchoolClassFactory(school=world["school"], name="3e Z")
    return {
        "class_a": world["school_class"],
        "other_class_a": other_class_a,
        "class_b": class_b,
        "teacher_b": teacher_b,
        "head_b": factories.SchoolStaffFactory(school=school_b, head=True).user,
    }


def listed(response):
    assert response.status_code == 200, response.content
    return {item["id"]: item for item in response.json()["results"]}


def test_a_teacher_lists_the_classes_she_teaches_with_codes(client_for, world, two_schools):
    teacher = world["users"]["teacher"]
    class_a = two_schools["class_a"]

    classes = listed(client_for(teacher).get(CLASSES))

    assert set(classes) == {class_a.pk}
    assert classes[class_a.pk] == {
        "id": class_a.pk,
        "name": class_a.name,
        "level": "3e",
        "specialty": "",
        "school_year": 2026,
        "school": {"uai": world["school"].uai, "name": world["school"].name},
        "teachers": [{"display_name": teacher.display_name}],
        "pupil_count": 2,
        "archived_at": None,
        "join_code": class_a.join_code,
    }


def test_a_teacher_sees_the_roster_of_her_class(client_for, world):
    school_class = world["school_class"]

    body = client_for(world["users"]["teacher"]).get(class_url(school_class)).json()

    pupils = [world["users"]["pupil"], world["users"]["pupil_pending"]]
    assert {(entry["display_name"], entry["consent_status"]) for entry in body["pupils"]} == {
        (pupil.display_name, pupil.pupil_profile.consent_status) for pupil in pupils
    }
    # Display names only: first name and initial, nothing else about the pupils.
    assert all(set(entry) == {"display_name", "consent_status"} for entry in body["pupils"])


def test_a_head_sees_every_class_of_her_school_with_codes_and_rosters(client_for, world, two_schools):
    client = client_for(world["users"]["school_head"])

    classes = listed(client.get(CLASSES))

    assert set(classes) == {two_schools["class_a"].pk, two_schools["other_class_a"].pk}
    assert classes[two_schools["other_class_a"].pk]["join_code"] == two_schools["other_class_a"].join_code
    assert client.get(class_url(two_schools["other_class_a"])).json()["pupils"] == []


def test_a_teacher_of_school_a_gets_nothing_of_school_b(client_for, world, two_schools):
    client = client_for(world["users"]["teacher"])

    response = client.get(class_url(two_schools["class_b"]))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert two_schools["class_b"].pk not in listed(client.get(CLASSES))
    assert listed(client.get(CLASSES, {"school": two_schools["class_b"].school.uai})) == {}


def test_a_teacher_does_not_see_the_classes_of_colleagues(client_for, world, two_schools):
    response = client_for(world["users"]["teacher"]).get(class_url(two_schools["other_class_a"]))

    assert response.status_code == 404


def test_a_pending_teacher_sees_no_class_even_one_she_is_attached_to(client_for, world):
    pending = world["pending_teacher"].user
    world["school_class"].teachers.add(pending)

    assert listed(client_for(pending).get(CLASSES)) == {}


def test_platform_staff_see_every_class_and_roster_but_no_join_code(client_for, world, two_schools):
    client = client_for(world["users"]["platform_staff"])

    classes = listed(client.get(CLASSES))
    detail = client.get(class_url(two_schools["class_b"])).json()

    assert set(classes) == {two_schools["class_a"].pk, two_schools["other_class_a"].pk, two_schools["class_b"].pk}
    assert {item["join_code"] for item in classes.values()} == {None}
    assert detail["join_code"] is None
    assert len(detail["pupils"]) == 1


def test_a_pupil_sees_her_class_without_roster_nor_code(client_for, world, two_schools):
    client = client_for(world["users"]["pupil"])

    classes = listed(client.get(CLASSES))
    detail = client.get(class_url(world["school_class"]))

    assert set(classes) == {world["school_class"].pk}
    assert classes[world["school_class"].pk]["join_code"] is None
    assert detail.status_code == 200
    assert detail.json()["pupils"] is None
    assert detail.json()["join_code"] is None
    assert detail.json()["teachers"] == [{"display_name": world["users"]["teacher"].display_name}]


def test_a_pupil_cannot_see_another_class(client_for, world, two_schools):
    client = client_for(world["users"]["pupil"])

    for other in (two_schools["other_class_a"], two_schools["class_b"]):
        response = client.get(class_url(other))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_a_pupil_who_left_her_class_no_longer_sees_it(client_for, world):
    pupil = world["users"]["pupil"]
    pupil.enrolments.update(left_at=timezone.now())

    assert listed(client_for(pupil).get(CLASSES)) == {}
    assert client_for(pupil).get(class_url(world["school_class"])).status_code == 404


@pytest.mark.parametrize("role", ["tutor", "professional", "employer", "association_staff", "no_role"])
def test_other_adults_see_no_class(client_for, world, role):
    client = client_for(world["users"][role])

    assert listed(client.get(CLASSES)) == {}
    assert client.get(class_url(world["school_class"])).status_code == 404


def test_filters(client_for, world, two_schools):
    client = client_for(world["users"]["platform_staff"])
    lycee_class = factories.SchoolClassFactory(school=two_schools["class_b"].school, level="cap_1", school_year=2025)

    assert set(listed(client.get(CLASSES, {"school": two_schools["class_b"].school.uai.lower()}))) == {
        two_schools["class_b"].pk,
        lycee_class.pk,
    }
    assert set(listed(client.get(CLASSES, {"school_year": 2025}))) == {lycee_class.pk}
    assert set(listed(client.get(CLASSES, {"level": "cap_1"}))) == {lycee_class.pk}
    assert client.get(CLASSES, {"level": "terminale"}).json()["code"] == "invalid"


def test_pupil_count_ignores_pupils_who_left(client_for, world):
    world["users"]["pupil"].enrolments.update(left_at=timezone.now())

    body = client_for(world["users"]["teacher"]).get(class_url(world["school_class"])).json()

    assert body["pupil_count"] == 1
    assert [pupil["display_name"] for pupil in body["pupils"]] == [world["users"]["pupil_pending"].display_name]


def test_listing_classes_costs_no_query_per_class(client_for, world):
    client = client_for(world["users"]["school_head"])
    client.get(CLASSES)
    with CaptureQueriesContext(connection) as few:
        client.get(CLASSES)
    for _ in range(8):
        school_class = factories.SchoolClassFactory(school=world["school"], teachers=[factories.UserFactory()])
        factories.EnrolmentFactory(school_class=school_class)

    with CaptureQueriesContext(connection) as many:
        assert len(listed(client.get(CLASSES))) == 9

    assert len(many) == len(few)


@pytest.mark.parametrize(
    "role", ["pupil", "teacher", "school_head", "tutor", "employer", "association_staff", "platform_staff", "no_role"]
)
def test_class_access_agrees_with_the_schools_permissions(world, two_schools, role):
    """The API's batched answer and the web pages' `can_manage_class` must never drift apart."""
    user = world["users"][role]
    access = class_access(user)

    for school_class in SchoolClass.objects.prefetch_related("teachers"):
        assert access.may_see_roster(school_class) == can_manage_class(user, school_class), school_class
        if access.may_see_join_code(school_class):
            assert can_manage_class(user, school_class)
