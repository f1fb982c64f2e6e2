"""Dashboard figures kept for a while: the association dashboard and the national and département view aggregate a
whole school year (on 100,000 offers and applications, 250 to 600 ms of SQL on this project's 2-core machine; see
`bench/follow_up.py`). Their figures are computed once, kept `FOLLOW_UP_FIGURES_SECONDS` (15 minutes by default) in
the cache, and each page says when they were computed. Zero turns the keeping off (the tests do: they change data
between two requests).

The national and département view keeps one aggregate per school year (`territory.year_aggregates`), not one set of
figures per view: every view — France, any département, any sector or track — is derived from it in a few
milliseconds of Python, so that a filter nobody asked for yet costs no SQL either. `figures_refresh_task` (every 10
minutes, backend/periodic.py) recomputes, before they expire, the aggregate of every school year the view offers
(the current one and the four before: past years barely change, but recomputing them is what spares their readers
a computation), the départements' list they are read with, and each association's current dashboard, so that
readers find them ready. Only a reader who comes when the cache has lost them (a restart of an empty cache, another
association's past year) waits for a computation.

Only aggregates go to the cache: who may see them is checked on every request, before reading it."""

import datetime
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

T = TypeVar("T")
PREFIX = "follow_up:figures:v1"


def _key(kind: str, parts: tuple) -> str:
    return ":".join([PREFIX, kind, *(str(part) for part in parts)])


def read(kind: str, parts: tuple, compute: Callable[[], T]) -> tuple[T, datetime.datetime]:
    """The figures and when they were computed: from the cache, else computed now and kept."""
    seconds = settings.FOLLOW_UP_FIGURES_SECONDS
    if seconds > 0:
        kept = cache.get(_key(kind, parts))
        if kept is not None:
            return kept["value"], kept["computed_at"]
    return refresh(kind, parts, compute)


def refresh(kind: str, parts: tuple, compute: Callable[[], T]) -> tuple[T, datetime.datetime]:
    """Compute the figures now and keep them (whatever the cache holds)."""
    value, computed_at = compute(), timezone.now()
    if settings.FOLLOW_UP_FIGURES_SECONDS > 0:
        cache.set(_key(kind, parts), {"value": value, "computed_at": computed_at}, settings.FOLLOW_UP_FIGURES_SECONDS)
    return value, computed_at


def forget(kind: str, parts: tuple) -> None:
    cache.delete(_key(kind, parts))


def refresh_usual() -> dict[str, int]:
    """Recompute what people read: the aggregate of each school year the national and département view offers
    (every view of a year is derived from its aggregate) with the départements, and each association's current
    dashboard. Returns how many of each were computed."""
    from backend.follow_up import association_dashboard, territory
    from backend.organisations.models import Association

    years = territory.school_year_choices()
    territory.refresh_kept(*years)
    school_year = years[0].start
    associations = list(Association.objects.order_by("pk"))
    for association in associations:
        refresh(
            "association",
            (association.pk, school_year),
            lambda association=association: association_dashboard.association_dashboard(association, school_year),
        )
    return {"territory_years": len(years), "associations": len(associations)}
