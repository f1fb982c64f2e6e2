"""Timing Django pages in-process, for the benchmarks that measure pages (`homes`, `follow_up`): the same loop and
the same percentiles for both."""

import statistics
import time


def timed_gets(client, url: str, rounds: int) -> tuple[list[float], int]:
    """`rounds` GETs of `url` (each must answer 200) and their durations in ms, then the SQL statements of one more."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    durations = []
    for _round in range(rounds):
        started = time.perf_counter()
        response = client.get(url)
        durations.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return durations, len(queries)


def p50_p95(durations: list[float]) -> tuple[float, float]:
    ordered = sorted(durations)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]
