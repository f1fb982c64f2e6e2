import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

SCHOOLS = reverse("api:school-list")


def school_url(uai):
    return reverse("api:school-detail", kwargs={"uai": uai})


@pytest.fixture
def directory(world):
    """Besides the world's school (Saint-Denis, Créteil, REP+, QPV): two others, elsewhere."""
    lyon = factories.CommuneFactory(
        insee_code="69123", name="Lyon", search_name="lyon", departement_code="69", departement_name="Rhône"
    )
    return {
        "world": world["school"],
        "lyon": factories.SchoolFactory(
            name="Lycée professionnel Jacquard",
            kind="lycee_pro",
            commune=lyon,
            academie="lyon",
            priority="none",
            qpv=False,
        ),
        "paris": factories.SchoolFactory(name="Collège Aimé Césaire", academie="paris", priority="rep", qpv=False),
    }


def uais(response):
    assert response.status_code == 200, response.content
    return {school["uai"] for school in response.json()["results"]}


@pytest.mark.parametrize(
    "role",
    ["teacher", "school_head", "tutor", "professional", "employer", "association_staff", "platform_staff", "no_role"],
)
def test_adults_read_the_whole_directory(client_for, world, directory, role):
    response = client_for(world["users"][role]).get(SCHOOLS)

    assert uais(response) == {school.uai for school in directory.values()}


def test_a_school_is_described_in_full(client_for, world, directory):
    school = directory["lyon"]

    response = client_for(world["users"]["employer"]).get(school_url(school.uai))

    assert response.status_code == 200
    assert response.json() == {
        "uai": school.uai,
        "name": "Lycée professionnel Jacquard",
        "kind": "lycee_pro",
        "commune": {"insee_code": "69123", "name": "Lyon", "departement_code": "69"},
        "academie": "lyon",
        "priority": "none",
        "qpv": False,
        "has_segpa": False,
        "cite_educative": False,
    }


def test_a_uai_is_found_whatever_its_case(client_for, world):
    uai = world["school"].uai

    response = client_for(world["users"]["teacher"]).get(school_url(uai.lower()))

    assert response.status_code == 200
    assert response.json()["uai"] == uai


def test_a_pupil_sees_only_her_school(client_for, world, directory):
    client = client_for(world["users"]["pupil"])

    assert uais(client.get(SCHOOLS)) == {world["school"].uai}
    assert client.get(school_url(world["school"].uai)).status_code == 200
    response = client.get(school_url(directory["lyon"].uai))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_pupil_without_a_class_sees_no_school(client_for, directory):
    response = client_for(factories.UserFactory(pupil=True)).get(SCHOOLS)

    assert uais(response) == set()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"academie": "lyon"}, {"lyon"}),
        ({"priority": "rep"}, {"paris"}),
        ({"departement": "69"}, {"lyon"}),
        ({"kind": "lycee_pro"}, {"lyon"}),
        ({"q": "césaire"}, {"paris"}),
        ({"q": "jacquard", "academie": "paris"}, set()),
    ],
)
def test_filters(client_for, world, directory, query, expected):
    response = client_for(world["users"]["association_staff"]).get(SCHOOLS, query)

    assert uais(response) == {directory[name].uai for name in expected}


def test_search_by_uai(client_for, world, directory):
    response = client_for(world["users"]["association_staff"]).get(SCHOOLS, {"q": directory["paris"].uai.lower()})

    assert uais(response) == {directory["paris"].uai}


def test_mine_lists_the_schools_where_one_is_confirmed(client_for, world, directory):
    teacher = world["users"]["teacher"]
    factories.SchoolStaffFactory(user=teacher, school=directory["lyon"], pending=True)
    client = client_for(teacher)

    assert uais(client.get(SCHOOLS, {"mine": "true"})) == {world["school"].uai}
    assert uais(client.get(SCHOOLS, {"mine": "false"})) == {directory["lyon"].uai, directory["paris"].uai}


def test_an_unknown_filter_value_is_a_validation_error(client_for, world):
    response = client_for(world["users"]["teacher"]).get(SCHOOLS, {"academie": "atlantide"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"academie"}


def test_the_list_is_paginated(client_for, world, directory):
    client = client_for(world["users"]["platform_staff"])

    body = client.get(SCHOOLS, {"page_size": 2}).json()

    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"] is not None
    assert [school["name"] for school in body["results"]] == sorted(school["name"] for school in body["results"])
    beyond = client.get(SCHOOLS, {"page": 9})
    assert beyond.status_code == 404
    assert beyond.json()["code"] == "not_found"


def test_listing_schools_costs_no_query_per_school(client_for, world, directory):
    client = client_for(world["users"]["teacher"])
    client.get(SCHOOLS)  # the session and the user, loaded once
    with CaptureQueriesContext(connection) as few:
        client.get(SCHOOLS)
    for _ in range(10):
        factories.SchoolFactory()

    with CaptureQueriesContext(connection) as many:
        assert len(client.get(SCHOOLS).json()["results"]) == 13

    assert len(many) == len(few)
