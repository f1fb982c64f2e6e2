"""Honourability attestations: who follows which tutors, recording one (dates checked), a tutor's own status."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.organisations.enums import AssociationRole
from scheduling import permissions
from scheduling.models import HonourabilityAttestation
from scheduling.selectors import has_valid_attestation
from scheduling.views import safeguarding
from tests import factories
from tests.scheduling.factories import HonourabilityAttestationFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 3, 1)
DAY = datetime.timedelta(days=1)


def affiliated_tutor(association, **user):
    tutor = factories.TutorProfileFactory(**{f"user__{k}": v for k, v in user.items()}).user
    factories.AssociationMembershipFactory(user=tutor, association=association, role=AssociationRole.TUTOR)
    return tutor


@pytest.fixture
def association_staff():
    return factories.AssociationMembershipFactory().user


@pytest.fixture
def association(association_staff):
    return association_staff.association_memberships.get().association


@pytest.mark.parametrize(
    ("expires_on", "status"),
    [
        (None, "none"),
        (TODAY - DAY, "expired"),
        (TODAY, "expiring"),
        (TODAY + 30 * DAY, "expiring"),
        (TODAY + 31 * DAY, "valid"),
    ],
)
def test_attestation_status(expires_on, status):
    assert safeguarding.attestation_status(expires_on, today=TODAY) == status


def test_staff_sees_the_tutors_of_their_associations_only(client, association_staff, association):
    mine = affiliated_tutor(association, last_name="Aubert")
    other = affiliated_tutor(factories.AssociationFactory(), last_name="Zidane")
    pending = factories.TutorProfileFactory().user
    factories.AssociationMembershipFactory(
        user=pending, association=association, role=AssociationRole.TUTOR, pending=True
    )
    client.force_login(association_staff)
    response = client.get(reverse("scheduling:safeguarding_tutors"))
    assert response.status_code == 200
    names = [row.tutor for row in response.context["rows"]]
    assert names == [mine]
    assert other not in names
    assert pending not in names


def test_platform_staff_sees_every_tutor_sorted_by_urgency(client):
    today = timezone.localdate()
    valid = factories.TutorProfileFactory().user
    HonourabilityAttestationFactory(user=valid)
    expired = factories.TutorProfileFactory().user
    HonourabilityAttestationFactory(user=expired, issued_on=today - 400 * DAY, expires_on=today - DAY)
    expiring = factories.TutorProfileFactory().user
    HonourabilityAttestationFactory(user=expiring, issued_on=today - 300 * DAY, expires_on=today + 10 * DAY)
    none = factories.TutorProfileFactory().user
    client.force_login(factories.UserFactory(staff=True))
    response = client.get(reverse("scheduling:safeguarding_tutors"))
    rows = response.context["rows"]
    assert [(row.tutor, row.status) for row in rows] == [
        (expired, "expired"),
        (none, "none"),
        (expiring, "expiring"),
        (valid, "valid"),
    ]
    content = response.content.decode()
    assert "Expire dans moins de 30 jours" in content
    assert "<caption>" in content

    filtered = client.get(reverse("scheduling:safeguarding_tutors"), {"statut": "expiring"})
    assert [row.tutor for row in filtered.context["rows"]] == [expiring]
    everything = client.get(reverse("scheduling:safeguarding_tutors"), {"statut": "nonsense"})
    assert len(everything.context["rows"]) == 4


def test_a_future_attestation_does_not_count_yet(client):
    today = timezone.localdate()
    tutor = factories.TutorProfileFactory().user
    HonourabilityAttestationFactory(user=tutor, issued_on=today + 5 * DAY, expires_on=today + 800 * DAY)
    client.force_login(factories.UserFactory(staff=True))
    rows = client.get(reverse("scheduling:safeguarding_tutors")).context["rows"]
    assert rows[0].status == "none"


def test_staff_records_an_attestation(client, association_staff, association):
    tutor = affiliated_tutor(association)
    today = timezone.localdate()
    assert not has_valid_attestation(tutor)
    client.force_login(association_staff)
    url = reverse("scheduling:safeguarding_record", args=[tutor.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "issued_on": (today - 10 * DAY).isoformat(),
            "expires_on": (today + 3 * 365 * DAY).isoformat(),
            "seen": "on",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("scheduling:safeguarding_tutors")
    attestation = HonourabilityAttestation.objects.get(user=tutor)
    assert attestation.recorded_by == association_staff
    assert has_valid_attestation(tutor)


@pytest.mark.parametrize(
    ("issued", "expires", "seen", "message"),
    [
        (5, 800, True, "dans le futur"),
        (0, 0, True, "doit suivre la date de délivrance"),
        (-800, -1, True, "déjà expiré"),
        (-10, 5000, True, "plus de dix ans"),
        (-2000, 100, True, "plus de cinq ans"),
        (-10, 800, False, "Ce champ est obligatoire"),
        (None, 800, True, "Ce champ est obligatoire"),
    ],
)
def test_bad_dates_are_refused_and_nothing_written(
    client, association_staff, association, issued, expires, seen, message
):
    tutor = affiliated_tutor(association)
    today = timezone.localdate()
    data = {"expires_on": (today + expires * DAY).isoformat()}
    if issued is not None:
        data["issued_on"] = (today + issued * DAY).isoformat()
    if seen:
        data["seen"] = "on"
    client.force_login(association_staff)
    response = client.post(reverse("scheduling:safeguarding_record", args=[tutor.pk]), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert "pas enregistrée" in content
    assert not HonourabilityAttestation.objects.exists()


def test_malformed_date_is_a_clear_error(client, association_staff, association):
    tutor = affiliated_tutor(association)
    client.force_login(association_staff)
    response = client.post(
        reverse("scheduling:safeguarding_record", args=[tutor.pk]),
        {"issued_on": "31/02/2026", "expires_on": "demain", "seen": "on"},
    )
    assert response.status_code == 200
    assert not HonourabilityAttestation.objects.exists()


def test_who_may_record(association_staff, association):
    tutor = affiliated_tutor(association)
    stranger_tutor = affiliated_tutor(factories.AssociationFactory())
    assert permissions.can_record_attestation(association_staff, tutor)
    assert not permissions.can_record_attestation(association_staff, stranger_tutor)
    staff = factories.UserFactory(staff=True)
    assert permissions.can_record_attestation(staff, stranger_tutor)
    # Never for oneself, never for someone who is not a tutor.
    assert not permissions.can_record_attestation(tutor, tutor)
    assert not permissions.can_record_attestation(staff, factories.UserFactory())
    pending_staff = factories.AssociationMembershipFactory(association=association, pending=True).user
    assert not permissions.can_record_attestation(pending_staff, tutor)


def test_staff_of_another_association_is_refused(client, association):
    tutor = affiliated_tutor(association)
    outsider = factories.AssociationMembershipFactory().user
    client.force_login(outsider)
    url = reverse("scheduling:safeguarding_record", args=[tutor.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"issued_on": "2026-01-01", "expires_on": "2029-01-01", "seen": "on"}).status_code == 403
    assert not HonourabilityAttestation.objects.exists()
    assert client.get(reverse("scheduling:safeguarding_record", args=[999999])).status_code == 404


def test_tutor_sees_own_status(client, association):
    tutor = affiliated_tutor(association)
    client.force_login(tutor)
    url = reverse("scheduling:safeguarding_mine")
    response = client.get(url)
    assert response.context["status"] == "none"
    assert "créneaux en petit groupe" in response.content.decode()
    assert association.name in response.content.decode()

    today = timezone.localdate()
    HonourabilityAttestationFactory(user=tutor, issued_on=today - 300 * DAY, expires_on=today + 10 * DAY)
    response = client.get(url)
    assert response.context["status"] == "expiring"
    assert "moins de 30 jours" in response.content.decode()

    HonourabilityAttestationFactory(user=tutor, issued_on=today - DAY, expires_on=today + 900 * DAY)
    response = client.get(url)
    assert response.context["status"] == "valid"
    assert (today + 900 * DAY).strftime("%d/%m/%Y") in response.content.decode()


def test_tutor_with_expired_attestation(client):
    tutor = factories.TutorProfileFactory().user
    today = timezone.localdate()
    HonourabilityAttestationFactory(user=tutor, issued_on=today - 900 * DAY, expires_on=today - DAY)
    client.force_login(tutor)
    response = client.get(reverse("scheduling:safeguarding_mine"))
    assert response.context["status"] == "expired"
    assert "a expiré" in response.content.decode()


def test_list_queries_do_not_grow_with_tutors(client, django_assert_max_num_queries):
    staff = factories.UserFactory(staff=True)
    for _ in range(8):
        tutor = affiliated_tutor(factories.AssociationFactory())
        HonourabilityAttestationFactory(user=tutor)
    client.force_login(staff)
    with django_assert_max_num_queries(13):  # a fixed cost: the header's roles take one query per providing app
        assert client.get(reverse("scheduling:safeguarding_tutors")).status_code == 200
