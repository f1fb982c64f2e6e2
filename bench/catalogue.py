"""Catalogue: the offer search on 100,000 published offers, on PostgreSQL.

The SQL of a typical search alone (keyword + within 20 km of a commune + sector + week), then the same searches
end to end over HTTP through a real server process (daphne on a free port, same database): the catalogue page
and the public API, one request at a time, then the page's throughput with 16 concurrent clients.

PostgreSQL only. Under `make bench` with DATABASE_URL pointing to PostgreSQL, it runs in the throw-away test
database of the harness. Otherwise it runs itself in a child process against
postgres://postgres@127.0.0.1:5432/passerelle_bench (CATALOGUE_BENCH_DATABASE_URL to change it), creating that
database when missing, migrating it and importing the communes when it has none; its offers are generated
afresh on each run.

Figures: sql_p50_ms / sql_p95_ms (the search's statements — the page with its offers' weeks, and the count when
the page does not hold the whole result — replayed on a cursor), selector_p50_ms / selector_p95_ms (the same
through the ORM), http_p50_ms / http_p95_ms (the catalogue page), api_p50_ms / api_p95_ms (GET /api/v1/offers/),
page_rps_c16, page_queries (SQL statements per page), mean_results, generate_seconds. The API's per-address
throttle is raised for the server under test (it would answer 429 after 60 requests a minute); the throttle still
runs on every request.

Run alone: `python -m bench catalogue`.
"""

import http.client
import itertools
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

from bench import _postgres as postgres

OFFERS = 100_000
ORGANISATIONS = 2_000
QUERIES = 200
CONCURRENCY = 16
CONCURRENT_REQUESTS = 640  # in all, shared by the clients
SEED = 20261128
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/passerelle_bench"
ROOT = Path(__file__).resolve().parent.parent

# Jobs by sector (the 14 "grands domaines" of the ROME), as employers name them.
JOBS = {
    "A": ["jardinière paysagiste", "agricultrice", "soigneur animalier", "bûcheron", "viticultrice"],
    "B": ["ébéniste", "bijoutière", "luthier", "tapissière", "céramiste"],
    "C": ["conseillère bancaire", "agent immobilier", "assureur", "gestionnaire de patrimoine"],
    "D": ["vendeuse", "boulanger", "bouchère", "caissier", "fleuriste", "pâtissière"],
    "E": ["journaliste", "graphiste", "photographe", "monteuse vidéo"],
    "F": ["électricienne", "maçon", "plombier", "menuisière", "peintre en bâtiment", "couvreur"],
    "G": ["cuisinier", "serveuse", "réceptionniste", "animateur", "guide touristique"],
    "H": ["technicienne de production", "soudeur", "électronicienne", "chaudronnier", "opératrice"],
    "I": ["mécanicienne automobile", "technicien de maintenance", "frigoriste", "carrossier"],
    "J": ["infirmière", "aide-soignant", "pharmacienne", "manipulatrice radio", "ambulancier"],
    "K": ["éducatrice", "coiffeuse", "esthéticienne", "agent d'entretien", "policier", "pompière"],
    "L": ["régisseur", "comédienne", "technicienne son", "costumière"],
    "M": ["comptable", "secrétaire", "développeuse informatique", "assistante RH", "juriste"],
    "N": ["chauffeur routier", "logisticienne", "cariste", "pilote de ligne", "contrôleuse"],
}
TITLES = [
    "Découvrir le métier de {job}",
    "Une semaine avec une équipe : {job}",
    "Stage d'observation : {job}",
    "Dans les coulisses du métier de {job}",
    "{job} : observer, essayer, comprendre",
]
SENTENCES = [
    "Vous suivrez une équipe au quotidien et découvrirez ses outils.",
    "Accueil par la tutrice, visite des locaux, puis observation des gestes du métier.",
    "Une semaine pour comprendre les règles de sécurité et le travail en équipe.",
    "Vous rencontrerez des professionnels qui vous parleront de leur parcours et de leur formation.",
    "Le dernier jour, vous présenterez ce que vous avez appris à l'équipe.",
    "Tenue adaptée fournie sur place ; le repas de midi est pris avec l'équipe.",
]
SPECIALTIES = [
    "Métiers de l'électricité et de ses environnements connectés",
    "Métiers du commerce et de la vente",
    "Maintenance des véhicules",
    "Cuisine",
    "Accompagnement, soins et services à la personne",
]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def progress(message: str) -> None:
    print(f"  catalogue: {message}…", file=sys.stderr, flush=True)


def summary(values: list[float]) -> tuple[float, float]:
    return round(statistics.median(values), 2), round(percentile(values, 0.95), 2)


# --- Data --------------------------------------------------------------------------------------------------------


def generate(offers: int = OFFERS) -> dict:
    """100,000 published offers over real communes (weighted by population) and sectors, with their weeks."""
    from django.db import connection
    from django.utils import timezone

    from backend.geo.models import Commune
    from backend.offers.enums import OfferFormat, OfferStatus, Reservation, Track
    from backend.offers.models import Offer, OfferWeek
    from backend.offers.rules import default_schedule
    from backend.offers.taxonomy import domains_of
    from backend.organisations.enums import OrganisationKind
    from backend.organisations.models import HostOrganisation

    rng = random.Random(SEED)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Only in a database of the benchmark (the harness's throw-away one, or passerelle_bench).
        cursor.execute(
            "TRUNCATE offers_offer, offers_offerweek, offers_offer_reserved_schools, offers_application, "
            "offers_application_weeks, offers_offerreport, offers_offerevent RESTART IDENTITY CASCADE"
        )
    HostOrganisation.objects.filter(name__startswith="Banc d'essai ").delete()
    organisations = HostOrganisation.objects.bulk_create(
        HostOrganisation(
            name=f"Banc d'essai {number}",
            kind=OrganisationKind.COMPANY,
            siret=f"9{number:013d}",
            sector=rng.choice(list(JOBS)),
        )
        for number in range(ORGANISATIONS)
    )
    communes = list(Commune.objects.filter(latitude__isnull=False).only("id", "latitude", "longitude", "population"))
    cumulative = list(itertools.accumulate(max(commune.population or 0, 50) ** 0.8 for commune in communes))
    today = timezone.localdate()
    next_monday = today + timedelta(days=7 - today.weekday())
    mondays = [next_monday + timedelta(weeks=n) for n in range(30)]
    now = timezone.now()
    schedule = default_schedule()
    domains = {sector: [domain.code for domain in domains_of(sector)] for sector in JOBS}
    batch, weeks = [], []
    created = 0
    for number in range(offers):
        sector = rng.choice(list(JOBS))
        job = rng.choice(JOBS[sector])
        organisation = rng.choice(organisations)
        fmt = rng.choices([OfferFormat.ON_SITE, OfferFormat.HYBRID, OfferFormat.REMOTE], [85, 10, 5])[0]
        commune = None if fmt == OfferFormat.REMOTE else rng.choices(communes, cum_weights=cumulative)[0]
        track = Track.PFMP if rng.random() < 0.25 else Track.OBSERVATION_3E
        offer = Offer(
            id=number + 1,  # the table was emptied and its sequence restarted
            organisation=organisation,
            title=rng.choice(TITLES).format(job=job)[:150],
            description=" ".join(rng.sample(SENTENCES, 3)) + f" Métier découvert : {job}.",
            sector=sector,
            domain=rng.choice(domains[sector]),
            job_title=job[:1].upper() + job[1:],
            track=track,
            specialties=[rng.choice(SPECIALTIES)] if track == Track.PFMP else [],
            format=fmt,
            address="" if commune is None else f"{rng.randint(1, 120)} rue de la Gare",
            commune=commune,
            latitude=None if commune is None else commune.latitude,
            longitude=None if commune is None else commune.longitude,
            group_size=rng.choice([1, 1, 1, 2, 3]),
            reservation=rng.choices([Reservation.OPEN, Reservation.PRIORITY, Reservation.SCHOOLS], [85, 10, 5])[0],
            disability_friendly=rng.random() < 0.3,
            schedule=schedule,
            status=OfferStatus.PUBLISHED,
            published_at=now - timedelta(minutes=rng.randint(0, 90 * 24 * 60)),
        )
        offer.search_document = offer.build_search_document()
        batch.append(offer)
        for monday in rng.sample(mondays, rng.randint(2, 4)):
            seats = rng.randint(1, 4)
            taken = seats if rng.random() < 0.1 else rng.randint(0, seats - 1)
            weeks.append(
                OfferWeek(id=len(weeks) + 1, offer_id=offer.id, week_start=monday, seats=seats, seats_taken=taken)
            )
        if len(batch) == 10_000 or number == offers - 1:
            copy_rows(Offer, batch)
            created += len(batch)
            batch = []
    copy_rows(OfferWeek, weeks)
    with connection.cursor() as cursor:
        for model in (Offer, OfferWeek):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
        cursor.execute("ANALYZE")  # as autovacuum would soon after
    return {"offers": created, "mondays": mondays, "generate_seconds": round(time.perf_counter() - started, 1)}


def copy_rows(model, objects: list) -> None:
    """Insert with PostgreSQL's COPY, every concrete field prepared as Django would (bulk_create's adapting of
    100,000 rows in Python takes minutes here)."""
    from django.db import connection

    fields = [field for field in model._meta.concrete_fields]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objects:
            copy.write_row([field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields])


def make_queries(mondays, count: int = QUERIES) -> list[dict]:
    """Typical searches: a job of a sector, that sector, within 20 km of one of the 300 most populous
    communes, one of the coming weeks."""
    from backend.geo.models import Commune
    from backend.offers.rules import iso_week

    rng = random.Random(SEED + 1)
    towns = list(Commune.objects.filter(latitude__isnull=False).order_by("-population")[:300])
    queries = []
    for _number in range(count):
        sector = rng.choice(list(JOBS))
        keyword = rng.choice(JOBS[sector]).split(" ")[0]
        town = rng.choice(towns)
        queries.append(
            {
                "q": keyword,
                "commune": town,
                "radius": 20,
                "sector": sector,
                "week": iso_week(rng.choice(mondays[2:16])),
            }
        )
    return queries


# --- Measures ------------------------------------------------------------------------------------------------------


def search_params(query: dict):
    from backend.offers.rules import parse_iso_week, week_end
    from backend.offers.search import SearchParams

    monday = parse_iso_week(query["week"])
    return SearchParams(
        keyword=query["q"],
        commune=query["commune"],
        place_given=True,
        radius_km=query["radius"],
        sector=query["sector"],
        date_from=monday,
        date_to=week_end(monday),
    )


def measure_sql(queries: list[dict]) -> dict:
    """The search's statements replayed on a cursor (the SQL alone), and the selector itself (ORM included)."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from backend.offers.search import offer_search

    anonymous = AnonymousUser()
    statements, selector, results = [], [], []
    for query in queries:
        with CaptureQueriesContext(connection) as captured:
            result = offer_search(user=anonymous, params=search_params(query))
        statements.append([entry["sql"] for entry in captured.captured_queries])
        results.append(result.count)
    with connection.cursor() as cursor:
        for sqls in statements[:20]:  # warm the caches
            for sql in sqls:
                cursor.execute(sql)
                cursor.fetchall()
        sql_times = []
        for sqls in statements:
            started = time.perf_counter()
            for sql in sqls:
                cursor.execute(sql)
                cursor.fetchall()
            sql_times.append((time.perf_counter() - started) * 1000)
    for query in queries:
        started = time.perf_counter()
        offer_search(user=anonymous, params=search_params(query))
        selector.append((time.perf_counter() - started) * 1000)
    sql_p50, sql_p95 = summary(sql_times)
    selector_p50, selector_p95 = summary(selector)
    return {
        "sql_p50_ms": sql_p50,
        "sql_p95_ms": sql_p95,
        "selector_p50_ms": selector_p50,
        "selector_p95_ms": selector_p95,
        "statements_per_search": round(statistics.mean(len(sqls) for sqls in statements), 2),
        "mean_results": round(statistics.mean(results), 1),
        "searches_without_results": sum(1 for count in results if not count),
    }


def explain(query: dict) -> str:
    """EXPLAIN ANALYZE of the count and of the page of one typical search."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from backend.offers.search import offer_search

    with CaptureQueriesContext(connection) as captured:
        offer_search(user=AnonymousUser(), params=search_params(query))
    plans = []
    with connection.cursor() as cursor:
        for entry in captured.captured_queries[:2]:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, BUFFERS OFF) " + entry["sql"])
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return "\n\n".join(plans)


def page_query_count(query: dict) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/offres/?" + urlencode(http_params(query)), headers={"host": "localhost"})
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries)


def http_params(query: dict, *, api: bool = False) -> dict:
    commune = query["commune"]
    params = {"q": query["q"], "radius": query["radius"], "sector": query["sector"], "week": query["week"]}
    if api:
        params["commune"] = commune.insee_code
    else:
        params.update(commune=str(commune), commune_code=commune.insee_code)
    return params


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """daphne serving the project on a free port, with the given database."""

    def __init__(self, database_url: str):
        self.port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "backend.settings",
            "API_THROTTLE_ANON": "1000000/minute",
            "LOG_LEVEL": "WARNING",
            "DEBUG": "false",
        }
        daphne = Path(sys.executable).with_name("daphne")
        self.process = subprocess.Popen(  # noqa: S603 - our daphne, fixed arguments
            [str(daphne), "-b", "127.0.0.1", "-p", str(self.port), "backend.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("daphne stopped: " + self.process.stderr.read().decode(errors="replace")[-2000:])
            try:
                status, _body = self.get("/offres/")
                if status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("daphne did not answer within 60 s")

    def get(self, path: str, connection: http.client.HTTPConnection | None = None) -> tuple[int, bytes]:
        own = connection is None
        connection = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path, headers={"Accept-Language": "fr"})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            if own:
                connection.close()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def timed_requests(server: Server, paths: list[str]) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    durations = []
    try:
        for path in paths:
            started = time.perf_counter()
            status, _body = server.get(path, connection)
            durations.append((time.perf_counter() - started) * 1000)
            assert status == 200, (path, status)
    finally:
        connection.close()
    return durations


def requests_per_second(server: Server, paths: list[str], clients: int, total: int) -> float:
    """`clients` threads, each on its own keep-alive connection, share `total` requests."""
    per_client = total // clients
    errors = []

    def client(offset: int):
        try:
            timed_requests(server, [paths[(offset + n) % len(paths)] for n in range(per_client)])
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=client, args=(index * 7,)) for index in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} client(s) failed: {errors[0]!r}")
    return round(per_client * clients / elapsed, 1)


def measure(database_url: str) -> dict:
    from django.db import connection

    from backend.geo.models import Commune
    from backend.geo.services import import_communes

    if not Commune.objects.exists():
        progress("importing the communes")
        import_communes(apply=True)
    progress(f"generating {OFFERS} offers")
    data = generate()
    progress(f"generated in {data['generate_seconds']} s; measuring the SQL")
    queries = make_queries(data["mondays"])
    figures = {"database": connection.vendor, "offers": data["offers"], "generate_seconds": data["generate_seconds"]}
    figures.update(measure_sql(queries))
    figures["page_queries"] = page_query_count(queries[0])
    plan = explain(queries[0])
    connection.close()  # the server gets its own connections

    page_paths = ["/offres/?" + urlencode(http_params(query), quote_via=quote) for query in queries]
    api_paths = ["/api/v1/offers/?" + urlencode(http_params(query, api=True), quote_via=quote) for query in queries]
    progress("measuring over HTTP")
    server = Server(database_url)
    try:
        timed_requests(server, page_paths[:20] + api_paths[:20])  # warm up
        figures["http_p50_ms"], figures["http_p95_ms"] = summary(timed_requests(server, page_paths))
        figures["api_p50_ms"], figures["api_p95_ms"] = summary(timed_requests(server, api_paths))
        figures["page_rps_c16"] = requests_per_second(server, page_paths, CONCURRENCY, CONCURRENT_REQUESTS)
    finally:
        server.stop()
    figures["http_to_sql_p95_ratio"] = round(figures["http_p95_ms"] / figures["sql_p95_ms"], 2)
    print("\nEXPLAIN ANALYZE of a typical search (count, then page):\n" + plan + "\n", file=sys.stderr)
    return figures


# --- Entry points ------------------------------------------------------------------------------------------------


def run() -> dict:
    """Called by `python -m bench`."""
    return postgres.run(
        "bench.catalogue", measure, url_variable="CATALOGUE_BENCH_DATABASE_URL", default_url=DEFAULT_DATABASE_URL
    )


def main(argv: list[str]) -> int:
    return postgres.main(argv, measure, name="catalogue", default_url=DEFAULT_DATABASE_URL)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
