"""Moderation: reports by anyone (rate-limited), the staff's queue of submitted offers and open reports, their
decisions, the offer page's actions, and the admin."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from backend.offers.enums import OfferEventKind, OfferStatus, ReportDecision, ReportReason, Reservation
from backend.offers.models import Offer, OfferEvent, OfferReport
from backend.offers.views.moderation import REPORTS_PER_HOUR
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = factories.UserFactory(staff=True)
    client.force_login(user)
    return user


@pytest.fixture
def membership():
    return factories.OrganisationMembershipFactory()


def report_url(offer):
    return reverse("offers:report", args=[offer.pk])


def new_report(offer, reason=ReportReason.MISLEADING) -> OfferReport:
    return OfferReport.objects.create(offer=offer, reason=reason, detail="Ce n'est pas un stage.")


# --- Reporting -----------------------------------------------------------------------------------------------


def test_anyone_reports_a_visible_offer(client):
    offer = factories.OfferFactory()
    page = client.get(report_url(offer))
    assert page.status_code == 200
    assert "Pourquoi signalez-vous cette offre ?" in page.content.decode()
    response = client.post(
        report_url(offer), {"reason": ReportReason.DISCRIMINATORY, "detail": "Réservé aux garçons."}
    )
    assert response.status_code == 302
    report = OfferReport.objects.get()
    assert (report.offer, report.reporter, report.reason) == (offer, None, ReportReason.DISCRIMINATORY)
    assert report.detail == "Réservé aux garçons."
    event = offer.events.get()
    assert (event.kind, event.actor) == (OfferEventKind.REPORTED, None)


def test_a_signed_in_person_is_recorded_as_the_reporter(client):
    pupil = factories.EnrolmentFactory().pupil
    client.force_login(pupil)
    offer = factories.OfferFactory()
    client.post(report_url(offer), {"reason": ReportReason.INAPPROPRIATE})
    assert OfferReport.objects.get().reporter == pupil


def test_another_reason_needs_details(client):
    offer = factories.OfferFactory()
    response = client.post(report_url(offer), {"reason": ReportReason.OTHER, "detail": " "})
    assert response.status_code == 200
    assert "Précisez la raison de votre signalement." in response.content.decode()
    response = client.post(report_url(offer), {"reason": "nonsense"})
    assert response.status_code == 200
    assert not OfferReport.objects.exists()


@pytest.mark.parametrize(
    "offer_kwargs",
    [
        {"draft": True},
        {"status": OfferStatus.ARCHIVED},
        {"hidden_at": timezone.now()},
        {"reservation": Reservation.SCHOOLS},
    ],
)
def test_only_an_offer_one_may_see_is_reported(client, offer_kwargs):
    offer = factories.OfferFactory(**offer_kwargs)
    assert client.get(report_url(offer)).status_code == 404
    assert client.post(report_url(offer), {"reason": ReportReason.MISLEADING}).status_code == 404
    assert not OfferReport.objects.exists()
    assert client.get(reverse("offers:report", args=[987654])).status_code == 404


def test_reports_are_rate_limited_per_address(client):
    offer = factories.OfferFactory()
    for _attempt in range(REPORTS_PER_HOUR):
        assert client.post(report_url(offer), {"reason": ReportReason.MISLEADING}).status_code == 302
    response = client.post(report_url(offer), {"reason": ReportReason.MISLEADING})
    assert response.status_code == 429
    assert "Trop de signalements" in response.content.decode()
    assert OfferReport.objects.count() == REPORTS_PER_HOUR
    # Another address is not limited by this one.
    response = client.post(report_url(offer), {"reason": ReportReason.MISLEADING}, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302
    assert OfferReport.objects.count() == REPORTS_PER_HOUR + 1


# --- The queue -----------------------------------------------------------------------------------------------


def test_the_queue_shows_what_waits(client, staff):
    submitted = factories.OfferFactory(submitted=True, title="À relire")
    factories.OfferFactory(draft=True, title="Brouillon pas encore envoyé")
    reported = factories.OfferFactory(title="Offre signalée")
    new_report(reported)
    decided = new_report(factories.OfferFactory(title="Déjà traitée"))
    decided.decision = ReportDecision.DISMISSED
    decided.save()
    factories.OfferFactory(hidden_at=timezone.now(), title="Offre masquée")
    html = client.get(reverse("offers:moderation")).content.decode()
    assert "1 offre à relire" in html
    assert "1 signalement ouvert" in html
    assert "1 offre masquée" in html
    assert submitted.title in html
    assert "Brouillon pas encore envoyé" not in html
    assert "Offre signalée" in html
    assert "Ce n&#x27;est pas un stage." in html
    assert "Déjà traitée" not in html
    assert "Offre masquée" in html


def test_staff_publish_an_offer(client, staff, membership, django_capture_on_commit_callbacks):
    offer = factories.OfferFactory(organisation=membership.organisation, submitted=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("offers:moderate", args=[offer.pk]), {"action": "publish"}, follow=True)
    assert "est publiée" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLISHED
    event = offer.events.get()
    assert (event.kind, event.actor) == (OfferEventKind.PUBLISHED, staff)
    assert [message.to for message in mail.outbox] == [[membership.user.email]]


def test_staff_send_an_offer_back_with_a_message(client, staff, membership, django_capture_on_commit_callbacks):
    offer = factories.OfferFactory(organisation=membership.organisation, submitted=True)
    response = client.post(reverse("offers:moderate", args=[offer.pk]), {"action": "reject", "note": ""}, follow=True)
    assert "Expliquez à la structure ce qu&#x27;elle doit modifier." in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("offers:moderate", args=[offer.pk]), {"action": "reject", "note": "Ajoutez les horaires."})
    offer.refresh_from_db()
    assert (offer.status, offer.moderation_note) == (OfferStatus.DRAFT, "Ajoutez les horaires.")
    assert "Ajoutez les horaires." in mail.outbox[0].body
    # The employer sees the message on her offer's page.
    factories_client = client.__class__()
    factories_client.force_login(membership.user)
    html = factories_client.get(reverse("offers:manage", args=[offer.pk])).content.decode()
    assert "Ajoutez les horaires." in html
    assert "Renvoi en brouillon par la modération" in html


def test_publishing_what_is_not_submitted_is_refused(client, staff):
    offer = factories.OfferFactory(draft=True)
    response = client.post(reverse("offers:moderate", args=[offer.pk]), {"action": "publish"}, follow=True)
    assert "Seule une offre en attente de validation peut être publiée" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT
    response = client.post(reverse("offers:moderate", args=[offer.pk]), {"action": "burn"}, follow=True)
    assert response.status_code == 200
    assert not offer.events.exists()


# --- Decisions on reports ------------------------------------------------------------------------------------


def decide(client, report, decision):
    return client.post(reverse("offers:report_decide", args=[report.pk]), {"decision": decision}, follow=True)


def test_dismiss(client, staff):
    report = new_report(factories.OfferFactory())
    response = decide(client, report, ReportDecision.DISMISSED)
    assert "est écarté" in response.content.decode()
    report.refresh_from_db()
    assert (report.decision, report.decided_by) == (ReportDecision.DISMISSED, staff)
    assert OfferEvent.objects.get().kind == OfferEventKind.REPORT_DISMISSED


def test_hide_closes_every_report_and_unhide_brings_it_back(client, staff):
    offer = factories.OfferFactory()
    first, second = new_report(offer), new_report(offer, ReportReason.INAPPROPRIATE)
    decide(client, first, ReportDecision.HIDDEN)
    offer.refresh_from_db()
    assert offer.hidden_at is not None
    assert set(OfferReport.objects.values_list("decision", flat=True)) == {ReportDecision.HIDDEN}
    html = client.get(reverse("offers:moderation")).content.decode()
    assert "0 signalement" in html
    assert "1 offre masquée" in html
    # A second decision on a closed report is refused.
    response = decide(client, second, ReportDecision.DISMISSED)
    assert "déjà traité" in response.content.decode()

    response = client.post(reverse("offers:unhide", args=[offer.pk]), follow=True)
    assert "n&#x27;est plus masquée" in response.content.decode()
    offer.refresh_from_db()
    assert offer.hidden_at is None
    assert list(offer.events.values_list("kind", flat=True)) == ["hidden", "unhidden"]


def test_delete_an_offer_nobody_applied_to(client, staff):
    offer = factories.OfferFactory()
    response = decide(client, new_report(offer), ReportDecision.DELETED)
    assert "est supprimée" in response.content.decode()
    assert not Offer.objects.filter(pk=offer.pk).exists()


def test_delete_is_refused_when_pupils_applied(client, staff):
    application = factories.ApplicationFactory()
    report = new_report(application.offer)
    response = decide(client, report, ReportDecision.DELETED)
    assert "Masquez-la plutôt" in response.content.decode()
    assert Offer.objects.filter(pk=application.offer.pk).exists()
    report.refresh_from_db()
    assert report.decision == ""


def test_an_unknown_decision(client, staff):
    report = new_report(factories.OfferFactory())
    response = decide(client, report, "burn")
    assert "Choisissez d&#x27;écarter" in response.content.decode()
    report.refresh_from_db()
    assert report.decision == ""


# --- The offer page's actions --------------------------------------------------------------------------------


def test_the_actions_on_the_offer_page(membership):
    offer = factories.OfferFactory(organisation=membership.organisation)
    anonymous = render_to_string("offers/includes/offer_actions.html", {"offer": offer, "user": AnonymousUser()})
    assert "Signaler cette offre" in anonymous
    assert report_url(offer) in anonymous
    assert "Gérer cette offre" not in anonymous
    manager = render_to_string("offers/includes/offer_actions.html", {"offer": offer, "user": membership.user})
    assert "Gérer cette offre" in manager
    assert reverse("offers:manage", args=[offer.pk]) in manager


# --- Admin ---------------------------------------------------------------------------------------------------


def test_the_admin_pages(client):
    client.force_login(factories.UserFactory(staff=True, is_superuser=True))
    application = factories.ApplicationFactory()
    offer = application.offer
    report = new_report(offer)
    OfferEvent.objects.create(offer=offer, kind=OfferEventKind.EDITED, note="Essai")
    for name, args in [
        ("admin:offers_offer_changelist", []),
        ("admin:offers_offer_change", [offer.pk]),
        ("admin:offers_offerreport_changelist", []),
        ("admin:offers_offerreport_change", [report.pk]),
        ("admin:offers_offerevent_changelist", []),
        ("admin:offers_application_changelist", []),
        ("admin:offers_application_change", [application.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 200, name
    assert client.get(reverse("admin:offers_offerevent_add")).status_code == 403
    assert client.get(reverse("admin:offers_application_add")).status_code == 403


def test_the_admin_publishes_through_the_services(client):
    user = factories.UserFactory(staff=True, is_superuser=True)
    client.force_login(user)
    submitted = factories.OfferFactory(submitted=True)
    draft = factories.OfferFactory(draft=True)
    client.post(
        reverse("admin:offers_offer_changelist"),
        {"action": "publish_selected", "_selected_action": [submitted.pk, draft.pk]},
    )
    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert (submitted.status, draft.status) == (OfferStatus.PUBLISHED, OfferStatus.DRAFT)
    assert submitted.events.get().actor == user
