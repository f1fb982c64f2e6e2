"""Communes: the full offline import, and the autocomplete search as people use it.

Figures: import_seconds (the shipped file into an empty table), reimport_seconds (the same file again, which
changes nothing), search_p50_ms / search_p95_ms (the selector behind the autocomplete, over ~200 varied
queries), view_p50_ms / view_p95_ms (the same queries through the HTTP endpoint, middleware and template
included), communes, communes_without_coordinates, communes_with_approximate_coordinates (placed at the mean
point of the communes sharing a postcode, see backend/geo/data/SOURCE.md).
"""

import random
import statistics
import time

from django.db import connection
from django.test import Client
from django.urls import reverse

from backend.geo.models import Commune, Postcode, SearchKey
from backend.geo.selectors import search_communes
from backend.geo.services import DATA_FILE, import_communes

QUERIES = 200
SEED = 20261128


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def make_queries(count: int) -> list[str]:
    """What people type: beginnings of names, whole names, abbreviations, postcodes, codes, misspellings."""
    rng = random.Random(SEED)
    communes = list(Commune.objects.order_by("insee_code").values_list("insee_code", "name", "departement_code"))
    postcodes = list(Postcode.objects.order_by("code").values_list("code", flat=True).distinct())
    # People look for towns more often than hamlets: half the names come from the 2,000 most populous.
    big = list(Commune.objects.order_by("-population").values_list("insee_code", "name", "departement_code")[:2000])
    queries = []
    makers = [
        lambda c: c[1][: rng.randint(2, 6)],  # typing the beginning
        lambda c: c[1],  # the whole name
        lambda c: c[1].lower(),
        lambda c: c[1].replace("Saint-", "st ").replace("Sainte-", "ste "),
        lambda c: f"{c[1]} ({c[2]})",
        lambda c: c[1].split("-")[-1][:5],  # a word inside the name
        lambda c: c[0],  # INSEE code
        lambda c: c[1][:4] + "x",  # a slip
    ]
    while len(queries) < count:
        kind = rng.random()
        if kind < 0.15:
            postcode = rng.choice(postcodes)
            queries.append(postcode[: rng.choice([2, 3, 5])])
        else:
            commune = rng.choice(big if rng.random() < 0.5 else communes)
            queries.append(rng.choice(makers)(commune))
    return queries


def timed(function, queries: list[str]) -> list[float]:
    durations = []
    for query in queries:
        started = time.perf_counter()
        function(query)
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def run() -> dict:
    SearchKey.objects.all().delete()
    Postcode.objects.all().delete()
    Commune.objects.all().delete()

    started = time.perf_counter()
    import_communes(DATA_FILE, apply=True)
    import_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = import_communes(DATA_FILE, apply=True)
    reimport_seconds = time.perf_counter() - started
    assert not again.changed

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would soon after a real import

    queries = make_queries(QUERIES)
    for query in queries[:20]:  # warm the caches
        search_communes(query)
    search = timed(search_communes, queries)
    client = Client()
    url = reverse("geo:search")
    view = timed(lambda query: client.get(url, {"q": query}), queries)
    found = sum(1 for query in queries if search_communes(query, limit=1))

    return {
        "database": connection.vendor,
        "import_seconds": round(import_seconds, 2),
        "reimport_seconds": round(reimport_seconds, 2),
        "search_queries": len(queries),
        "search_queries_with_results": found,
        "search_p50_ms": round(statistics.median(search), 2),
        "search_p95_ms": round(percentile(search, 0.95), 2),
        "search_max_ms": round(max(search), 2),
        "view_p50_ms": round(statistics.median(view), 2),
        "view_p95_ms": round(percentile(view, 0.95), 2),
        "communes": Commune.objects.count(),
        "communes_without_coordinates": Commune.objects.filter(latitude__isnull=True).count(),
        "communes_with_approximate_coordinates": Commune.objects.filter(
            coordinates_source=Commune.CoordinatesSource.POSTCODE
        ).count(),
        "postcodes": Postcode.objects.count(),
    }
