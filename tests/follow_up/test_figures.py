"""Dashboards' figures kept for FOLLOW_UP_FIGURES_SECONDS (backend/follow_up/figures.py): computed once, read from
the cache until they expire or are recomputed, the association's target always fresh, the one aggregate per school
year every national and département view derives from, and the periodic job that recomputes the usual ones (run on
the real cache: Redis when REDIS_URL is set)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.follow_up import association_dashboard, figures, territory
from backend.follow_up.tasks import figures_refresh_task
from backend.follow_up.territory import SchoolYear
from backend.offers.enums import ApplicationStatus, Track
from backend.organisations.enums import Sector
from scheduling.enums import SessionStatus
from tests.follow_up.territory_support import YEAR, apply, make_country, pupil_of
from tests.scheduling.factories import DiscoverySessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(settings):
    settings.FOLLOW_UP_FIGURES_SECONDS = 900


def held_session(world):
    ended = timezone.now() - datetime.timedelta(hours=2)
    return DiscoverySessionFactory(
        association=world["association"],
        host_organisation=world["organisation"],
        starts_at=ended - datetime.timedelta(hours=1),
        ends_at=ended,
        status=SessionStatus.PUBLISHED,
    )


def test_figures_are_computed_once_then_read_until_forgotten(kept):
    calls = []

    def compute():
        calls.append(1)
        return {"offers": len(calls)}

    first, first_at = figures.read("test", (1, "france"), compute)
    again, again_at = figures.read("test", (1, "france"), compute)
    assert (first, again, again_at) == ({"offers": 1}, {"offers": 1}, first_at)
    assert figures.read("test", (2, "france"), compute)[0] == {"offers": 2}  # another view, its own figures
    figures.forget("test", (1, "france"))
    assert figures.read("test", (1, "france"), compute)[0] == {"offers": 3}


def test_without_keeping_every_read_computes(settings):
    settings.FOLLOW_UP_FIGURES_SECONDS = 0
    calls = []
    for _ in range(2):
        figures.read("test", (1,), lambda: calls.append(1))
    assert len(calls) == 2


def test_an_association_sees_kept_figures_and_its_fresh_target(world, kept, django_assert_max_num_queries):
    association = world["association"]
    year = association_dashboard.school_year_of(timezone.now())
    held_session(world)
    before = association_dashboard.association_dashboard_kept(association, year)
    held_session(world)
    association_dashboard.association_target_set(
        association=association,
        school_year=year,
        sessions=10,
        pupils=100,
        priority_pupils_share=None,
        professionals=3,
        by=world["users"]["association_staff"],
    )
    with django_assert_max_num_queries(1):  # the target only
        after = association_dashboard.association_dashboard_kept(association, year)
    assert after.sessions_held == before.sessions_held  # kept
    assert after.now == before.now
    assert after.target.sessions == 10  # always fresh
    figures.forget("association", (association.pk, year))
    assert (
        association_dashboard.association_dashboard_kept(association, year).sessions_held == before.sessions_held + 1
    )


def test_the_page_says_when_its_figures_were_computed(world, kept, client):
    client.force_login(world["users"]["platform_staff"])
    page = client.get(reverse("follow_up:territory")).content.decode()
    assert "chiffres au" in page


def test_the_periodic_job_recomputes_the_usual_views(world, kept, django_assert_num_queries):
    counts = figures_refresh_task.delay().get()
    # Every view of a year derives from its aggregate: one per school year the view offers.
    assert counts == {"territory_years": territory.YEARS_SHOWN, "associations": 1}
    year = territory.current_school_year()
    scope = territory.departement_scope(world["users"]["referent"])
    known = territory.departements_kept()
    with django_assert_num_queries(0):  # all ready, past years too: nothing to compute
        territory.territory_figures_kept(year=year, scope=None, known=known)
        territory.territory_figures_kept(year=year, scope=scope, known=known)
        for shown in territory.school_year_choices():
            territory.territory_figures_kept(year=shown, scope=None, sector=Sector.J, known=known)
    school_year = association_dashboard.school_year_of(timezone.now())
    with django_assert_num_queries(1):  # the target only
        association_dashboard.association_dashboard_kept(world["association"], school_year)


def test_one_kept_aggregate_serves_every_view_of_its_year(kept, django_assert_num_queries):
    make_country()
    known = territory.departements()
    with django_assert_num_queries(3):  # its first reader computes the year's aggregate
        national, computed_at = territory.territory_figures_kept(year=YEAR, scope=None, known=known)
    views = [
        {"scope": ["93"]},
        {"scope": ["69", "974"], "sector": Sector.J},
        {"scope": None, "track": Track.PFMP},
        {"scope": None, "sector": Sector.E, "track": Track.OBSERVATION_3E},
        {"scope": ["974"], "sector": Sector.A},
    ]
    with django_assert_num_queries(0):  # then any département, sector or track reads it: no SQL aggregate
        derived = [territory.territory_figures_kept(year=YEAR, known=known, **view) for view in views]
    assert {at for _figures, at in derived} == {computed_at}  # the time the page shows: the aggregate's
    assert national == territory.territory_figures(year=YEAR, known=known)
    for view, (view_figures, _at) in zip(views, derived, strict=True):
        assert view_figures == territory.territory_figures(year=YEAR, known=known, **view), view  # computed afresh
    assert (derived[0][0].offers, derived[1][0].placed, derived[2][0].seats, derived[3][0].offers) == (4, 1, 15, 1)
    with django_assert_num_queries(3):  # another school year: its own aggregate, kept in turn
        before, _at = territory.territory_figures_kept(year=SchoolYear(2025), scope=None, known=known)
    assert (before.offers, before.applications) == (1, 1)


def test_a_kept_aggregate_is_read_until_recomputed(kept):
    country = make_country()
    figures_before, computed_at = territory.territory_figures_kept(year=YEAR, scope=["69"])
    apply(pupil_of(country["schools"]["rep"]), country["offers"]["lyon"], ApplicationStatus.CONFIRMED)
    assert territory.territory_figures_kept(year=YEAR, scope=["69"]) == (figures_before, computed_at)
    territory.refresh_kept(YEAR)
    figures_after, recomputed_at = territory.territory_figures_kept(year=YEAR, scope=["69"])
    assert (figures_before.placed, figures_after.placed, figures_after.applications) == (1, 2, 4)
    assert recomputed_at > computed_at
