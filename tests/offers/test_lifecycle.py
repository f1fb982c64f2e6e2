"""The offer services: creation and edition, weeks and seats, the states and their table of moves, duplication,
the automatic archive of past offers, reports and the moderation's decisions."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from backend.offers import services
from backend.offers.enums import (
    ApplicationStatus,
    OfferEventKind,
    OfferFormat,
    OfferStatus,
    ReportDecision,
    ReportReason,
    Reservation,
    Track,
)
from backend.offers.models import Offer, OfferEvent, OfferReport, OfferWeek
from backend.offers.rules import default_schedule
from tests import factories
from tests.factories import next_monday

pytestmark = pytest.mark.django_db


@pytest.fixture
def employer():
    return factories.OrganisationMembershipFactory().user


@pytest.fixture
def organisation(employer):
    return employer.organisation_memberships.get().organisation


@pytest.fixture
def staff():
    return factories.UserFactory(staff=True)


def job(**overrides) -> dict:
    fields = {
        "title": "Découvrir la boulangerie",
        "description": "Pétrir, façonner, cuire.",
        "sector": "D",
        "domain": "D11",
        "job_title": "Boulanger ou boulangère",
        "rome_code": "D1102",
    }
    return {**fields, **overrides}


def kinds(offer) -> list[str]:
    return list(OfferEvent.objects.filter(offer=offer).order_by("pk").values_list("kind", flat=True))


# --- Creating and editing ------------------------------------------------------------------------------------


def test_create_makes_a_draft_with_its_history(employer, organisation):
    offer = services.offer_create(by=employer, organisation=organisation, **job())
    assert offer.status == OfferStatus.DRAFT
    assert offer.created_by == employer
    assert offer.track == Track.OBSERVATION_3E
    assert offer.schedule == default_schedule()
    event = offer.events.get()
    assert (event.kind, event.actor) == (OfferEventKind.CREATED, employer)


def test_coordinates_come_from_the_commune_and_remote_offers_have_none(employer, organisation):
    commune = factories.CommuneFactory()
    offer = services.offer_create(by=employer, organisation=organisation, commune=commune, **job())
    assert (offer.latitude, offer.longitude) == (commune.latitude, commune.longitude)
    services.offer_update(offer=offer, by=employer, format=OfferFormat.REMOTE)
    assert (offer.latitude, offer.longitude) == (None, None)
    offer.refresh_from_db()
    assert offer.latitude is None


def test_a_commune_without_coordinates_is_accepted(employer, organisation):
    atoll = factories.CommuneFactory(insee_code="98799", name="Atoll", latitude=None, longitude=None)
    offer = services.offer_create(by=employer, organisation=organisation, commune=atoll, **job())
    assert offer.commune == atoll
    assert offer.latitude is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"domain": "H26"}, "domain"),  # a domain of another sector
        ({"domain": "Z99"}, "domain"),
        ({"rome_code": "12345"}, "rome_code"),
        ({"title": ""}, "title"),
        ({"sector": "Q"}, "sector"),
    ],
)
def test_create_refuses_bad_fields_and_writes_nothing(employer, organisation, overrides, field):
    with pytest.raises(ValidationError) as caught:
        services.offer_create(by=employer, organisation=organisation, **job(**overrides))
    assert field in caught.value.message_dict
    assert not Offer.objects.exists()
    assert not OfferEvent.objects.exists()


def test_editing_a_published_offer_keeps_it_published(employer, organisation):
    offer = factories.OfferFactory(organisation=organisation)
    services.offer_update(offer=offer, by=employer, title="Un nouveau titre")
    offer.refresh_from_db()
    assert (offer.status, offer.title) == (OfferStatus.PUBLISHED, "Un nouveau titre")
    event = offer.events.get()
    assert event.kind == OfferEventKind.EDITED
    assert event.actor == employer
    assert "titre" in event.note


def test_an_edit_that_changes_nothing_leaves_no_trace(employer, organisation):
    offer = factories.OfferFactory(organisation=organisation)
    services.offer_update(offer=offer, by=employer, title=offer.title, description=offer.description)
    assert not offer.events.exists()


def test_editing_an_archived_offer_is_refused(employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, status=OfferStatus.ARCHIVED)
    with pytest.raises(services.OfferError):
        services.offer_update(offer=offer, by=employer, title="Autre")
    offer.refresh_from_db()
    assert offer.title != "Autre"


def test_reserved_schools_are_set(employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, draft=True)
    school = factories.SchoolFactory()
    services.offer_update(offer=offer, by=employer, reservation=Reservation.SCHOOLS, reserved_schools=[school])
    assert list(offer.reserved_schools.all()) == [school]
    assert "établissements choisis" in offer.events.get().note


# --- Weeks and seats -----------------------------------------------------------------------------------------


def test_weeks_are_added_changed_and_removed(employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, draft=True, weeks=[next_monday(4), next_monday(5)])
    services.offer_weeks_set(
        offer=offer, by=employer, weeks=[(next_monday(4), 5), (next_monday(6), 0), (next_monday(7), 1)]
    )
    assert {(week.week_start, week.seats) for week in offer.weeks.all()} == {
        (next_monday(4), 5),
        (next_monday(6), 0),
        (next_monday(7), 1),
    }
    assert offer.events.get().kind == OfferEventKind.EDITED


@pytest.mark.parametrize(
    ("week", "seats", "message"),
    [
        (lambda: next_monday(-1), 2, "est commencée ou passée"),
        (lambda: next_monday(0), 2, "est commencée ou passée"),  # this week has begun
        (lambda: next_monday(4) + datetime.timedelta(days=2), 2, "n'est pas un lundi"),
        (lambda: next_monday(4), -1, "ne peut pas être négatif"),
        (lambda: next_monday(6), None, "indiquez un nombre de places"),
        (lambda: next_monday(6), "beaucoup", "indiquez un nombre de places"),
    ],
)
def test_bad_weeks_are_refused_and_nothing_is_written(employer, organisation, week, seats, message):
    offer = factories.OfferFactory(organisation=organisation, draft=True, weeks=[next_monday(4)])
    with pytest.raises(ValidationError) as caught:
        services.offer_weeks_set(offer=offer, by=employer, weeks=[(next_monday(5), 3), (week(), seats)])
    assert any(message in text for text in caught.value.messages), caught.value.messages
    assert [(w.week_start, w.seats) for w in offer.weeks.all()] == [(next_monday(4), 2)]
    assert not offer.events.exists()


def test_a_week_given_twice_is_refused(employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, draft=True, weeks=0)
    with pytest.raises(ValidationError, match="indiquée deux fois"):
        services.offer_weeks_set(offer=offer, by=employer, weeks=[(next_monday(4), 1), (next_monday(4), 2)])


def test_seats_never_go_below_the_seats_taken(employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, weeks=[next_monday(4)], weeks__seats=3)
    OfferWeek.objects.filter(offer=offer).update(seats_taken=2)
    with pytest.raises(ValidationError, match="indiquez au moins 2 place"):
        services.offer_weeks_set(offer=offer, by=employer, weeks=[(next_monday(4), 1)])
    # Closing a week keeps the seats already taken.
    services.offer_weeks_set(offer=offer, by=employer, weeks=[(next_monday(4), 2)])
    week = offer.weeks.get()
    assert (week.seats, week.seats_left) == (2, 0)


def test_a_week_with_applications_cannot_be_removed(employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, weeks=[next_monday(4), next_monday(5)])
    factories.ApplicationFactory(offer=offer)  # for the first week
    with pytest.raises(ValidationError, match="a déjà des candidatures"):
        services.offer_weeks_set(offer=offer, by=employer, weeks=[(next_monday(5), 2)])
    services.offer_weeks_set(offer=offer, by=employer, weeks=[(next_monday(4), 2)])
    assert [week.week_start for week in offer.weeks.all()] == [next_monday(4)]


def test_past_weeks_stay_as_they_are(employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, weeks=[next_monday(-2), next_monday(4)])
    services.offer_weeks_set(offer=offer, by=employer, weeks=[(next_monday(5), 4)])
    assert [week.week_start for week in offer.weeks.all()] == [next_monday(-2), next_monday(5)]


# --- The table of moves --------------------------------------------------------------------------------------

ALL_STATES = list(OfferStatus.values)
EXPECTED_MOVES = {
    # action: (from, to, event)
    "submit": ({"draft"}, "submitted", OfferEventKind.SUBMITTED),
    "publish": ({"submitted"}, "published", OfferEventKind.PUBLISHED),
    "reject": ({"submitted"}, "draft", OfferEventKind.REJECTED),
    "unpublish": ({"published"}, "unpublished", OfferEventKind.UNPUBLISHED),
    "republish": ({"unpublished"}, "published", OfferEventKind.PUBLISHED),
    "archive": ({"published", "unpublished"}, "archived", OfferEventKind.ARCHIVED),
}
CASES = [(action, state) for action in EXPECTED_MOVES for state in ALL_STATES]


def test_the_table_is_the_one_of_the_issue():
    assert {name: (set(move.sources), move.target, move.event) for name, move in services.TRANSITIONS.items()} == (
        EXPECTED_MOVES
    )


@pytest.mark.parametrize(("action", "state"), CASES, ids=[f"{action}-from-{state}" for action, state in CASES])
def test_every_move_from_every_state(action, state, staff, django_capture_on_commit_callbacks):
    offer = factories.OfferFactory(status=state)
    sources, target, event = EXPECTED_MOVES[action]
    if state in sources:
        with django_capture_on_commit_callbacks(execute=True):
            services.offer_transition(offer=offer, by=staff, action=action, note="À revoir : le titre.")
        assert offer.status == target
        offer.refresh_from_db()
        assert offer.status == target
        logged = offer.events.get()
        assert (logged.kind, logged.actor) == (event, staff)
    else:
        with pytest.raises(services.OfferError) as caught:
            services.offer_transition(offer=offer, by=staff, action=action, note="À revoir : le titre.")
        assert caught.value.messages[0].startswith("Seul")
        offer.refresh_from_db()
        assert offer.status == state
        assert not offer.events.exists()


def test_the_dates_of_the_moves(employer, organisation, staff):
    offer = factories.OfferFactory(organisation=organisation, draft=True)
    services.offer_submit(offer=offer, by=employer)
    assert offer.submitted_at is not None
    services.offer_publish(offer=offer, by=staff)
    assert offer.published_at is not None
    services.offer_archive(offer=offer, by=employer)
    offer.refresh_from_db()
    assert offer.archived_at is not None
    assert kinds(offer) == ["submitted", "published", "archived"]


def test_rejecting_needs_a_message_that_the_managers_get(
    employer, organisation, staff, django_capture_on_commit_callbacks
):
    offer = factories.OfferFactory(organisation=organisation, submitted=True)
    with pytest.raises(services.OfferError, match="Expliquez"):
        services.offer_reject(offer=offer, by=staff, note="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_reject(offer=offer, by=staff, note="Précisez les horaires.")
    offer.refresh_from_db()
    assert (offer.status, offer.moderation_note) == (OfferStatus.DRAFT, "Précisez les horaires.")
    assert offer.events.get().note == "Précisez les horaires."
    assert [message.to for message in mail.outbox] == [[employer.email]]
    assert "Précisez les horaires." in mail.outbox[0].body
    assert f"/offres/{offer.pk}/gestion/" in mail.outbox[0].body


def test_publishing_tells_the_employers(employer, organisation, staff, django_capture_on_commit_callbacks):
    factories.OrganisationMembershipFactory(organisation=organisation, professional=True)  # not told
    factories.OrganisationMembershipFactory(organisation=organisation, pending=True)  # not told
    offer = factories.OfferFactory(organisation=organisation, submitted=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_publish(offer=offer, by=staff)
    assert [message.to for message in mail.outbox] == [[employer.email]]
    assert offer.title in mail.outbox[0].subject


def test_an_association_offer_tells_the_association_staff(staff, django_capture_on_commit_callbacks):
    membership = factories.AssociationMembershipFactory()
    offer = factories.OfferFactory(association=membership.association, submitted=True)
    factories.OrganisationMembershipFactory(organisation=offer.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_publish(offer=offer, by=staff)
    assert [message.to for message in mail.outbox] == [[membership.user.email]]


# --- Completeness before submission --------------------------------------------------------------------------


def submit_errors(offer, by) -> list[str]:
    with pytest.raises(services.OfferError) as caught:
        services.offer_submit(offer=offer, by=by)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT
    return caught.value.messages


def test_a_complete_draft_is_submitted(employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, draft=True)
    services.offer_submit(offer=offer, by=employer)
    assert offer.status == OfferStatus.SUBMITTED


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"schedule": {"6": [["09:00", "12:00"]]}}, "Un stage d'observation de 3e a lieu du lundi au vendredi"),
        ({"schedule": {"1": [["08:00", "12:00"], ["13:00", "17:00"]]}}, "Le lundi : 8 h de présence"),
        ({"weeks": 0}, "Proposez au moins une semaine à venir avec des places."),
        ({"weeks": [next_monday(-3)]}, "Proposez au moins une semaine à venir avec des places."),
        ({"weeks__seats": 0}, "Proposez au moins une semaine à venir avec des places."),
        ({"commune": None}, "Indiquez la commune du stage"),
        ({"domain": "D11"}, "Le domaine D11 n'appartient pas au secteur choisi."),
        ({"track": Track.PFMP, "specialties": []}, "Indiquez les spécialités"),
    ],
)
def test_an_incomplete_draft_is_not_submitted(employer, organisation, overrides, message):
    offer = factories.OfferFactory(organisation=organisation, draft=True, **overrides)
    errors = submit_errors(offer, employer)
    assert any(error.startswith(message) for error in errors), errors
    assert not offer.events.exists()


def test_a_full_week_does_not_count(employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, draft=True, weeks=[next_monday(4)], weeks__seats=1)
    OfferWeek.objects.filter(offer=offer).update(seats_taken=1)
    assert submit_errors(offer, employer) == ["Proposez au moins une semaine à venir avec des places."]


def test_a_remote_offer_needs_no_commune(employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, draft=True, remote=True)
    services.offer_submit(offer=offer, by=employer)
    assert offer.status == OfferStatus.SUBMITTED


def test_a_pfmp_with_specialties_may_work_on_saturday(employer, organisation):
    schedule = {**default_schedule(), "6": [["09:00", "11:00"]]}
    offer = factories.OfferFactory(organisation=organisation, draft=True, pfmp=True, schedule=schedule)
    services.offer_submit(offer=offer, by=employer)
    assert offer.status == OfferStatus.SUBMITTED


# --- Duplicate -----------------------------------------------------------------------------------------------


def test_duplicate_is_a_new_draft_without_past_weeks_nor_seats_taken(employer, organisation):
    school = factories.SchoolFactory()
    offer = factories.OfferFactory(
        organisation=organisation,
        weeks=[next_monday(-2), next_monday(4)],
        weeks__seats=3,
        reservation=Reservation.SCHOOLS,
        reserved_schools=[school],
        external_id="",
    )
    OfferWeek.objects.filter(offer=offer).update(seats_taken=1)
    factories.ApplicationFactory(offer=offer)
    copy = services.offer_duplicate(offer=offer, by=employer)
    assert copy.pk != offer.pk
    assert copy.status == OfferStatus.DRAFT
    assert (copy.title, copy.description, copy.schedule, copy.domain) == (
        offer.title,
        offer.description,
        offer.schedule,
        offer.domain,
    )
    assert (copy.latitude, copy.longitude) == (offer.commune.latitude, offer.commune.longitude)
    assert [(w.week_start, w.seats, w.seats_taken) for w in copy.weeks.all()] == [(next_monday(4), 3, 0)]
    assert list(copy.reserved_schools.all()) == [school]
    assert not copy.applications.exists()
    event = copy.events.get()
    assert (event.kind, event.actor) == (OfferEventKind.CREATED, employer)
    assert str(offer.pk) in event.note
    # The original is untouched.
    assert offer.weeks.count() == 2
    assert not offer.events.exists()


# --- Archiving past offers -----------------------------------------------------------------------------------


def test_offers_whose_weeks_have_all_ended_are_archived():
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    ended = factories.OfferFactory(weeks=[monday - datetime.timedelta(weeks=3), monday - datetime.timedelta(weeks=1)])
    ended_unpublished = factories.OfferFactory(
        status=OfferStatus.UNPUBLISHED, weeks=[monday - datetime.timedelta(weeks=2)]
    )
    running = factories.OfferFactory(weeks=[monday - datetime.timedelta(weeks=2), monday])  # this week
    upcoming = factories.OfferFactory()
    draft = factories.OfferFactory(draft=True, weeks=[monday - datetime.timedelta(weeks=2)])
    without_weeks = factories.OfferFactory(weeks=0)

    assert services.offers_archive_past() == 2
    states = {
        offer.pk: status
        for offer, status in [
            (o, Offer.objects.get(pk=o.pk).status)
            for o in (ended, ended_unpublished, running, upcoming, draft, without_weeks)
        ]
    }
    assert states == {
        ended.pk: OfferStatus.ARCHIVED,
        ended_unpublished.pk: OfferStatus.ARCHIVED,
        running.pk: OfferStatus.PUBLISHED,
        upcoming.pk: OfferStatus.PUBLISHED,
        draft.pk: OfferStatus.DRAFT,
        without_weeks.pk: OfferStatus.PUBLISHED,
    }
    ended.refresh_from_db()
    assert ended.archived_at is not None
    event = ended.events.get()
    assert (event.kind, event.actor) == (OfferEventKind.ARCHIVED, None)
    # Idempotent.
    assert services.offers_archive_past() == 0
    assert ended.events.count() == 1


def test_archive_past_with_a_controlled_clock():
    week = next_monday(4)
    offer = factories.OfferFactory(weeks=[week])
    sunday_evening = timezone.make_aware(
        datetime.datetime.combine(week + datetime.timedelta(days=6), datetime.time(20))
    )
    next_monday_morning = timezone.make_aware(
        datetime.datetime.combine(week + datetime.timedelta(days=7), datetime.time(8))
    )
    assert services.offers_archive_past(now=sunday_evening) == 0
    assert services.offers_archive_past(now=next_monday_morning) == 1
    offer.refresh_from_db()
    assert (offer.status, offer.archived_at) == (OfferStatus.ARCHIVED, next_monday_morning)


# --- Reports and decisions -----------------------------------------------------------------------------------


def test_anyone_reports_an_offer():
    offer = factories.OfferFactory()
    report = services.offer_report(offer=offer, reporter=None, reason=ReportReason.MISLEADING, detail=" Pas un stage ")
    assert (report.reporter, report.detail, report.decision) == (None, "Pas un stage", "")
    event = offer.events.get()
    assert (event.kind, event.actor) == (OfferEventKind.REPORTED, None)


def test_a_report_for_another_reason_says_which():
    offer = factories.OfferFactory()
    with pytest.raises(ValidationError):
        services.offer_report(offer=offer, reporter=None, reason=ReportReason.OTHER, detail="")
    with pytest.raises(ValidationError):
        services.offer_report(offer=offer, reporter=None, reason="nonsense", detail="")
    assert not OfferReport.objects.exists()


def test_dismissing_a_report(staff):
    offer = factories.OfferFactory()
    report = services.offer_report(offer=offer, reporter=None, reason=ReportReason.INAPPROPRIATE)
    services.report_decide(report=report, by=staff, decision=ReportDecision.DISMISSED)
    report.refresh_from_db()
    assert (report.decision, report.decided_by) == (ReportDecision.DISMISSED, staff)
    assert report.decided_at is not None
    offer.refresh_from_db()
    assert offer.hidden_at is None
    assert kinds(offer) == ["reported", "report_dismissed"]
    with pytest.raises(services.OfferError, match="déjà traité"):
        services.report_decide(report=report, by=staff, decision=ReportDecision.HIDDEN)


def test_hiding_closes_every_open_report(staff, django_capture_on_commit_callbacks):
    membership = factories.OrganisationMembershipFactory()
    offer = factories.OfferFactory(organisation=membership.organisation)
    first = services.offer_report(offer=offer, reporter=None, reason=ReportReason.INAPPROPRIATE)
    second = services.offer_report(offer=offer, reporter=factories.UserFactory(), reason=ReportReason.MISLEADING)
    other_offer_report = services.offer_report(
        offer=factories.OfferFactory(), reporter=None, reason=ReportReason.MISLEADING
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.report_decide(report=first, by=staff, decision=ReportDecision.HIDDEN)
    offer.refresh_from_db()
    assert offer.hidden_at is not None
    assert offer.status == OfferStatus.PUBLISHED
    for report in (first, second):
        report.refresh_from_db()
        assert (report.decision, report.decided_by) == (ReportDecision.HIDDEN, staff)
    other_offer_report.refresh_from_db()
    assert other_offer_report.decision == ""
    assert kinds(offer) == ["reported", "reported", "hidden"]
    assert [message.to for message in mail.outbox] == [[membership.user.email]]

    services.offer_unhide(offer=offer, by=staff)
    offer.refresh_from_db()
    assert offer.hidden_at is None
    assert kinds(offer)[-1] == "unhidden"
    with pytest.raises(services.OfferError):
        services.offer_unhide(offer=offer, by=staff)


def test_deleting_an_offer_nobody_applied_to(staff):
    offer = factories.OfferFactory()
    report = services.offer_report(offer=offer, reporter=None, reason=ReportReason.DISCRIMINATORY)
    services.report_decide(report=report, by=staff, decision=ReportDecision.DELETED)
    assert not Offer.objects.filter(pk=offer.pk).exists()
    assert not OfferReport.objects.exists()


def test_deleting_an_offer_with_applications_is_refused(staff):
    application = factories.ApplicationFactory(status=ApplicationStatus.WITHDRAWN)
    offer = application.offer
    report = services.offer_report(offer=offer, reporter=None, reason=ReportReason.DISCRIMINATORY)
    with pytest.raises(services.OfferError, match="Masquez-la plutôt"):
        services.report_decide(report=report, by=staff, decision=ReportDecision.DELETED)
    assert Offer.objects.filter(pk=offer.pk).exists()
    report.refresh_from_db()
    assert report.decision == ""


def test_an_unknown_decision_is_refused(staff):
    report = services.offer_report(offer=factories.OfferFactory(), reporter=None, reason=ReportReason.MISLEADING)
    with pytest.raises(services.OfferError):
        services.report_decide(report=report, by=staff, decision="burn")
