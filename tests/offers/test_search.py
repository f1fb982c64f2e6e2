"""The catalogue's search selector: what it finds, for whom, in which order. Runs on PostgreSQL and on SQLite
(the typo-tolerant match is PostgreSQL's only)."""

import datetime
import math

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from backend.offers.enums import OfferFormat, OfferStatus, Reservation, Track
from backend.offers.search import (
    EARTH_RADIUS_KM,
    SearchParams,
    SearchSort,
    bookable_weeks,
    can_filter_reserved,
    crude_stem,
    default_place,
    offer_search,
)
from backend.organisations.enums import Sector
from backend.schools.enums import Priority
from tests import factories
from tests.factories import next_monday

pytestmark = pytest.mark.django_db

ANONYMOUS = AnonymousUser()
CENTRE = (45.0, 5.0)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="typo tolerance needs PostgreSQL's pg_trgm; SQLite matches words only"
)


def commune_at(code: str, name: str, *, north_km: float = 0.0, east_km: float = 0.0):
    """A commune at a given distance north or east of CENTRE, exactly as the haversine formula measures it."""
    lat0, lon0 = CENTRE
    latitude = lat0 + math.degrees(north_km / EARTH_RADIUS_KM)
    # Along a parallel: 2R·asin(cos φ · sin(Δλ/2)) = d  ⇒  Δλ = 2·asin(sin(d/2R) / cos φ).
    dlon = 2 * math.asin(math.sin(east_km / (2 * EARTH_RADIUS_KM)) / math.cos(math.radians(latitude)))
    return factories.CommuneFactory(
        insee_code=code,
        name=name,
        search_name=name.lower(),
        departement_code="38",
        latitude=latitude,
        longitude=lon0 + math.degrees(dlon),
    )


@pytest.fixture
def centre():
    return commune_at("38001", "Centreville")


def offer(**kwargs):
    kwargs.setdefault("title", "Découvrir un métier")
    kwargs.setdefault("job_title", "Agent polyvalent")
    kwargs.setdefault("description", "Une semaine pour observer une équipe au travail.")
    kwargs.setdefault("domain", "M16")
    kwargs.setdefault("sector", Sector.M)
    return factories.OfferFactory(**kwargs)


def search(user=ANONYMOUS, **params):
    return offer_search(user=user, params=SearchParams(**params))


def titles(result) -> list[str]:
    return [found.title for found in result.offers]


# --- Keywords ---------------------------------------------------------------------------------------------------


def test_keywords_ignore_accents_and_case(centre):
    offer(title="Électricienne en bâtiment", commune=centre)
    offer(title="Boulangerie du marché", commune=centre)
    for keyword in ("électricienne", "ELECTRICIENNE", "Electricienne", "BÂTIMENT"):
        assert titles(search(keyword=keyword)) == ["Électricienne en bâtiment"], keyword


def test_keywords_are_stemmed(centre):
    offer(title="Devenir électricienne", commune=centre)
    offer(title="Une journée à la boulangerie", commune=centre)
    assert titles(search(keyword="electricien")) == ["Devenir électricienne"]
    assert titles(search(keyword="électriciennes")) == ["Devenir électricienne"]


def test_keywords_search_job_organisation_and_description(centre):
    organisation = factories.HostOrganisationFactory(name="Hôpital Nord")
    offer(title="Stage A", job_title="Infirmier ou infirmière", commune=centre)
    offer(title="Stage B", organisation=organisation, commune=centre)
    offer(title="Stage C", description="Vous suivrez la pâtissière du matin au soir.", commune=centre)
    assert titles(search(keyword="infirmier")) == ["Stage A"]
    assert titles(search(keyword="hopital")) == ["Stage B"]
    assert titles(search(keyword="patissiere")) == ["Stage C"]


def test_every_keyword_must_match(centre):
    offer(title="Électricienne à l'hôpital", commune=centre)
    offer(title="Électricienne en usine", commune=centre)
    assert titles(search(keyword="électricienne hôpital")) == ["Électricienne à l'hôpital"]


@postgresql_only
def test_keywords_tolerate_typos(centre):
    offer(title="Devenir électricienne", job_title="Électricien ou électricienne", commune=centre)
    offer(title="Une journée à la boulangerie", job_title="Boulanger ou boulangère", commune=centre)
    assert titles(search(keyword="electricein")) == ["Devenir électricienne"]
    assert titles(search(keyword="boulangre")) == ["Une journée à la boulangerie"]


def test_crude_stems_of_the_sqlite_search():
    assert crude_stem("electriciennes") == crude_stem("electricien") == "electricien"
    assert crude_stem("boulangere") == crude_stem("boulanger") == "boulang"
    assert crude_stem("animatrice") == crude_stem("animateur")
    assert crude_stem("bus") == "bus"  # too short to strip


def test_relevance_puts_the_best_match_first(centre):
    offer(title="Stage en atelier", description="On y croise parfois une électricienne.", commune=centre)
    offer(title="Électricienne : câblage et électricité", job_title="Électricienne", commune=centre)
    result = search(keyword="électricienne")
    assert result.sort == SearchSort.RELEVANCE
    assert titles(result) == ["Électricienne : câblage et électricité", "Stage en atelier"]


# --- Places -----------------------------------------------------------------------------------------------------


def test_radius_edges(centre):
    inside = commune_at("38002", "Nordin", north_km=9.9)
    outside = commune_at("38003", "Nordout", north_km=10.1)
    east = commune_at("38004", "Estin", east_km=9.9)
    offer(title="À 9,9 km au nord", commune=inside)
    offer(title="À 10,1 km au nord", commune=outside)
    offer(title="À 9,9 km à l'est", commune=east)
    result = search(commune=centre, place_given=True)
    assert sorted(titles(result)) == ["À 9,9 km au nord", "À 9,9 km à l'est"]
    assert result.radius_km == 10
    for found in result.offers:
        assert found.distance_km == pytest.approx(9.9, abs=0.01)
    assert len(search(commune=centre, place_given=True, radius_km=11).offers) == 3


def test_nearest_first_with_a_place_and_remote_offers_match_any_place(centre):
    offer(title="À 8 km", commune=commune_at("38005", "Huit", north_km=8))
    offer(title="À 2 km", commune=commune_at("38006", "Deux", east_km=2))
    offer(title="Ici", commune=centre)
    offer(title="En ligne", remote=True)
    far = commune_at("75056", "Loin", north_km=400)
    result = search(commune=centre, place_given=True)
    assert result.sort == SearchSort.DISTANCE
    assert titles(result) == ["Ici", "À 2 km", "À 8 km", "En ligne"]
    assert result.offers[-1].distance_km is None
    assert result.offers[-1].latitude is None
    # The remote offer matches a place far from everything else too.
    assert titles(search(commune=far, place_given=True)) == ["En ligne"]


def test_without_a_place_every_located_offer_matches(centre):
    offer(title="Loin", commune=commune_at("75056", "Loin", north_km=400))
    offer(title="Ici", commune=centre)
    result = search()
    assert sorted(titles(result)) == ["Ici", "Loin"]
    assert result.place is None
    assert all(found.distance_km is None for found in result.offers)


def test_a_wider_radius_is_proposed_with_its_count(centre):
    far = commune_at("38007", "Vingtcinq", north_km=25)
    offer(title="À 25 km", commune=far)
    offer(title="Aussi à 25 km", commune=far)
    result = search(commune=centre, place_given=True, radius_km=10)
    assert result.count == 0
    assert (result.wider_radius_km, result.wider_count) == (30, 2)
    # Beyond 100 km, nothing to propose.
    offer_far = commune_at("38008", "Horizon", north_km=150)
    assert search(commune=offer_far, place_given=True, radius_km=100).wider_radius_km is None
    lonely = commune_at("38009", "Désert", north_km=-300)
    assert search(commune=lonely, place_given=True, radius_km=50).wider_radius_km is None


def test_a_pupil_searches_around_her_school_by_default(centre):
    school = factories.SchoolFactory(commune=centre)
    pupil = factories.EnrolmentFactory(school_class__school=school).pupil
    offer(title="Près du collège", commune=commune_at("38010", "Voisine", east_km=5))
    offer(title="Loin du collège", commune=commune_at("38011", "Lointaine", east_km=50))
    result = search(pupil)
    assert result.place == centre
    assert result.place_is_default
    assert titles(result) == ["Près du collège"]
    assert default_place(pupil) == centre
    # A place left empty on purpose searches everywhere; adults have no default place.
    assert len(search(pupil, place_given=True).offers) == 2
    teacher = factories.SchoolStaffFactory(school=school).user
    assert default_place(teacher) is None
    assert len(search(teacher).offers) == 2


# --- What the catalogue shows -------------------------------------------------------------------------------------


def test_only_published_offers_not_hidden(centre):
    offer(title="Publiée", commune=centre)
    offer(title="Brouillon", commune=centre, draft=True)
    offer(title="En attente", commune=centre, submitted=True)
    offer(title="Dépubliée", commune=centre, status=OfferStatus.UNPUBLISHED)
    offer(title="Archivée", commune=centre, status=OfferStatus.ARCHIVED)
    offer(title="Masquée", commune=centre, hidden_at=timezone.now())
    staff = factories.UserFactory(staff=True)
    for user in (ANONYMOUS, staff):
        assert titles(search(user)) == ["Publiée"]


def test_full_offers_and_past_weeks_are_left_out(centre):
    today = timezone.localdate()
    this_monday = today - datetime.timedelta(days=today.weekday())
    offer(title="Des places", commune=centre)
    full = offer(title="Complète", commune=centre, weeks__seats=1)
    full.weeks.update(seats_taken=1)
    offer(title="Semaines passées", commune=centre, weeks=[this_monday - datetime.timedelta(weeks=2)])
    # The week that began this Monday (today, at the latest) cannot be applied for any more.
    offer(title="Semaine en cours", commune=centre, weeks=[this_monday])
    offer(title="Sans semaine", commune=centre, weeks=0)
    mixed = offer(title="Une semaine complète, une libre", commune=centre, weeks__seats=1)
    mixed.weeks.filter(week_start=next_monday(4)).update(seats_taken=1)
    result = search()
    assert sorted(titles(result)) == ["Des places", "Une semaine complète, une libre"]
    listed = next(found for found in result.offers if found.title.startswith("Une semaine"))
    assert [week.week_start for week in listed.open_weeks] == [next_monday(5)]


def test_the_weeks_read_with_the_page_are_the_bookable_weeks(centre):
    """The page's statement reads each offer's open weeks itself (no prefetch): the same weeks as
    `bookable_weeks`, in date order, with their seats left, whatever order they were created in."""
    today = timezone.localdate()
    found = offer(title="Plusieurs semaines", commune=centre, weeks=[next_monday(9), next_monday(3), next_monday(6)])
    found.weeks.create(week_start=today - datetime.timedelta(days=today.weekday() + 7), seats=2)  # past
    found.weeks.filter(week_start=next_monday(6)).update(seats=3, seats_taken=3)  # full
    found.weeks.filter(week_start=next_monday(9)).update(seats=5, seats_taken=2)
    offer(title="Une autre", commune=centre, weeks=[next_monday(2)])
    result = search(commune=centre, place_given=True, sort=SearchSort.DATE)
    listed = next(item for item in result.offers if item.pk == found.pk)
    expected = list(bookable_weeks().filter(offer=found).order_by("week_start"))
    assert [(week.week_start, week.seats_left) for week in listed.open_weeks] == [
        (week.week_start, week.seats_left) for week in expected
    ]
    assert [(week.week_start, week.seats_left) for week in listed.open_weeks] == [
        (next_monday(3), 2),
        (next_monday(9), 3),
    ]
    assert [week.iso_week for week in listed.open_weeks] == [week.iso_week for week in expected]


def test_reserved_offers_only_for_their_pupils(centre):
    priority_school = factories.SchoolFactory(commune=centre, priority=Priority.REP, qpv=False)
    ordinary_school = factories.SchoolFactory(commune=centre, priority=Priority.NONE, qpv=False)
    qpv_school = factories.SchoolFactory(commune=centre, priority=Priority.NONE, qpv=True)
    offer(title="Ouverte", commune=centre)
    offer(title="Éducation prioritaire", commune=centre, reservation=Reservation.PRIORITY)
    offer(
        title="Collège ordinaire", commune=centre, reservation=Reservation.SCHOOLS, reserved_schools=[ordinary_school]
    )

    def pupil_of(school):
        return factories.EnrolmentFactory(school_class__school=school).pupil

    def seen(user, **params):
        return sorted(titles(search(user, place_given=True, **params)))

    assert seen(ANONYMOUS) == ["Ouverte"]
    assert seen(factories.UserFactory()) == ["Ouverte"]
    assert seen(pupil_of(priority_school)) == ["Ouverte", "Éducation prioritaire"]
    assert seen(pupil_of(qpv_school)) == ["Ouverte", "Éducation prioritaire"]
    assert seen(pupil_of(ordinary_school)) == ["Collège ordinaire", "Ouverte"]
    teacher = factories.SchoolStaffFactory(school=ordinary_school).user
    assert seen(teacher) == ["Collège ordinaire", "Ouverte"]
    # "Reserved for me": only the offers reserved to the viewer.
    assert seen(pupil_of(priority_school), reserved_for_me=True) == ["Éducation prioritaire"]
    assert seen(teacher, reserved_for_me=True) == ["Collège ordinaire"]
    assert seen(ANONYMOUS, reserved_for_me=True) == []
    assert can_filter_reserved(teacher)
    assert not can_filter_reserved(ANONYMOUS)
    assert not can_filter_reserved(factories.UserFactory())


def test_an_offer_reserved_to_two_schools_of_a_teacher_is_listed_once(centre):
    first = factories.SchoolFactory(commune=centre, priority=Priority.NONE, qpv=False)
    second = factories.SchoolFactory(commune=centre, priority=Priority.NONE, qpv=False)
    teacher = factories.SchoolStaffFactory(school=first).user
    factories.SchoolStaffFactory(school=second, user=teacher)
    offer(title="Pour les deux", commune=centre, reservation=Reservation.SCHOOLS, reserved_schools=[first, second])
    result = search(teacher)
    assert result.count == 1
    assert titles(result) == ["Pour les deux"]


# --- Filters ------------------------------------------------------------------------------------------------------


def test_sector_track_and_format(centre):
    offer(title="Industrie 3e", commune=centre, sector=Sector.H, domain="H26")
    offer(title="Santé PFMP", commune=centre, sector=Sector.J, domain="J13", pfmp=True)
    offer(title="Santé à distance", sector=Sector.J, domain="J13", remote=True)
    offer(title="Santé hybride", commune=centre, sector=Sector.J, domain="J13", format=OfferFormat.HYBRID)
    assert titles(search(sector=Sector.H)) == ["Industrie 3e"]
    assert sorted(titles(search(sector=Sector.J))) == ["Santé PFMP", "Santé hybride", "Santé à distance"]
    assert titles(search(track=Track.PFMP)) == ["Santé PFMP"]
    assert titles(search(format=OfferFormat.REMOTE)) == ["Santé à distance"]
    assert titles(search(format=OfferFormat.HYBRID, commune=centre, place_given=True)) == ["Santé hybride"]


def test_week_and_date_range(centre):
    first, second, third = next_monday(3), next_monday(4), next_monday(6)
    offer(title="Semaine 1", commune=centre, weeks=[first])
    offer(title="Semaine 2", commune=centre, weeks=[second])
    full = offer(title="Semaine 3 complète", commune=centre, weeks=[third], weeks__seats=1)
    full.weeks.update(seats_taken=1)
    offer(title="Semaines 1 et 3", commune=centre, weeks=[first, third])

    def between(start, end):
        return sorted(titles(search(date_from=start, date_to=end)))

    # An ISO week: from its Monday to its Sunday.
    assert between(first, first + datetime.timedelta(days=6)) == ["Semaine 1", "Semaines 1 et 3"]
    assert between(third, third + datetime.timedelta(days=6)) == ["Semaines 1 et 3"]
    # Any overlap counts: a Wednesday to a Thursday; the Sunday of one week to the Monday of the next.
    assert between(second + datetime.timedelta(days=2), second + datetime.timedelta(days=3)) == ["Semaine 2"]
    assert between(second - datetime.timedelta(days=1), second) == ["Semaine 1", "Semaine 2", "Semaines 1 et 3"]
    assert between(first, second) == ["Semaine 1", "Semaine 2", "Semaines 1 et 3"]
    assert sorted(titles(search(date_from=second))) == ["Semaine 2", "Semaines 1 et 3"]
    assert sorted(titles(search(date_to=first + datetime.timedelta(days=3)))) == ["Semaine 1", "Semaines 1 et 3"]


# --- Order and pages ----------------------------------------------------------------------------------------------


def test_newest_first_by_default_and_sorts_on_demand(centre):
    now = timezone.now()
    offer(title="Ancienne, tout près", commune=centre, published_at=now - datetime.timedelta(days=9))
    offer(title="Récente, plus loin", commune=commune_at("38012", "Cinq", east_km=5), published_at=now)
    assert search().sort == SearchSort.DATE
    assert titles(search()) == ["Récente, plus loin", "Ancienne, tout près"]
    near = {"commune": centre, "place_given": True}
    assert titles(search(**near)) == ["Ancienne, tout près", "Récente, plus loin"]
    assert titles(search(**near, sort=SearchSort.DATE)) == ["Récente, plus loin", "Ancienne, tout près"]
    # A sort that does not apply falls back: no distance without a place, no relevance without keywords.
    assert search(sort=SearchSort.DISTANCE).sort == SearchSort.DATE
    assert search(**near, sort=SearchSort.RELEVANCE).sort == SearchSort.DISTANCE


def test_pages_of_twenty_with_a_total_count(centre):
    now = timezone.now()
    for number in range(45):
        offer(title=f"Offre {number:02d}", commune=centre, published_at=now - datetime.timedelta(minutes=number))
    first = search()
    assert (first.count, first.num_pages, len(first.offers)) == (45, 3, 20)
    assert first.offers[0].title == "Offre 00"
    assert [found.number for found in first.offers] == list(range(1, 21))
    last = search(page=3)
    assert [found.title for found in last.offers] == [f"Offre {n}" for n in range(40, 45)]
    assert [found.number for found in last.offers] == list(range(41, 46))
    assert (last.start_index, last.end_index, last.has_next, last.has_previous) == (41, 45, False, True)
    # Past the last page: the last page.
    assert search(page=9).page == 3
    assert len(search(page_size=50).offers) == 45


def test_counts_stop_past_the_limit(centre, monkeypatch):
    monkeypatch.setattr("backend.offers.search.COUNT_LIMIT", 30)
    for number in range(45):
        offer(title=f"Offre {number:02d}", commune=centre)
    result = search()
    assert (result.count, result.count_is_exact, result.num_pages) == (30, False, 2)
    assert search(page=5).page == 2
    assert [found.number for found in search(page=3).offers] == list(range(21, 41))  # no page past the limit
    narrow = search(keyword="Offre 07")
    assert (narrow.count, narrow.count_is_exact) == (1, True)
