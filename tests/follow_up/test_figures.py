"""Dashboards' figures kept for FOLLOW_UP_FIGURES_SECONDS (backend/follow_up/figures.py): computed once, read from
the cache until they expire or are recomputed, the association's target always fresh, and the periodic job that
recomputes the usual views (run on the real cache: Redis when REDIS_URL is set)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.follow_up import association_dashboard, figures, territory
from backend.follow_up.tasks import figures_refresh_task
from scheduling.enums import SessionStatus
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
    assert counts == {"territory_views": 2, "associations": 1}  # France, the world referent's département
    year = territory.current_school_year()
    scope = territory.departement_scope(world["users"]["referent"])
    with django_assert_num_queries(0):  # both ready: nothing to compute
        territory.territory_figures_kept(year=year, scope=None)
        territory.territory_figures_kept(year=year, scope=scope)
    school_year = association_dashboard.school_year_of(timezone.now())
    with django_assert_num_queries(1):  # the target only
        association_dashboard.association_dashboard_kept(world["association"], school_year)
