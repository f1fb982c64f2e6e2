"""Dashboard figures kept for a while: the association dashboard and the national and département view aggregate a
whole school year (on 100,000 offers and applications, 250 to 600 ms of SQL on this project's 2-core machine; see
`bench/follow_up.py`). Their figures are computed once, kept `FOLLOW_UP_FIGURES_SECONDS` (15 minutes by default) in
the cache, and each page says when they were computed. `figures_refresh_task` (every 10 minutes, backend/periodic.py)
recomputes the views people open most — the current school year nationally, for each département a referent follows,
and for each association — before they expire, so that readers find them ready. Zero turns the keeping off (the
tests do: they change data between two requests).

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
    """Recompute, for the current school year, the views people open first: the national view, each referent's
    départements, each association's dashboard. Returns how many of each were computed."""
    from backend.follow_up import association_dashboard, territory
    from backend.follow_up.models import TerritoryReferent
    from backend.organisations.models import Association

    year = territory.current_school_year()
    known = territory.departements()
    scopes: dict[int, list[str]] = {}
    for user_id, code in TerritoryReferent.objects.order_by("departement_code").values_list(
        "user_id", "departement_code"
    ):
        scopes.setdefault(user_id, []).append(code)
    views = [None, *sorted({tuple(codes) for codes in scopes.values()})]
    for scope in views:
        territory_scope = None if scope is None else list(scope)
        refresh(
            "territory",
            territory.figures_parts(year=year, scope=territory_scope),
            lambda territory_scope=territory_scope: territory.territory_figures(
                year=year, scope=territory_scope, known=known
            ),
        )
    school_year = year.start
    associations = list(Association.objects.order_by("pk"))
    for association in associations:
        refresh(
            "association",
            (association.pk, school_year),
            lambda association=association: association_dashboard.association_dashboard(association, school_year),
        )
    return {"territory_views": len(views), "associations": len(associations)}
