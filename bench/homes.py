"""Each role's home page on the demo data: time to serve it and the number of SQL queries it makes (a
growing count is the sign of an N+1). Also the health check, which load balancers call every few seconds."""

import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

ROUNDS = 30


def _measure(client: Client, url: str) -> tuple[float, float, int]:
    durations = []
    for _round in range(ROUNDS):
        started = time.perf_counter()
        response = client.get(url)
        durations.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    durations.sort()
    return statistics.median(durations), durations[int(len(durations) * 0.95) - 1], len(queries)


def run() -> dict:
    from backend.accounts.models import User
    from backend.demo import data

    data.load()
    homes = {
        "pupil": ("ines.b2026", "/espace/eleve/"),
        "teacher": ("enseignant@demo.passerelle.example", "/espace/enseignant/"),
        "school_head": ("direction@demo.passerelle.example", "/espace/direction/"),
        "tutor": ("tuteur@demo.passerelle.example", "/espace/tuteur/"),
        "employer": ("employeur@demo.passerelle.example", "/espace/structure/"),
        "association_staff": ("association@demo.passerelle.example", "/espace/association/"),
        "platform_staff": ("plateforme@demo.passerelle.example", "/espace/plateforme/"),
    }
    figures = {}
    for role, (username, url) in homes.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        p50, p95, query_count = _measure(client, url)
        figures[f"{role}_home_p50_ms"] = round(p50, 2)
        figures[f"{role}_home_p95_ms"] = round(p95, 2)
        figures[f"{role}_home_queries"] = query_count
    p50, p95, query_count = _measure(Client(), "/healthz")
    figures.update(healthz_p50_ms=round(p50, 2), healthz_p95_ms=round(p95, 2), healthz_queries=query_count)
    return figures
