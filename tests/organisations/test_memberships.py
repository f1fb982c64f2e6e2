import pytest
from django.urls import reverse

from backend.accounts.enums import MembershipStatus, Role
from backend.accounts.roles import user_roles
from backend.organisations.models import HostOrganisation, OrganisationMembership
from tests import factories

pytestmark = pytest.mark.django_db

ORGANISATION = {
    "siret": "418 273 645 00014",
    "name": "Ateliers du Landy",
    "kind": "company",
    "sector": "I",
    "address": "12 rue du Landy",
    "role": "employer",
}


def test_the_first_member_creates_the_organisation_and_is_confirmed(client):
    user = factories.UserFactory()
    client.force_login(user)
    assert client.post(reverse("organisations:organisation_join"), ORGANISATION).status_code == 302
    organisation = HostOrganisation.objects.get()
    assert organisation.siret == "41827364500014"
    assert user_roles(user) == [Role.EMPLOYER]


def test_joining_an_existing_organisation_waits_for_its_employer(client):
    existing = factories.OrganisationMembershipFactory(organisation__siret="41827364500014")
    newcomer = factories.UserFactory()
    client.force_login(newcomer)
    client.post(reverse("organisations:organisation_join"), {**ORGANISATION, "role": "professional"})
    membership = OrganisationMembership.objects.get(user=newcomer)
    assert membership.status == MembershipStatus.PENDING
    assert HostOrganisation.objects.count() == 1

    client.force_login(existing.user)
    url = reverse("organisations:organisation_decide", args=[existing.organisation.pk, membership.pk])
    client.post(url, {"decision": "confirm"})
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.CONFIRMED
    assert user_roles(newcomer) == [Role.PROFESSIONAL]


@pytest.mark.parametrize(
    ("siret", "message"),
    [("41827364500015", "clé de contrôle incorrecte"), ("4182736", "Un numéro SIRET compte 14 chiffres")],
)
def test_an_invalid_siret_creates_nothing(client, siret, message):
    client.force_login(factories.UserFactory())
    response = client.post(reverse("organisations:organisation_join"), {**ORGANISATION, "siret": siret})
    assert message in response.content.decode()
    assert not HostOrganisation.objects.exists()


def test_a_professional_cannot_confirm_members(client, world):
    client.force_login(world["users"]["professional"])
    membership = world["pending_org_member"]
    url = reverse("organisations:organisation_decide", args=[world["organisation"].pk, membership.pk])
    assert client.post(url, {"decision": "confirm"}).status_code == 403
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PENDING


def test_association_staff_refuse_a_request(client, world):
    client.force_login(world["users"]["association_staff"])
    membership = world["pending_association_member"]
    url = reverse("organisations:association_decide", args=[world["association"].pk, membership.pk])
    client.post(url, {"decision": "refuse"})
    assert not type(membership).objects.filter(pk=membership.pk).exists()


def test_an_unknown_decision_changes_nothing(client, world):
    client.force_login(world["users"]["association_staff"])
    membership = world["pending_association_member"]
    url = reverse("organisations:association_decide", args=[world["association"].pk, membership.pk])
    response = client.post(url, {"decision": "peut-etre"}, follow=True)
    assert "Choisissez de confirmer ou de refuser" in response.content.decode()
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PENDING


def test_a_pupil_cannot_join_an_organisation(client):
    client.force_login(factories.UserFactory(pupil=True))
    assert client.post(reverse("organisations:organisation_join"), ORGANISATION).status_code == 403
    assert not HostOrganisation.objects.exists()


def test_the_organisation_commune_is_picked_without_javascript(client):
    commune = factories.CommuneFactory()
    client.force_login(factories.UserFactory())
    response = client.post(reverse("organisations:organisation_join"), {**ORGANISATION, "commune": "93066"})
    assert response.status_code == 302
    assert HostOrganisation.objects.get().commune == commune


def test_an_unknown_commune_is_refused_with_a_message(client):
    factories.CommuneFactory()
    client.force_login(factories.UserFactory())
    response = client.post(reverse("organisations:organisation_join"), {**ORGANISATION, "commune": "Atlantide"})
    assert response.status_code == 200
    assert "Atlantide" in response.content.decode()
    assert not HostOrganisation.objects.exists()


def test_a_tutor_of_an_association_is_not_its_staff(client, world):
    association = world["association"]
    tutor = factories.AssociationMembershipFactory(association=association, role="tutor").user
    assert Role.ASSOCIATION_STAFF not in user_roles(tutor)
    client.force_login(tutor)
    membership = world["pending_association_member"]
    url = reverse("organisations:association_decide", args=[association.pk, membership.pk])
    assert client.post(url, {"decision": "confirm"}).status_code == 403


def test_joining_an_association_asks_for_the_role(client, world):
    user = factories.UserFactory()
    client.force_login(user)
    data = {"association": world["association"].pk, "role": "tutor"}
    assert client.post(reverse("organisations:association_join"), data).status_code == 302
    membership = user.association_memberships.get()
    assert (membership.role, membership.status) == ("tutor", MembershipStatus.PENDING)
    response = client.post(reverse("organisations:association_join"), {"association": world["association"].pk})
    assert "Ce champ est obligatoire" in response.content.decode()
