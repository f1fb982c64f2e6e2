"""Prefecture referents: the role comes from TerritoryReferent rows, which platform staff grant in the admin; the
referent lands on the territory view."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from backend.accounts.enums import Role
from backend.accounts.roles import user_roles
from backend.follow_up.models import TerritoryReferent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes():
    factories.CommuneFactory()  # 93
    factories.CommuneFactory(
        insee_code="97411", name="Saint-Denis", departement_code="974", time_zone="Indian/Reunion"
    )
    factories.CommuneFactory(insee_code="2A004", name="Ajaccio", departement_code="2A")


def test_the_role_comes_from_the_referent_rows(communes):
    user = factories.UserFactory()
    assert Role.REFERENT not in user_roles(user)
    TerritoryReferent.objects.create(user=user, departement_code="93")
    user = type(user).objects.get(pk=user.pk)  # roles are cached on the object for a request
    assert user_roles(user) == [Role.REFERENT]


def test_staff_land_on_their_home_before_the_territory_view(communes):
    staff = factories.UserFactory(staff=True)
    TerritoryReferent.objects.create(user=staff, departement_code="93")
    assert user_roles(staff) == [Role.PLATFORM_STAFF, Role.REFERENT]


def test_referents_home_is_the_territory_view(client, communes):
    user = factories.UserFactory()
    TerritoryReferent.objects.create(user=user, departement_code="974")
    client.force_login(user)
    response = client.get(reverse("ui:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("follow_up:territory")
    page = client.get(response["Location"]).content.decode()
    assert "Référent ou référente de préfecture" in page  # her entry in the header's navigation


@pytest.mark.parametrize("code", ["93", "2A", "974"])
def test_known_departement_codes_are_valid(communes, code):
    TerritoryReferent(user=factories.UserFactory(), departement_code=code).full_clean()


@pytest.mark.parametrize("code", ["99", "20", "2C", "975", "abc"])
def test_unknown_departement_codes_are_refused(communes, code):
    with pytest.raises(ValidationError) as error:
        TerritoryReferent(user=factories.UserFactory(), departement_code=code).full_clean()
    assert "n'est pas un code de département connu" in str(error.value)


def test_a_pupil_cannot_be_a_referent(communes):
    with pytest.raises(ValidationError):
        TerritoryReferent(user=factories.UserFactory(pupil=True), departement_code="93").full_clean()


def test_staff_grant_and_revoke_in_the_admin(client, communes):
    staff = factories.UserFactory(staff=True, is_superuser=True)
    referent = factories.UserFactory()
    client.force_login(staff)
    add = reverse("admin:follow_up_territoryreferent_add")
    assert client.get(add).status_code == 200
    response = client.post(add, {"user": referent.pk, "departement_code": "2A"})
    assert response.status_code == 302
    grant = TerritoryReferent.objects.get(user=referent)
    assert (grant.departement_code, grant.granted_by) == ("2A", staff)
    # The same département twice, or a code that is no département: the form says so, nothing is written.
    again = client.post(add, {"user": referent.pk, "departement_code": "2A"})
    assert again.status_code == 200
    assert TerritoryReferent.objects.filter(user=referent).count() == 1
    wrong = client.post(add, {"user": referent.pk, "departement_code": "99"})
    assert "n'est pas un code de département connu" in wrong.context["adminform"].form.errors["departement_code"][0]
    assert TerritoryReferent.objects.count() == 1
    # The user field autocompletes.
    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {"term": referent.email, "app_label": "follow_up", "model_name": "territoryreferent", "field_name": "user"},
    )
    assert autocomplete.json()["results"][0]["id"] == str(referent.pk)
    # Revoking is deleting the row.
    delete = reverse("admin:follow_up_territoryreferent_delete", args=[grant.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not TerritoryReferent.objects.exists()


def test_only_staff_reach_the_referents_admin(client, communes):
    client.force_login(factories.UserFactory())
    response = client.get(reverse("admin:follow_up_territoryreferent_changelist"))
    assert response.status_code == 302
