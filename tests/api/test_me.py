import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests import factories

ME = reverse("api:me")

EXPECTED_ROLES = {
    "pupil": ["pupil"],
    "pupil_pending": ["pupil"],
    "teacher": ["teacher"],
    "school_head": ["school_head"],
    "tutor": ["tutor"],
    "professional": ["professional"],
    "employer": ["employer"],
    "association_staff": ["association_staff"],
    "platform_staff": ["platform_staff"],
    "no_role": [],
}


@pytest.mark.parametrize("role", sorted(EXPECTED_ROLES))
def test_me_for_every_kind_of_user(client_for, world, role):
    user = world["users"][role]

    response = client_for(user).get(ME)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == user.pk
    assert body["roles"] == EXPECTED_ROLES[role]
    assert body["display_name"] == user.display_name
    assert body["time_zone"] == "Europe/Paris"
    assert set(body) == {
        "id",
        "display_name",
        "first_name",
        "last_name",
        "email",
        "roles",
        "time_zone",
        "pupil",
        "school_memberships",
        "organisation_memberships",
        "association_memberships",
    }


def test_a_pupil_sees_her_own_names_her_class_and_no_email(client_for, world):
    pupil = world["users"]["pupil_pending"]
    school_class = world["school_class"]

    body = client_for(pupil).get(ME).json()

    assert body["first_name"] == pupil.first_name
    assert body["last_name"] == pupil.last_name
    assert body["display_name"] == f"{pupil.first_name} {pupil.last_name[0].upper()}."
    assert body["email"] is None
    assert body["pupil"] == {
        "consent_status": "pending",
        "current_class": {
            "id": school_class.pk,
            "name": school_class.name,
            "level": school_class.level,
            "school_year": school_class.school_year,
            "school": {"uai": world["school"].uai, "name": world["school"].name},
        },
    }
    assert body["school_memberships"] == []


def test_a_pupil_without_a_class(client_for, db):
    pupil = factories.UserFactory(pupil=True)

    body = client_for(pupil).get(ME).json()

    assert body["pupil"] == {"consent_status": "received", "current_class": None}


def test_an_adult_sees_her_email_and_every_membership_with_its_status(client_for, world):
    teacher = world["users"]["teacher"]
    other_school = factories.SchoolFactory(name="Lycée Zola")
    factories.SchoolStaffFactory(user=teacher, school=other_school, pending=True)
    factories.OrganisationMembershipFactory(user=teacher, professional=True, pending=True)
    factories.AssociationMembershipFactory(user=teacher)

    body = client_for(teacher).get(ME).json()

    assert body["email"] == teacher.email
    assert body["pupil"] is None
    assert body["school_memberships"] == [
        {
            "school": {"uai": world["school"].uai, "name": world["school"].name},
            "role": "teacher",
            "status": "confirmed",
        },
        {"school": {"uai": other_school.uai, "name": "Lycée Zola"}, "role": "teacher", "status": "pending"},
    ]
    [organisation] = body["organisation_memberships"]
    assert (organisation["role"], organisation["status"]) == ("professional", "pending")
    [association] = body["association_memberships"]
    assert association["status"] == "confirmed"
    # Pending memberships give no role.
    assert body["roles"] == ["teacher", "association_staff"]


def test_me_with_a_token(api_client, world):
    head = world["users"]["school_head"]
    token = Token.objects.create(user=head)

    response = api_client.get(ME, HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 200
    assert response.json()["roles"] == ["school_head"]


def test_me_needs_an_account(api_client, db):
    response = api_client.get(ME)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
