"""`manage.py load_demo_data`: the demo world, its offers and applications, loaded twice to the same result."""

import datetime
import io
import zoneinfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from backend.accounts.models import User
from backend.demo import data
from backend.demo import offers as demo_offers
from backend.demo import rooms as demo_rooms
from backend.geo.models import Commune, Postcode
from backend.offers import rules, taxonomy
from backend.offers.enums import ApplicationStatus, OfferEventKind, OfferFormat, OfferStatus, Reservation, Track
from backend.offers.models import Application, Offer, OfferEvent, OfferWeek
from backend.organisations.models import HostOrganisation
from backend.schools.models import School
from scheduling.models import AvailabilityRule, Booking, DiscoverySession, SessionBooking, SessionRequest
from tests import factories

pytestmark = pytest.mark.django_db


def load() -> str:
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Everything the demo creates, in a comparable form."""
    return {
        "users": sorted(User.objects.values_list("username", flat=True)),
        "communes": sorted(Commune.objects.values_list("insee_code", "latitude", "longitude")),
        "postcodes": Postcode.objects.count(),
        "schools": sorted(School.objects.values_list("uai", "commune__insee_code")),
        "organisations": sorted(HostOrganisation.objects.values_list("siret", flat=True)),
        "offers": sorted(
            Offer.objects.values_list(
                "pk", "title", "status", "organisation__siret", "association_id", "external_id", "published_at"
            )
        ),
        "weeks": sorted(OfferWeek.objects.values_list("offer_id", "week_start", "seats", "seats_taken")),
        "events": sorted(OfferEvent.objects.values_list("offer_id", "kind", "actor_id")),
        "applications": sorted(
            Application.objects.values_list("offer_id", "pupil__username", "status", "week__week_start")
        ),
        "reserved": sorted(Offer.reserved_schools.through.objects.values_list("offer_id", "school_id")),
        "rules": sorted(AvailabilityRule.objects.values_list("owner__username", "purpose", "rrule", "start_time")),
        "tutoring": sorted(Booking.objects.values_list("pupil__username", "slot__tutor__username", "starts_at")),
        # The live session moves to the time of each load (see test_the_demo_has_a_live_room_under_way).
        "sessions": sorted(
            DiscoverySession.objects.exclude(title=demo_rooms.TITLE).values_list("title", "starts_at", "status")
        ),
        "session_bookings": sorted(SessionBooking.objects.values_list("session__title", "school_class__name")),
        "requests": sorted(SessionRequest.objects.values_list("school_class__name", "theme")),
    }


def test_the_demo_prints_its_accounts_offers_and_applications():
    output = load()
    assert "ines.b2026" in output
    assert "Offres de démonstration" in output
    published = Offer.objects.filter(status=OfferStatus.PUBLISHED).count()
    assert f"{published} publiées (dont {published} créées par ce chargement)" in output
    assert "Semaines de stage de 3e : " in output
    assert "Acceptée, à confirmer par l'élève : « Une semaine avec les électriciens de maintenance » (créée)" in output
    assert "Envoyée : « Fibre optique et réseaux : stage pour le collège Louise-Michel » (créée)" in output


def test_loading_twice_gives_the_same_world():
    first_output = load()
    first = snapshot()
    second_output = load()
    assert snapshot() == first
    assert "(dont 0 créées par ce chargement)" in second_output
    assert "(créée)" in first_output
    assert "(créée)" not in second_output


def test_the_catalogue_has_realistic_offers():
    load()
    offers = list(Offer.objects.select_related("commune", "organisation"))
    published = [offer for offer in offers if offer.status == OfferStatus.PUBLISHED]
    assert 25 <= len(published) <= 40
    assert {offer.status for offer in offers} == {OfferStatus.PUBLISHED, OfferStatus.SUBMITTED, OfferStatus.DRAFT}
    assert len({offer.sector for offer in published}) >= 10
    assert {offer.track for offer in published} == {Track.OBSERVATION_3E, Track.PFMP}
    assert {offer.format for offer in published} == {OfferFormat.ON_SITE, OfferFormat.REMOTE, OfferFormat.HYBRID}
    assert len({offer.title for offer in offers}) == len(offers)

    for offer in offers:
        taxonomy.validate_domain(offer.domain, offer.sector)
        rules.validate_rome_code(offer.rome_code)
        assert offer.rome_code[:3] == offer.domain, offer
        assert rules.validate_schedule(offer.schedule, offer.track) == offer.schedule
        assert offer.search_document, offer
        assert offer.description
        if offer.track == Track.PFMP:
            assert offer.specialties, offer
        else:
            assert offer.specialties == []
        if offer.format == OfferFormat.REMOTE:
            assert (offer.commune, offer.latitude, offer.longitude, offer.address) == (None, None, None, "")
        else:
            assert offer.commune == offer.organisation.commune
            assert (offer.latitude, offer.longitude) == (offer.commune.latitude, offer.commune.longitude)
            assert offer.latitude is not None
        if offer.status == OfferStatus.PUBLISHED:
            assert offer.published_at < timezone.now()
            assert list(offer.events.values_list("kind", flat=True)) == [
                OfferEventKind.CREATED,
                OfferEventKind.SUBMITTED,
                OfferEventKind.PUBLISHED,
            ]
        if offer.external_id:
            assert offer.association.name == "Réseau Passerelles Métiers"
            assert offer.created_by.username == "association@demo.passerelle.example"

    departements = {offer.commune.departement_code for offer in published if offer.commune}
    assert "93" in departements
    assert len(departements) >= 5
    assert sum(1 for offer in published if offer.commune and offer.commune.departement_code == "93") >= 15
    assert any(offer.commune and offer.commune.time_zone == "America/Martinique" for offer in published)

    priority = [offer for offer in published if offer.reservation == Reservation.PRIORITY]
    reserved = [offer for offer in published if offer.reservation == Reservation.SCHOOLS]
    assert len(priority) == 1
    assert len(reserved) == 1
    assert list(reserved[0].reserved_schools.values_list("name", flat=True)) == ["Collège Louise-Michel"]
    employer = User.objects.get(username="employeur@demo.passerelle.example")
    assert Offer.objects.filter(created_by=employer, status=OfferStatus.SUBMITTED).exists()
    assert Offer.objects.filter(association__isnull=False, status=OfferStatus.SUBMITTED).exists()


def test_weeks_lie_in_the_coming_internship_periods():
    load()
    today = timezone.localdate()
    for week in OfferWeek.objects.select_related("offer"):
        assert week.week_start > today
        assert week.week_start.weekday() == 0
        assert week.seats >= 1
        # Seats taken are the confirmed internships of the week (the demo's placed pupil holds one).
        assert week.seats_taken == week.placements.filter(status=ApplicationStatus.CONFIRMED).count()
        periods = demo_offers.OBSERVATION_WEEKS if week.offer.track == Track.OBSERVATION_3E else demo_offers.PFMP_WEEKS
        assert week.week_start.isocalendar().week in periods
    assert not Offer.objects.filter(weeks__isnull=True).exists()


def test_a_demo_pupil_found_her_internship_and_its_agreement_waits_for_signatures():
    from backend.offers.enums import AgreementStatus
    from backend.schools.models import SchoolClass

    load()
    load()  # idempotent: still one application, one seat taken
    placed = Application.objects.get(pupil__username="sarah.k2026")
    assert placed.status == ApplicationStatus.CONFIRMED
    assert placed.week.seats_taken == 1
    assert placed.agreement.status == AgreementStatus.TO_SIGN
    school_class = SchoolClass.objects.get(name="3e B")
    assert placed.agreement.school_class == school_class
    assert school_class.internship_week is not None
    assert school_class.internship_week.weekday() == 0
    assert placed.week.week_start < school_class.internship_week


def test_the_demo_pupil_has_an_acceptance_to_confirm_and_an_application_waiting():
    load()
    pupil = User.objects.get(username="ines.b2026")
    accepted = Application.objects.get(pupil=pupil, status=ApplicationStatus.ACCEPTED)
    submitted = Application.objects.get(pupil=pupil, status=ApplicationStatus.SUBMITTED)
    assert accepted.week in accepted.weeks.all()
    assert accepted.week.offer == accepted.offer
    assert accepted.created_at < accepted.read_at < accepted.answered_at <= timezone.now()
    assert submitted.week is None
    assert submitted.weeks.count() == 2
    # Different weeks: confirming the acceptance does not withdraw the other application.
    assert not set(accepted.weeks.values_list("week_start", flat=True)) & set(
        submitted.weeks.values_list("week_start", flat=True)
    )
    # Both offers belong to the demo employer, who can answer; the reserved one is for the pupil's school.
    assert accepted.offer.organisation == submitted.offer.organisation
    assert submitted.offer.reservation == Reservation.SCHOOLS
    assert set(accepted.offer.organisation.memberships.values_list("user__username", flat=True)) >= {
        "employeur@demo.passerelle.example"
    }


def test_imported_communes_are_used_as_they_are():
    """After `import_communes`, the demo takes the communes from the table and copies their coordinates."""
    saint_denis = factories.CommuneFactory(latitude=48.9, longitude=2.35)
    load()
    offer = Offer.objects.get(title="Au fournil : pain, viennoiseries et pâtisseries")
    assert offer.commune == saint_denis
    assert (offer.latitude, offer.longitude) == (48.9, 2.35)
    assert Commune.objects.filter(insee_code="93066").count() == 1


def test_an_offer_whose_weeks_all_passed_gets_fresh_ones():
    load()
    offer = Offer.objects.get(title="Mécanique de bateaux sur le Vieux-Port")
    past = timezone.localdate() - datetime.timedelta(weeks=30)
    for number, week in enumerate(offer.weeks.order_by("week_start")):
        week.week_start = past - datetime.timedelta(days=past.weekday()) + datetime.timedelta(weeks=number)
        week.save()
    load()
    assert offer.weeks.filter(week_start__gt=timezone.localdate()).count() == 3
    before = snapshot()
    load()
    assert snapshot() == before


def test_upcoming_weeks_start_after_the_lead_time_and_follow_the_periods():
    today = datetime.date(2026, 11, 28)
    observation = demo_offers.upcoming_weeks(demo_offers.OBSERVATION_WEEKS, today=today, count=4)
    assert [rules.iso_week(monday) for monday in observation] == ["2026-W51", "2027-W02", "2027-W03", "2027-W04"]
    pfmp = demo_offers.upcoming_weeks(demo_offers.PFMP_WEEKS, today=today, count=5)
    assert [rules.iso_week(monday) for monday in pfmp] == ["2027-W10", "2027-W11", "2027-W12", "2027-W13", "2027-W20"]
    june = demo_offers.upcoming_weeks(demo_offers.OBSERVATION_WEEKS, today=datetime.date(2027, 6, 15), count=1)
    assert june == [datetime.date(2027, 12, 6)]
    # A Monday exactly two weeks ahead is still offered.
    two_weeks_ahead = datetime.date(2026, 12, 14)
    assert demo_offers.upcoming_weeks({51}, today=datetime.date(2026, 11, 30), count=1) == [two_weeks_ahead]


def test_demo_data_is_consistent():
    """Keys and titles the loader relies on exist and are unique."""
    titles = [offer.title for offer in demo_offers.OFFERS]
    assert len(set(titles)) == len(titles)
    assert demo_offers.ACCEPTED_OFFER in titles
    assert demo_offers.SUBMITTED_OFFER in titles
    external_ids = [offer.external_id for offer in demo_offers.OFFERS if offer.external_id]
    assert len(set(external_ids)) == len(external_ids)
    sirets = [organisation["siret"] for organisation in demo_offers.ORGANISATIONS.values()]
    assert len(set(sirets)) == len(sirets)
    assert set(demo_offers.COMMUNE_CODES) <= set(data.COMMUNE_CODES)


def test_the_demo_pupil_has_a_tutoring_appointment_and_her_class_a_session():
    load()
    booking = Booking.objects.select_related("slot__tutor").get(pupil__username="ines.b2026")
    assert booking.slot.tutor.username == data._email("tuteur")
    assert booking.starts_at > timezone.now() + datetime.timedelta(days=2)
    assert booking.slot.seats_taken == 1
    local = timezone.localtime(booking.starts_at, timezone=zoneinfo.ZoneInfo("Europe/Paris"))
    assert (local.hour, local.minute) == (14, 0)
    assert local.weekday() == 2  # a Wednesday, the tutor's group afternoon
    session = DiscoverySession.objects.exclude(title=demo_rooms.TITLE).get(bookings__school_class__name="3e B")
    assert session.starts_at > timezone.now()
    assert set(session.professionals.values_list("first_name", flat=True)) == {"Sophie"}
    assert SessionRequest.objects.get().school_class.name == "3e SEGPA"
    # Martinique and La Réunion: the overseas tutor writes her rules in her own zone.
    assert AvailabilityRule.objects.filter(time_zone="Indian/Reunion").exists()


def test_the_demo_has_a_live_room_under_way_and_loading_again_adds_nothing():
    from realtime.enums import QuestionStatus, RoomState
    from realtime.models import Question, Room

    load()
    room = Room.objects.get(session__title=demo_rooms.TITLE)
    assert room.state() == RoomState.OPEN
    assert room.messages.count() == 3
    assert room.pinned_message is not None
    assert set(Question.objects.filter(room=room).values_list("status", flat=True)) == {
        QuestionStatus.APPROVED,
        QuestionStatus.PENDING,
    }
    assert room.polls.count() == 1
    load()
    assert room.messages.count() == 3
    assert Room.objects.get(pk=room.pk).state() == RoomState.OPEN
