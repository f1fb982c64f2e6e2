"""Internship agreements: written when a pupil confirms, signed by the host and the school's head, the family's
copy recorded by the school; cancelled when the internship is withdrawn; who sees and who signs; the pages."""

import pytest
from django.urls import reverse

from backend.offers import agreements
from backend.offers import applications as application_services
from backend.offers.enums import AgreementParty, AgreementStatus
from backend.offers.models import Agreement, OfferWeek
from tests import factories

pytestmark = pytest.mark.django_db


def confirmed(world, pupil=None):
    """The world's offer, applied to, accepted and confirmed by a (new) pupil of the world's class."""
    pupil = pupil or factories.EnrolmentFactory(school_class=world["school_class"]).pupil
    OfferWeek.objects.filter(offer=world["offer"]).update(seats=50)
    application = factories.ApplicationFactory(offer=world["offer"], pupil=pupil)
    week = world["offer"].weeks.order_by("week_start").first()
    application_services.application_accept(application=application, by=world["users"]["employer"], week=week)
    return application_services.application_confirm(application=application, pupil=pupil)


def sign_all(world, agreement):
    agreements.agreement_sign(agreement=agreement, party=AgreementParty.HOST, by=world["users"]["employer"])
    agreements.agreement_sign(agreement=agreement, party=AgreementParty.SCHOOL, by=world["users"]["school_head"])
    return agreements.agreement_sign(agreement=agreement, party=AgreementParty.GUARDIAN, by=world["users"]["teacher"])


# Writing ------------------------------------------------------------------------------------------------------------


def test_confirming_writes_the_agreement_and_tells_the_head_and_the_employer(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = confirmed(world)
    agreement = application.agreement
    assert agreement.status == AgreementStatus.TO_SIGN
    assert agreement.school == world["school"]
    assert agreement.school_class == world["school_class"]
    to_sign = [message for message in mailoutbox if "convention de stage à signer" in message.subject]
    assert sorted(message.to[0] for message in to_sign) == sorted(
        [world["users"]["employer"].email, world["users"]["school_head"].email]
    )
    assert f"/conventions/{agreement.pk}/" in to_sign[0].body
    assert application.pupil.last_name not in to_sign[0].body  # first name and initial, as everywhere


def test_three_signatures_in_any_order_make_it_signed(world):
    agreement = confirmed(world).agreement
    agreements.agreement_sign(agreement=agreement, party=AgreementParty.GUARDIAN, by=world["users"]["school_head"])
    agreement = agreements.agreement_sign(
        agreement=agreement, party=AgreementParty.HOST, by=world["users"]["employer"]
    )
    assert agreement.status == AgreementStatus.TO_SIGN
    agreement = agreements.agreement_sign(
        agreement=agreement, party=AgreementParty.SCHOOL, by=world["users"]["school_head"]
    )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    assert agreement.host_signed_by == world["users"]["employer"]
    assert agreement.school_signed_by == world["users"]["school_head"]
    assert agreement.guardian_recorded_by == world["users"]["school_head"]


@pytest.mark.parametrize(
    ("role", "party"),
    [
        ("teacher", AgreementParty.SCHOOL),  # only a head signs for the school
        ("teacher", AgreementParty.HOST),
        ("association_staff", AgreementParty.HOST),  # posting an offer is not receiving the pupil
        ("professional", AgreementParty.HOST),  # employers sign for the organisation
        ("employer", AgreementParty.SCHOOL),
        ("employer", AgreementParty.GUARDIAN),
        ("pupil", AgreementParty.GUARDIAN),
        ("platform_staff", AgreementParty.SCHOOL),
        ("no_role", AgreementParty.HOST),
    ],
)
def test_nobody_signs_for_a_party_that_is_not_hers(world, role, party):
    agreement = confirmed(world).agreement
    with pytest.raises(agreements.AgreementError):
        agreements.agreement_sign(agreement=agreement, party=party, by=world["users"][role])
    agreement.refresh_from_db()
    assert agreement.host_signed_at is None
    assert agreement.school_signed_at is None
    assert agreement.guardian_signed_at is None


def test_a_head_of_another_school_cannot_sign(world):
    agreement = confirmed(world).agreement
    other_head = factories.SchoolStaffFactory(head=True).user
    with pytest.raises(agreements.AgreementError):
        agreements.agreement_sign(agreement=agreement, party=AgreementParty.SCHOOL, by=other_head)


def test_a_signature_is_given_once(world):
    agreement = confirmed(world).agreement
    agreements.agreement_sign(agreement=agreement, party=AgreementParty.HOST, by=world["users"]["employer"])
    with pytest.raises(agreements.AgreementError, match="déjà"):
        agreements.agreement_sign(agreement=agreement, party=AgreementParty.HOST, by=world["users"]["employer"])


def test_an_unknown_party_is_refused(world):
    agreement = confirmed(world).agreement
    with pytest.raises(agreements.AgreementError):
        agreements.agreement_sign(agreement=agreement, party="notary", by=world["users"]["school_head"])


def test_withdrawing_the_internship_cancels_its_agreement_even_signed(world):
    application = confirmed(world)
    sign_all(world, application.agreement)
    application_services.application_withdraw(application=application, pupil=application.pupil)
    agreement = Agreement.objects.get(application=application)
    assert agreement.status == AgreementStatus.CANCELLED
    assert agreement.cancelled_at is not None
    with pytest.raises(agreements.AgreementError, match="annulée"):
        agreements.agreement_sign(agreement=agreement, party=AgreementParty.HOST, by=world["users"]["employer"])


def test_a_pupil_without_a_class_has_an_agreement_the_school_cannot_sign(world):
    pupil = factories.UserFactory(pupil=True)
    application = confirmed(world, pupil=pupil)
    assert application.agreement.school is None
    assert not agreements.can_sign(world["users"]["school_head"], application.agreement, AgreementParty.SCHOOL)


def test_the_database_refuses_a_signed_agreement_without_its_three_signatures(world):
    from django.db import IntegrityError, transaction

    agreement = confirmed(world).agreement
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(pk=agreement.pk).update(status=AgreementStatus.SIGNED)


# Who sees what ------------------------------------------------------------------------------------------------------


def test_each_person_sees_her_agreements(world):
    agreement = confirmed(world).agreement
    other = factories.ApplicationFactory()  # another school, another organisation
    application_services.application_accept(
        application=other,
        by=factories.OrganisationMembershipFactory(organisation=other.offer.organisation).user,
        week=other.offer.weeks.first(),
    )
    other_agreement = application_services.application_confirm(application=other, pupil=other.pupil).agreement
    users = world["users"]
    for role in ("school_head", "teacher", "employer", "platform_staff"):
        assert agreement in agreements.visible_agreements(users[role]), role
    for role in ("school_head", "teacher", "employer"):
        assert other_agreement not in agreements.visible_agreements(users[role]), role
    for role in ("professional", "tutor", "association_staff", "no_role", "pupil"):
        assert agreement not in agreements.visible_agreements(users[role]), role
    assert list(agreements.visible_agreements(agreement.application.pupil)) == [agreement]


def test_waiting_for_follows_the_signatures(world):
    agreement = confirmed(world).agreement
    head, teacher, employer = (world["users"][role] for role in ("school_head", "teacher", "employer"))

    def waiting(user):
        return agreements.visible_agreements(user).filter(agreements.waiting_for(user)).count()

    assert (waiting(head), waiting(teacher), waiting(employer)) == (1, 1, 1)
    agreements.agreement_sign(agreement=agreement, party=AgreementParty.GUARDIAN, by=teacher)
    assert (waiting(head), waiting(teacher), waiting(employer)) == (1, 0, 1)
    agreements.agreement_sign(agreement=agreement, party=AgreementParty.SCHOOL, by=head)
    agreements.agreement_sign(agreement=agreement, party=AgreementParty.HOST, by=employer)
    assert (waiting(head), waiting(teacher), waiting(employer)) == (0, 0, 0)


# Pages --------------------------------------------------------------------------------------------------------------


def test_the_head_signs_from_the_page(world, client):
    agreement = confirmed(world).agreement
    client.force_login(world["users"]["school_head"])
    page = client.get(reverse("offers:agreement_detail", args=[agreement.pk]))
    assert page.status_code == 200
    assert agreement.application.pupil.get_full_name() in page.content.decode()  # her school knows her
    response = client.post(
        reverse("offers:agreement_sign", args=[agreement.pk]), {"party": "school", "confirm": "yes"}, follow=True
    )
    assert "Signature enregistrée" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.school_signed_by == world["users"]["school_head"]


def test_the_employer_sees_a_first_name_and_an_initial(world, client):
    agreement = confirmed(world).agreement
    client.force_login(world["users"]["employer"])
    page = client.get(reverse("offers:agreement_detail", args=[agreement.pk])).content.decode()
    assert agreement.application.pupil.display_name in page
    assert agreement.application.pupil.last_name not in page


def test_signing_without_ticking_the_box_changes_nothing(world, client):
    agreement = confirmed(world).agreement
    client.force_login(world["users"]["employer"])
    response = client.post(reverse("offers:agreement_sign", args=[agreement.pk]), {"party": "host"}, follow=True)
    assert "Cochez la case" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.host_signed_at is None


def test_a_refused_signature_is_a_message(world, client):
    agreement = confirmed(world).agreement
    client.force_login(world["users"]["teacher"])
    response = client.post(
        reverse("offers:agreement_sign", args=[agreement.pk]), {"party": "school", "confirm": "yes"}, follow=True
    )
    assert "Vous ne pouvez pas signer pour cette partie" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.school_signed_at is None


def test_outsiders_get_a_404(world, client):
    agreement = confirmed(world).agreement
    client.force_login(factories.SchoolStaffFactory(head=True).user)
    assert client.get(reverse("offers:agreement_detail", args=[agreement.pk])).status_code == 404
    assert (
        client.post(reverse("offers:agreement_sign", args=[agreement.pk]), {"party": "school", "confirm": "yes"})
    ).status_code == 404


def test_the_list_filters_and_refuses_nonsense(world, client):
    first = confirmed(world).agreement
    second = confirmed(world).agreement
    sign_all(world, second)
    client.force_login(world["users"]["school_head"])
    waiting = client.get(reverse("offers:agreements")).content.decode()  # default: waiting for her
    assert f"/conventions/{first.pk}/" in waiting
    assert f"/conventions/{second.pk}/" not in waiting
    signed = client.get(reverse("offers:agreements"), {"etat": "signees"}).content.decode()
    assert f"/conventions/{second.pk}/" in signed
    assert f"/conventions/{first.pk}/" not in signed
    nonsense = client.get(reverse("offers:agreements"), {"etat": "<script>"})
    assert nonsense.status_code == 200
    assert "existe pas" in nonsense.content.decode()


def test_a_pupil_sees_her_agreement_and_signs_nothing(world, client):
    agreement = confirmed(world).agreement
    client.force_login(agreement.application.pupil)
    listing = client.get(reverse("offers:agreements")).content.decode()
    assert reverse("offers:agreement_detail", args=[agreement.pk]) in listing
    page = client.get(reverse("offers:agreement_detail", args=[agreement.pk])).content.decode()
    assert "Signer la convention" not in page


def test_the_list_makes_the_same_number_of_queries_for_2_or_10_agreements(
    world, client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        confirmed(world)
    client.force_login(world["users"]["school_head"])
    with CaptureQueriesContext(connection) as two:
        client.get(reverse("offers:agreements"), {"etat": "toutes"})
    for _ in range(8):
        confirmed(world)
    with django_assert_max_num_queries(len(two)):
        page = client.get(reverse("offers:agreements"), {"etat": "toutes"})
    assert page.content.decode().count("/conventions/") >= 10


def test_the_application_page_links_to_its_agreement(world, client):
    application = confirmed(world)
    client.force_login(world["users"]["employer"])
    page = client.get(reverse("offers:application_detail", args=[application.pk])).content.decode()
    assert reverse("offers:agreement_detail", args=[application.agreement.pk]) in page
