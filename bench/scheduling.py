"""Scheduling: open tutoring slots for a pupil's search page, and bookings under 16 concurrent clients, on
PostgreSQL.

1,000 tutors (SCHEDULING_BENCH_TUTORS to change it) each get one to three weekly rules in their own time zone
(mostly Paris, some overseas), group or one-to-one slots (half of them hold an attestation), caps, and exceptions
(days off, extra windows) over a 4-week horizon; 400 pupils search and book.

Figures:
- open_slots_p50_ms / open_slots_p95_ms: `scheduling.selectors.open_slots` as the pupil's search page calls it
  (the pupil as viewer, a topic, a day of the next four weeks in her zone);
- first_page_p50_ms / first_page_p95_ms: the page without a day (the first 50 slots of a topic);
- bookings_per_s_c16: successful `booking_create` calls per second with 16 threads, each with its own connection,
  aiming at the same popular slots (refusals — full, already busy — are counted in booking_attempts_per_s_c16);
- double_bookings: overlapping open slots of a tutor + overlapping live bookings of a pupil + slots whose seats
  taken differ from their bookings (must be 0).

PostgreSQL only. Under `make bench` with DATABASE_URL pointing to PostgreSQL, it runs in the harness's throw-away
database. Otherwise it runs itself in a child process against
postgres://postgres@127.0.0.1:5432/passerelle_bench_sched (SCHEDULING_BENCH_DATABASE_URL to change it), creating and
migrating that database when needed; its rows are generated afresh on each run.

Run alone: `python -m bench scheduling`; smaller: `SCHEDULING_BENCH_TUTORS=100 python -m bench scheduling`.
"""

import datetime
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

from bench import _postgres as postgres

TUTORS = int(os.environ.get("SCHEDULING_BENCH_TUTORS", "1000"))
PUPILS = 400
SEARCHES = 200
CONCURRENCY = 16
BOOKING_ATTEMPTS = 960  # in all, shared by the clients
SEED = 20261128
PREFIX = "bench-sched-"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/passerelle_bench_sched"
ROOT = Path(__file__).resolve().parent.parent
ZONES = ["Europe/Paris"] * 8 + ["Indian/Reunion", "America/Martinique"]
TOPICS = ["homework", "discover_job", "cv", "cover_letter", "interview", "orientation"]
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA"]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def progress(message: str) -> None:
    print(f"  scheduling: {message}", file=sys.stderr, flush=True)


def clear() -> None:
    from django.contrib.auth import get_user_model

    from scheduling.models import Booking, Slot

    User = get_user_model()
    bench_users = User.objects.filter(username__startswith=PREFIX)
    Booking.objects.filter(pupil__in=bench_users).delete()
    Slot.objects.filter(tutor__in=bench_users).delete()
    bench_users.delete()


def generate(tutors: int = TUTORS) -> dict:
    """Tutors with settings, rules, exceptions and attestations; pupils. Returns the pupils' ids."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from backend.accounts.enums import ConsentStatus
    from backend.accounts.models import PupilProfile, TutorProfile
    from scheduling.models import (
        AvailabilityException,
        AvailabilityRule,
        AvailabilitySettings,
        HonourabilityAttestation,
    )

    User = get_user_model()
    random.seed(SEED)
    started = time.monotonic()
    clear()
    today = timezone.localdate()
    tutor_users = User.objects.bulk_create(
        User(
            username=f"{PREFIX}tutor-{n}@example.org",
            email=f"{PREFIX}tutor-{n}@example.org",
            first_name=random.choice(["Anne", "Marc", "Nadia", "Paul", "Inès", "Hugo", "Léa", "Omar"]),
            last_name=f"Tuteur{n}",
            time_zone=random.choice(ZONES),
            password="!",  # noqa: S106 - an unusable password
        )
        for n in range(tutors)
    )
    TutorProfile.objects.bulk_create(TutorProfile(user=user) for user in tutor_users)
    AvailabilitySettings.objects.bulk_create(
        AvailabilitySettings(
            user=user,
            time_zone=user.time_zone,
            min_notice_hours=random.choice([0, 12, 24, 48]),
            horizon_days=28,
            max_per_day=random.choice([None, None, 2, 3]),
            max_per_week=random.choice([None, None, 5, 8]),
        )
        for user in tutor_users
    )
    attested = [user for user in tutor_users if random.random() < 0.5]
    HonourabilityAttestation.objects.bulk_create(
        HonourabilityAttestation(
            user=user, issued_on=today - datetime.timedelta(days=100), expires_on=today + datetime.timedelta(days=900)
        )
        for user in attested
    )
    attested_ids = {user.pk for user in attested}
    rules, exceptions = [], []
    for user in tutor_users:
        count = random.randint(1, 3)
        hours = random.sample(range(9, 19), k=count)
        days = random.sample(WEEKDAYS, k=count)  # one rule a weekday: rules never overlap
        for hour, day in zip(hours, days, strict=True):
            one_to_one = user.pk in attested_ids and random.random() < 0.5
            rules.append(
                AvailabilityRule(
                    owner=user,
                    rrule=f"FREQ=WEEKLY;BYDAY={day}",
                    starts_on=today - datetime.timedelta(days=7),
                    ends_on=random.choice([None, None, today + datetime.timedelta(days=60)]),
                    start_time=datetime.time(hour),
                    end_time=datetime.time(hour + random.choice([1, 2])),
                    time_zone=user.time_zone,
                    slot_minutes=random.choice([30, 45, 60]),
                    buffer_minutes=random.choice([0, 0, 15]),
                    topics=random.sample(TOPICS, k=random.randint(1, 3)),
                    format="one_to_one" if one_to_one else "group",
                    group_size=1 if one_to_one else random.randint(2, 5),
                )
            )
        for _ in range(2):
            day = today + datetime.timedelta(days=random.randint(1, 28))
            if random.random() < 0.6:
                exceptions.append(
                    AvailabilityException(owner=user, kind="unavailable", date=day, time_zone=user.time_zone)
                )
            else:
                exceptions.append(
                    AvailabilityException(
                        owner=user,
                        kind="extra",
                        date=day,
                        start_time=datetime.time(21),
                        end_time=datetime.time(22),
                        time_zone=user.time_zone,
                        slot_minutes=60,
                        topics=random.sample(TOPICS, k=2),
                        format="group",
                        group_size=3,
                    )
                )
    AvailabilityRule.objects.bulk_create(rules, batch_size=2000)
    AvailabilityException.objects.bulk_create(exceptions, batch_size=2000)
    pupils = User.objects.bulk_create(
        User(
            username=f"{PREFIX}pupil-{n}",
            first_name=random.choice(["Yasmine", "Lucas", "Aïcha", "Noah", "Jade", "Adam"]),
            last_name=f"Élève{n}",
            time_zone=random.choice(ZONES),
            password="!",  # noqa: S106 - an unusable password
        )
        for n in range(PUPILS)
    )
    PupilProfile.objects.bulk_create(
        PupilProfile(user=user, birth_date=datetime.date(2012, 5, 1), consent_status=ConsentStatus.NOT_REQUIRED)
        for user in pupils
    )
    return {
        "pupil_ids": [user.pk for user in pupils],
        "rules": len(rules),
        "exceptions": len(exceptions),
        "generate_seconds": round(time.monotonic() - started, 2),
    }


def measure_searches(pupil_ids: list[int]) -> dict:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from scheduling import selectors

    User = get_user_model()
    random.seed(SEED + 1)
    pupils = {user.pk: user for user in User.objects.filter(pk__in=pupil_ids)}
    today = timezone.localdate()
    selectors.open_slots(topic="cv", day=today + datetime.timedelta(days=3))  # warm-up
    day_times, page_times, counts = [], [], []
    for _ in range(SEARCHES):
        pupil = pupils[random.choice(pupil_ids)]
        topic = random.choice(TOPICS)
        day = today + datetime.timedelta(days=random.randint(1, 28))
        started = time.perf_counter()
        found = selectors.open_slots(viewer=pupil, topic=topic, day=day)
        day_times.append((time.perf_counter() - started) * 1000)
        counts.append(len(found))
    for _ in range(SEARCHES // 4):
        pupil = pupils[random.choice(pupil_ids)]
        started = time.perf_counter()
        selectors.open_slots(viewer=pupil, topic=random.choice(TOPICS), limit=50)
        page_times.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    every = selectors.open_slots()
    full_ms = (time.perf_counter() - started) * 1000
    return {
        "open_slots_p50_ms": round(statistics.median(day_times), 2),
        "open_slots_p95_ms": round(percentile(day_times, 0.95), 2),
        "open_slots_mean_results": round(statistics.mean(counts), 1),
        "first_page_p50_ms": round(statistics.median(page_times), 2),
        "first_page_p95_ms": round(percentile(page_times, 0.95), 2),
        "all_open_slots_ms": round(full_ms, 1),
        "all_open_slots": len(every),
    }


def measure_bookings(pupil_ids: list[int]) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.db import connections

    from scheduling import selectors, services

    User = get_user_model()
    random.seed(SEED + 2)
    # The popular slots: the first few hundred of the next days, so that clients collide on seats and times.
    targets = selectors.open_slots(limit=300)
    pupils = list(User.objects.filter(pk__in=pupil_ids).select_related("pupil_profile"))
    plans = [
        [(random.choice(pupils), random.choice(targets)) for _ in range(BOOKING_ATTEMPTS // CONCURRENCY)]
        for _ in range(CONCURRENCY)
    ]
    outcomes = {"booked": 0, "refused": 0, "error": 0}
    lock = threading.Lock()
    barrier = threading.Barrier(CONCURRENCY)

    def client(plan):
        mine = {"booked": 0, "refused": 0, "error": 0}
        try:
            barrier.wait(timeout=60)
            for pupil, slot in plan:
                try:
                    services.booking_create(
                        pupil=pupil, tutor=slot.tutor, starts_at=slot.starts_at, topic=slot.topics[0]
                    )
                    mine["booked"] += 1
                except ValidationError:
                    mine["refused"] += 1
                except Exception as error:  # counted, and shown once
                    mine["error"] += 1
                    if mine["error"] == 1:
                        progress(f"booking error: {error!r}")
                finally:
                    # Back to the pool after each booking, as a request would: 16 clients share its connections.
                    connections.close_all()
        finally:
            connections.close_all()
        with lock:
            for key, value in mine.items():
                outcomes[key] += value

    threads = [threading.Thread(target=client, args=(plan,)) for plan in plans]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    attempts = sum(outcomes.values())
    return {
        "bookings_per_s_c16": round(outcomes["booked"] / elapsed, 1),
        "booking_attempts_per_s_c16": round(attempts / elapsed, 1),
        "bookings_made": outcomes["booked"],
        "bookings_refused": outcomes["refused"],
        "booking_errors": outcomes["error"],
    }


def double_bookings() -> int:
    from scheduling.selectors import booking_invariant_violations

    return booking_invariant_violations()


def measure() -> dict:
    progress(f"generating {TUTORS} tutors…")
    generated = generate(TUTORS)
    pupil_ids = generated.pop("pupil_ids")
    progress("searching…")
    figures = {"tutors": TUTORS, **generated, **measure_searches(pupil_ids)}
    progress("booking with 16 clients…")
    figures.update(measure_bookings(pupil_ids))
    figures["double_bookings"] = double_bookings()
    return figures


def run() -> dict:
    """Called by `python -m bench`."""
    return postgres.run(
        "bench.scheduling",
        lambda _database_url: measure(),
        url_variable="SCHEDULING_BENCH_DATABASE_URL",
        default_url=DEFAULT_DATABASE_URL,
    )


def main(argv: list[str]) -> int:
    return postgres.main(argv, lambda _database_url: measure(), name="scheduling", default_url=DEFAULT_DATABASE_URL)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
