"""The national and département view: its figures against the data created here (three départements, one of them
overseas, and remote offers), a referent's scope, the filters (nonsense included), the school-year boundaries, the
CSV export, a query count that does not grow with the number of départements, and every view derived from the
year's aggregate against the same figures counted object by object (a pupil placed twice counts once)."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backend.follow_up.models import TerritoryReferent
from backend.follow_up.territory import (
    COUNTED_OFFER_STATUSES,
    SchoolYear,
    current_school_year,
    departements,
    derive,
    territory_figures,
    year_aggregates,
)
from backend.offers.enums import ApplicationStatus, OfferFormat, Track
from backend.offers.models import Application, Offer
from backend.organisations.enums import Sector
from backend.schools.models import Enrolment
from tests import factories
from tests.follow_up.territory_support import YEAR, apply, commune, make_country, offer, pupil_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def country():
    return make_country()


def lines(figure_lines, *fields):
    return {line.key: tuple(getattr(line, name) for name in fields) for line in figure_lines}


def test_national_figures_match_the_data(country):
    figures = territory_figures(year=YEAR)

    # 3 + 1 + 1 offers with a place, 2 remote, and the boundary offer for its week of 30 August 2027.
    assert figures.offers == 8
    assert figures.seats == (2 * 2 + 2 + 3) + 5 + 1 + 20 + 4
    assert lines(figures.offers_by_place, "offers", "seats") == {
        "69": (1, 5),
        "93": (4, 13),
        "974": (1, 1),
        None: (2, 20),
    }
    assert [line.label for line in figures.offers_by_place] == [
        "69 — Rhône",
        "93 — Seine-Saint-Denis",
        "974 — La Réunion",
        "À distance",
    ]
    assert lines(figures.offers_by_format, "offers") == {
        OfferFormat.ON_SITE: (5,),
        OfferFormat.REMOTE: (2,),
        OfferFormat.HYBRID: (1,),
    }
    by_sector = lines(figures.offers_by_sector, "offers", "seats")
    assert by_sector[Sector.H] == (4, 2 * 2 + 2 + 1 + 4)
    assert by_sector[Sector.D] == (1, 3)
    assert by_sector[Sector.J] == (1, 5)
    assert by_sector[Sector.E] == (2, 20)
    assert by_sector[Sector.A] == (0, 0)
    assert lines(figures.offers_by_track, "offers") == {Track.OBSERVATION_3E: (6,), Track.PFMP: (2,)}

    # Applications of 2026-2027: 2 + 1 + 1 + 1 + 1 (no class) + 1 (1 September) + 1 (mover) + 1 (last year's class).
    assert figures.applications == 9
    assert figures.placed == 2
    assert lines(figures.applications_by_status, "applications") == {
        "pending": (5,),
        "confirmed": (2,),
        "declined": (1,),
        "closed": (1,),
    }
    assert lines(figures.pupils_by_priority, "applications", "applications_share", "placed", "placed_share") == {
        "rep_plus": (3, 33.3, 1, 50.0),
        "rep": (2, 22.2, 1, 50.0),
        "qpv": (1, 11.1, 0, 0.0),
        "none": (1, 11.1, 0, 0.0),
        "unknown": (2, 22.2, 0, 0.0),
    }
    assert lines(figures.pupils_by_place, "applications", "placed") == {
        "93": (3, 1),
        "69": (3, 1),
        "974": (1, 0),
        None: (2, 0),
    }


def test_the_year_before_has_its_own_figures(country):
    figures = territory_figures(year=SchoolYear(2025))
    assert (figures.offers, figures.seats) == (1, 4)  # the boundary offer's week of 31 August 2026
    assert figures.applications == 1  # 23:30 on 31 August, Paris time
    assert lines(figures.pupils_by_place, "applications") == {None: (1,)}  # no class of 2025-2026


def test_current_school_year_turns_on_1_september_in_paris():
    assert current_school_year(datetime.datetime(2026, 8, 31, 21, 59, tzinfo=datetime.UTC)) == SchoolYear(2025)
    assert current_school_year(datetime.datetime(2026, 8, 31, 22, 0, tzinfo=datetime.UTC)) == SchoolYear(2026)


def test_a_departement_scope_leaves_remote_offers_and_other_pupils_out(country):
    figures = territory_figures(year=YEAR, scope=["69"])
    assert (figures.offers, figures.seats) == (1, 5)
    assert lines(figures.offers_by_place, "offers") == {"69": (1,)}
    assert (figures.applications, figures.placed) == (3, 1)
    assert lines(figures.pupils_by_priority, "applications") == {
        "rep_plus": (0,),
        "rep": (2,),
        "qpv": (0,),
        "none": (1,),
        "unknown": (0,),
    }


def test_filters_by_sector_and_track(country):
    health = territory_figures(year=YEAR, sector=Sector.J)
    assert (health.offers, health.applications, health.placed) == (1, 1, 1)
    assert [line.key for line in health.offers_by_sector] == [Sector.J]
    pfmp = territory_figures(year=YEAR, track=Track.PFMP)
    assert (pfmp.offers, pfmp.seats) == (2, 15)


def test_overseas_departement_is_drawn_in_an_inset(country):
    figures = territory_figures(year=YEAR)
    assert [point.code for point in figures.map_insets] == ["974"]
    assert sorted(point.code for point in figures.map_points) == ["69", "93"]
    largest = max(figures.map_points, key=lambda point: point.offers)
    assert largest.code == "93"
    smaller = next(point for point in figures.map_points if point.code == "69")
    assert largest.radius == pytest.approx(2 * smaller.radius, abs=0.2)  # 4 offers against 1: radius ∝ √count


# The pages -----------------------------------------------------------------------------------------------------


@pytest.fixture
def staff(client):
    user = factories.UserFactory(staff=True)
    client.force_login(user)
    return user


@pytest.fixture
def referent(client, country):
    user = factories.UserFactory()
    TerritoryReferent.objects.create(user=user, departement_code="69")
    client.force_login(user)
    return user


def test_staff_see_the_national_view(client, staff, country):
    response = client.get(reverse("follow_up:territory"), {"annee": "2026"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "974 — La Réunion" in page
    assert "À distance" in page
    assert page.count('role="img"') == 4  # three bar charts and the map
    assert page.count("<caption>") >= 8
    assert 'aria-labelledby="chart-sector-title chart-sector-desc"' in page
    assert "<summary>" in page
    figures = response.context["figures"]
    assert figures.scope is None
    assert figures.offers == 8


def test_staff_pick_a_departement(client, staff, country):
    response = client.get(reverse("follow_up:territory"), {"departement": "974", "annee": "2026"})
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.scope == ["974"]
    assert (figures.offers, figures.applications) == (1, 1)


def test_referent_sees_only_her_departement(client, referent):
    response = client.get(reverse("follow_up:territory"), {"annee": "2026"})
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.scope == ["69"]
    assert (figures.offers, figures.applications, figures.placed) == (1, 3, 1)
    choices = [value for value, _label in response.context["form"].fields["departement"].choices]
    assert choices == ["", "69"]
    assert "Seine-Saint-Denis" not in response.content.decode()


def test_a_departement_outside_the_referents_scope_is_a_404(client, referent):
    assert client.get(reverse("follow_up:territory"), {"departement": "93"}).status_code == 404
    assert client.get(reverse("follow_up:territory_export_csv"), {"departement": "974"}).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"departement": "99x"},
        {"departement": "<script>"},
        {"annee": "abc"},
        {"annee": "1999"},
        {"secteur": "Z"},
        {"parcours": "stage"},
    ],
)
def test_nonsense_filters_get_a_translated_message(client, staff, country, query):
    response = client.get(reverse("follow_up:territory"), query)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ces filtres ne sont pas valides" in page
    assert "Sélectionnez un choix valide" in page
    assert response.context["figures"] is None
    export = client.get(reverse("follow_up:territory_export_csv"), query)
    assert export.status_code == 400
    assert "Filtres invalides" in export.content.decode()


def test_others_are_refused(client, country):
    client.force_login(factories.SchoolStaffFactory(head=True).user)
    assert client.get(reverse("follow_up:territory")).status_code == 403
    assert client.get(reverse("follow_up:territory_export_csv")).status_code == 403
    assert client.post(reverse("follow_up:territory")).status_code in (403, 405)


def test_wrong_method_is_refused(client, staff):
    assert client.post(reverse("follow_up:territory")).status_code == 405


def test_csv_export_holds_the_pages_tables(client, referent):
    response = client.get(reverse("follow_up:territory_export_csv"), {"annee": "2026"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="passerelle-territoires-2026-2027-departements.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Vue nationale et départementale", "2026-2027", "69"]
    assert ["69 — Rhône", "1", "5"] in rows
    assert ["REP", "2", "66,7", "1", "100,0"] in rows
    assert "Seine-Saint-Denis" not in text


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("follow_up:territory"), {"annee": "2026"})
    assert response.status_code == 200
    return len(captured)


def _spread(count: int, start: int) -> None:
    """`count` départements, each with an offer and a pupil's confirmed application from a school there."""
    for number in range(start, start + count):
        code = f"{number:02d}"
        place = commune(f"{code}001", f"Commune {code}", code, f"Département {code}", 44 + number / 10, number / 10)
        pupil = pupil_of(factories.SchoolFactory(commune=place))
        apply(pupil, offer(place), ApplicationStatus.CONFIRMED)


def test_query_count_does_not_grow_with_departements(client, staff):
    _spread(2, start=10)
    with_two = _page_queries(client)
    _spread(8, start=20)
    with_ten = _page_queries(client)
    assert with_ten == with_two
    assert len(territory_figures(year=YEAR).offers_by_place) == 10


def test_figures_take_four_queries(django_assert_num_queries, country):
    with django_assert_num_queries(4):
        territory_figures(year=YEAR)


# Every view derived from the year's aggregate -----------------------------------------------------------------


def placed_twice(country):
    """A pupil of the REP+ school of Seine-Saint-Denis with two confirmed internships: an observation in industry
    (Seine-Saint-Denis) and a PFMP in health (the Rhône)."""
    pupil = pupil_of(country["schools"]["rep_plus"])
    apply(pupil, country["offers"]["h1"], ApplicationStatus.CONFIRMED)
    apply(pupil, country["offers"]["lyon"], ApplicationStatus.CONFIRMED)
    return pupil


def test_a_pupil_with_two_internships_is_placed_once_whatever_the_filter(country):
    placed_twice(country)

    def placed(**filters):
        return territory_figures(year=YEAR, **filters).placed

    # Before her: the REP+ pupil in industry (observation), the REP pupil in health (PFMP).
    assert placed() == 3  # not 4: she counts once, though her two internships do under two sectors
    assert (placed(sector=Sector.H), placed(sector=Sector.J), placed(sector=Sector.E)) == (2, 2, 0)
    assert (placed(track=Track.OBSERVATION_3E), placed(track=Track.PFMP)) == (2, 2)
    assert (placed(sector=Sector.H, track=Track.PFMP), placed(sector=Sector.J, track=Track.PFMP)) == (0, 2)
    assert (placed(scope=["93"]), placed(scope=["69"]), placed(scope=["69", "93"])) == (2, 1, 3)
    assert placed(scope=["93"], sector=Sector.J) == 1  # her school's département, her internship's sector
    national = territory_figures(year=YEAR)
    assert lines(national.pupils_by_priority, "placed", "placed_share")["rep_plus"] == (2, 66.7)
    assert lines(national.pupils_by_place, "applications", "placed")["93"] == (5, 2)


def expected_figures(year, *, scope, sector, track) -> dict:
    """The view's figures counted one object at a time from the models, with the rules of territory.py written out
    again: offers with a week in the year, applications sent in it, the pupil's school that of her class joined
    last in that year."""
    offers, seats, offers_by_place = 0, 0, {}
    counted = Offer.objects.filter(status__in=COUNTED_OFFER_STATUSES, hidden_at__isnull=True)
    for item in counted.select_related("commune").prefetch_related("weeks"):
        weeks = [week for week in item.weeks.all() if year.first_day <= week.week_start < year.next_first_day]
        if not weeks or (sector and item.sector != sector) or (track and item.track != track):
            continue
        place = None if item.format == OfferFormat.REMOTE or item.commune is None else item.commune.departement_code
        if scope is not None and place not in scope:
            continue
        offers += 1
        seats += sum(week.seats for week in weeks)
        offers_by_place[place] = offers_by_place.get(place, 0) + 1
    applications, placed, pupils_by_place = 0, set(), {}
    sent = Application.objects.filter(created_at__gte=year.starts_at, created_at__lt=year.ends_at)
    for application in sent.select_related("offer"):
        if (sector and application.offer.sector != sector) or (track and application.offer.track != track):
            continue
        enrolment = (
            Enrolment.objects.filter(pupil=application.pupil_id, school_class__school_year=year.start)
            .select_related("school_class__school__commune")
            .order_by("-joined_at", "-id")
            .first()
        )
        place = enrolment.school_class.school.commune.departement_code if enrolment else None
        if scope is not None and place not in scope:
            continue
        applications += 1
        counts = pupils_by_place.setdefault(place, [0, set()])
        counts[0] += 1
        if application.status == ApplicationStatus.CONFIRMED:
            placed.add(application.pupil_id)
            counts[1].add(application.pupil_id)
    return {
        "totals": (offers, seats, applications, len(placed)),
        "offers_by_place": offers_by_place,
        "pupils_by_place": {place: (count, len(pupils)) for place, (count, pupils) in pupils_by_place.items()},
    }


def test_every_view_derived_from_the_years_aggregate_matches_the_data(country):
    placed_twice(country)
    aggregates = year_aggregates(YEAR)
    known = departements()
    checked = 0
    for scope in (None, ["93"], ["69", "974"], []):
        for sector in ("", Sector.H, Sector.J, Sector.E, Sector.A):
            for track in ("", Track.OBSERVATION_3E, Track.PFMP):
                figures = derive(aggregates, scope=scope, sector=sector, track=track, known=known)
                expected = expected_figures(YEAR, scope=scope, sector=sector, track=track)
                view = (scope, sector, track)
                assert (figures.offers, figures.seats, figures.applications, figures.placed) == expected["totals"], (
                    view
                )
                assert {
                    key: offers for key, (offers,) in lines(figures.offers_by_place, "offers").items() if offers
                } == (expected["offers_by_place"]), view
                assert {
                    key: counts
                    for key, counts in lines(figures.pupils_by_place, "applications", "placed").items()
                    if counts != (0, 0)
                } == expected["pupils_by_place"], view
                assert sum(line.applications for line in figures.applications_by_status) == figures.applications
                assert sum(line.placed for line in figures.pupils_by_priority) == figures.placed
                checked += 1
    assert checked == 60
    assert expected_figures(YEAR, scope=None, sector="", track="")["totals"] == (8, 39, 11, 3)  # the data is there


def test_the_years_aggregate_takes_three_queries_and_a_view_none(django_assert_num_queries, country):
    with django_assert_num_queries(3):
        aggregates = year_aggregates(YEAR)
    known = departements()
    with django_assert_num_queries(0):
        figures = derive(aggregates, scope=["69"], sector=Sector.J, track=Track.PFMP, known=known)
    assert (figures.offers, figures.applications, figures.placed) == (1, 1, 1)
    assert derive(aggregates, known=known) == territory_figures(year=YEAR)
