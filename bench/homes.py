"""Each role's home page on the demo data: time to serve it and the number of SQL queries it makes (a
growing count is the sign of an N+1). Also the health check, which load balancers call every few seconds."""

from django.test import Client

from bench._pages import p50_p95, timed_gets

ROUNDS = 30


def _measure(client: Client, url: str) -> tuple[float, float, int]:
    durations, queries = timed_gets(client, url, ROUNDS)
    return *p50_p95(durations), queries


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
