"""The yearly targets of an association: the form, bad values refused with nothing written, one row per association
and year (the database says so too), and only the association's confirmed staff (or platform staff) may set them."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from backend.follow_up import association_dashboard as board
from backend.follow_up.models import AssociationTarget
from backend.organisations.enums import AssociationRole
from tests import factories

pytestmark = pytest.mark.django_db

VALID = {"sessions": "12", "pupils": "300", "priority_pupils_share": "60", "professionals": "20"}


@pytest.fixture
def staff():
    return factories.AssociationMembershipFactory()


def url(association, year=None):
    base = reverse("follow_up:association_targets", args=[association.pk])
    return f"{base}?annee={year}" if year is not None else base


def current_year():
    return board.school_year_of(timezone.now())


def test_the_staff_sets_the_targets_of_the_year(client, staff):
    association, year = staff.association, current_year()
    client.force_login(staff.user)
    page = client.get(url(association))
    assert page.status_code == 200
    assert 'for="id_sessions"' in page.text
    assert 'id="id_priority_pupils_share"' in page.text
    response = client.post(url(association), {"school_year": str(year), **VALID})
    assert response.status_code == 302
    assert response["Location"] == reverse("follow_up:association_dashboard", args=[association.pk]) + f"?annee={year}"
    target = AssociationTarget.objects.get()
    assert (target.association, target.school_year, target.sessions, target.pupils) == (association, year, 12, 300)
    assert (target.priority_pupils_share, target.professionals, target.updated_by) == (60, 20, staff.user)
    # Set again: the same row, updated; the page shows the values.
    client.post(url(association), {"school_year": str(year), **VALID, "sessions": "15", "priority_pupils_share": ""})
    target = AssociationTarget.objects.get()
    assert (target.sessions, target.priority_pupils_share) == (15, None)
    assert 'value="15"' in client.get(url(association, year)).text


def test_next_year_has_its_own_row(client, staff):
    client.force_login(staff.user)
    year = current_year()
    client.post(url(staff.association), {"school_year": str(year), **VALID})
    client.post(url(staff.association), {"school_year": str(year + 1), **VALID, "pupils": "400"})
    assert list(AssociationTarget.objects.order_by("school_year").values_list("school_year", "pupils")) == [
        (year, 300),
        (year + 1, 400),
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sessions", "-1"),
        ("sessions", "abc"),
        ("sessions", ""),
        ("pupils", "2.5"),
        ("priority_pupils_share", "101"),
        ("priority_pupils_share", "-5"),
        ("professionals", "1e3"),
        ("school_year", "1999"),
        ("school_year", "deux-mille"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(client, staff, field, value):
    client.force_login(staff.user)
    response = client.post(url(staff.association), {"school_year": str(current_year()), **VALID, field: value})
    assert response.status_code == 200
    assert 'role="alert"' in response.text
    assert f'href="#id_{field}"' in response.text  # the summary links to the field in error
    assert not AssociationTarget.objects.exists()


def test_a_nonsense_year_in_the_address_shows_the_current_one(client, staff):
    client.force_login(staff.user)
    response = client.get(url(staff.association, "n'importe-quoi"))
    assert response.status_code == 200
    assert "pas proposée : voici l" in response.text
    assert f'<option value="{current_year()}" selected>' in response.text


def test_the_database_keeps_one_row_per_association_and_year(staff):
    AssociationTarget.objects.create(association=staff.association, school_year=2026, sessions=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssociationTarget.objects.create(association=staff.association, school_year=2026, sessions=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssociationTarget.objects.create(association=staff.association, school_year=2027, priority_pupils_share=101)
    AssociationTarget.objects.create(association=factories.AssociationFactory(), school_year=2026)
    assert AssociationTarget.objects.count() == 2


@pytest.mark.parametrize("who", ["tutor", "pending", "other_staff", "no_role"])
def test_only_its_staff_sets_them(client, staff, who):
    association = staff.association
    if who == "tutor":
        user = factories.AssociationMembershipFactory(association=association, role=AssociationRole.TUTOR).user
    elif who == "pending":
        user = factories.AssociationMembershipFactory(association=association, pending=True).user
    elif who == "other_staff":
        user = factories.AssociationMembershipFactory().user
    else:
        user = factories.UserFactory()
    client.force_login(user)
    assert client.get(url(association)).status_code == 404
    response = client.post(url(association), {"school_year": str(current_year()), **VALID})
    assert response.status_code == 404
    assert not AssociationTarget.objects.exists()


def test_platform_staff_may_set_them(client, staff):
    client.force_login(factories.UserFactory(staff=True))
    response = client.post(url(staff.association), {"school_year": str(current_year()), **VALID})
    assert response.status_code == 302
    assert AssociationTarget.objects.get().association == staff.association


def test_an_unknown_association_is_a_404(client, staff):
    client.force_login(factories.UserFactory(staff=True))
    assert client.get(reverse("follow_up:association_targets", args=[999_999])).status_code == 404


def test_wrong_methods_are_refused(client, staff):
    client.force_login(staff.user)
    assert client.put(url(staff.association)).status_code == 405
    dashboard = reverse("follow_up:association_dashboard", args=[staff.association.pk])
    assert client.post(dashboard).status_code == 405
    assert client.post(reverse("follow_up:association_export_csv", args=[staff.association.pk])).status_code == 405
