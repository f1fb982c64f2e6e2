"""Follow-up dashboards: the teacher's class page, the association dashboard and the national view, on PostgreSQL,
over a school year of activity.

Generated afresh on each run (the tables of people and activity are emptied first; the communes stay): 100,000
published offers (the catalogue benchmark's generator), 400 schools over real communes (REP+, REP, QPV and others),
2,000 classes of 25 pupils — 50,000 pupils with their teachers —, 100,000 applications in every state, 20,000
bookings (15,000 tutoring appointments and 5,000 class bookings on 2,000 discovery sessions of 20 associations,
with the roll taken for most of them), 200,000 video views and 20,000 questionnaire answers.

Each page is then requested through Django's test client, in this process, signed in as its reader: the class
page of 20 classes (as each class's teacher), the dashboard of the association holding the most sessions, and the
national view of platform staff (whole country, then one département). Figures per page: `<page>_p50_ms`,
`<page>_p95_ms` and `<page>_queries` (SQL statements of one request) — the query count must not grow with the rows
shown. Aim (issue 7): every page under 200 ms p95.

The dashboards keep their figures for FOLLOW_UP_FIGURES_SECONDS (backend/follow_up/figures.py) and a periodic job
recomputes them: they are measured twice, `<page>_computed_*` with the keeping off (every request
aggregates the school year), and `<page>_*` as served after that job ran (`refresh_seconds`: how long it took).
The national and département view derives every view of a school year from one kept aggregate: its build alone is
`territory_year_aggregate_ms` (median of a few), and `territory_views_mixed_*` serves a mix of views with it kept —
France, départements drawn at random, sector and track filters drawn at random —, most of them never asked before.

PostgreSQL only. Under `make bench` with DATABASE_URL on PostgreSQL it runs in the harness's throw-away database;
otherwise in a child process on postgres://postgres@127.0.0.1:5432/passerelle_bench_follow_up
(FOLLOW_UP_BENCH_DATABASE_URL to change it), created and migrated when missing.

Run alone: `python -m bench follow_up`.
"""

import datetime
import random
import statistics
import sys
import time
from itertools import count

from bench import _postgres as postgres
from bench._pages import p50_p95, timed_gets
from bench.catalogue import generate, progress

SCHOOLS = 400
CLASSES_PER_SCHOOL = 5
PUPILS_PER_CLASS = 25
APPLICATIONS = 100_000
TUTORING_BOOKINGS = 15_000
CLASS_BOOKINGS = 5_000
SESSIONS = 2_000
ASSOCIATIONS = 20
TUTORS = 500
PROFESSIONALS = 1_000
VIDEOS = 100
VIDEO_VIEWS = 200_000
ANSWERS = 20_000
ROUNDS = 40
MEASURED_CLASSES = 20
AGGREGATE_BUILDS = 5
MIXED_VIEWS = 100
SEED = 20261129
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/passerelle_bench_follow_up"
# Tables kept across runs: reference data, and what Django and Celery beat manage themselves.
KEPT_TABLES = ("geo_", "django_migrations", "django_content_type", "auth_permission", "scheduling_schoolholiday")


def empty_tables() -> None:
    from django.db import connection

    tables = [name for name in connection.introspection.table_names() if not name.startswith(KEPT_TABLES)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def copy_rows(model, objects: list) -> None:
    """COPY the rows in (see bench.catalogue.copy_rows); rows without an id take the next of the sequence."""
    from django.db import connection

    if not objects:
        return
    with_id = objects[0].pk is not None
    fields = [field for field in model._meta.concrete_fields if with_id or not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objects:
            copy.write_row([field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields])


def reset_sequences(models) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"  # noqa: S608
            )


def generate_activity() -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from backend.accounts.enums import ConsentStatus, MembershipStatus
    from backend.accounts.models import PupilProfile, TutorProfile, User
    from backend.follow_up.enums import FeedbackKind, HelpedChoose, RespondentRole
    from backend.follow_up.models import FeedbackAnswer
    from backend.geo.models import Commune
    from backend.offers.enums import ApplicationStatus
    from backend.offers.models import Application, Offer, OfferWeek
    from backend.organisations.enums import AssociationRole, OrganisationRole
    from backend.organisations.models import (
        Association,
        AssociationMembership,
        HostOrganisation,
        OrganisationMembership,
    )
    from backend.schools.enums import Academie, Level, Priority, SchoolKind, StaffRole
    from backend.schools.models import Enrolment, School, SchoolClass, SchoolStaff
    from backend.schools.services import current_school_year
    from media.enums import ProcessingStatus, VideoState
    from media.models import Video, WatchProgress
    from scheduling.enums import (
        AttendanceSource,
        BookingStatus,
        SessionBookingStatus,
        SessionMode,
        SessionStatus,
        SlotFormat,
        VideoProvider,
    )
    from scheduling.models import Booking, DiscoverySession, SessionAttendance, SessionBooking, Slot

    rng = random.Random(SEED)
    started = time.perf_counter()
    now = timezone.now().replace(microsecond=0)
    year = current_school_year()
    year_start = datetime.datetime(year, 9, 1, 8, tzinfo=datetime.UTC)
    password = make_password("Passerelle-bench-2026")
    user_ids = count(1)
    users, pupil_profiles = [], []

    def person(prefix: str, number: int, *, pupil: bool = False) -> User:
        user = User(
            id=next(user_ids),
            username=f"{prefix}{number}" if pupil else f"{prefix}{number}@bench.passerelle.example",
            email="" if pupil else f"{prefix}{number}@bench.passerelle.example",
            first_name=rng.choice(["Inès", "Yanis", "Aya", "Moussa", "Léa", "Rayan", "Sofia", "Adam", "Nour", "Hugo"]),
            last_name=rng.choice(["Benali", "Traoré", "Martin", "Nguyen", "Diallo", "Petit", "Haddad", "Robert"]),
            password=password,
            last_login=now - datetime.timedelta(days=rng.randint(0, 40)),
        )
        users.append(user)
        return user

    # People of the adult side.
    staff = person("plateforme", 0)
    staff.is_staff = True
    associations = [
        Association(id=number + 1, name=f"Association du banc d'essai {number + 1}") for number in range(ASSOCIATIONS)
    ]
    association_staff = [person("association", number) for number in range(ASSOCIATIONS)]
    association_members = [
        AssociationMembership(
            user_id=member.id,
            association_id=association.id,
            role=AssociationRole.STAFF,
            status=MembershipStatus.CONFIRMED,
            confirmed_at=now,
        )
        for member, association in zip(association_staff, associations, strict=True)
    ]
    tutors = [person("tuteur", number) for number in range(TUTORS)]
    tutor_profiles = [TutorProfile(user_id=tutor.id) for tutor in tutors]
    association_members += [
        AssociationMembership(
            user_id=tutor.id,
            association_id=associations[number % ASSOCIATIONS].id,
            role=AssociationRole.TUTOR,
            status=MembershipStatus.CONFIRMED,
            confirmed_at=now,
        )
        for number, tutor in enumerate(tutors)
    ]
    organisations = list(HostOrganisation.objects.order_by("id").values_list("id", flat=True)[:PROFESSIONALS])
    professionals = [person("pro", number) for number in range(PROFESSIONALS)]
    organisation_members = [
        OrganisationMembership(
            user_id=professional.id,
            organisation_id=organisations[number % len(organisations)],
            role=OrganisationRole.PROFESSIONAL,
            status=MembershipStatus.CONFIRMED,
            confirmed_at=now,
        )
        for number, professional in enumerate(professionals)
    ]

    # Schools over real communes, their classes, teachers and pupils.
    communes = list(Commune.objects.filter(latitude__isnull=False).order_by("-population")[:3000])
    schools, classes, teachers, staff_rows, class_teachers = [], [], [], [], []
    class_ids = count(1)
    for number in range(SCHOOLS):
        commune = rng.choice(communes)
        priority = rng.choices([Priority.REP_PLUS, Priority.REP, Priority.NONE], [15, 25, 60])[0]
        kind = SchoolKind.LYCEE_PRO if number % 5 == 0 else SchoolKind.COLLEGE
        school = School(
            id=number + 1,
            uai=f"{9000000 + number:07d}{'ABCDEFGHJKLMNPRSTUVWXYZ'[number % 23]}",
            name=f"{'Lycée professionnel' if kind == SchoolKind.LYCEE_PRO else 'Collège'} du banc d'essai {number}",
            kind=kind,
            commune_id=commune.id,
            academie=rng.choice(list(Academie)),
            priority=priority,
            qpv=rng.random() < (0.6 if priority != Priority.NONE else 0.15),
        )
        schools.append(school)
        head = person("direction", number)
        staff_rows.append(
            SchoolStaff(user_id=head.id, school_id=school.id, role=StaffRole.HEAD, status=MembershipStatus.CONFIRMED)
        )
        for letter in "ABCDE"[:CLASSES_PER_SCHOOL]:
            teacher = person("enseignant", len(teachers))
            teachers.append(teacher)
            staff_rows.append(
                SchoolStaff(
                    user_id=teacher.id, school_id=school.id, role=StaffRole.TEACHER, status=MembershipStatus.CONFIRMED
                )
            )
            school_class = SchoolClass(
                id=next(class_ids),
                school_id=school.id,
                name=f"3e {letter}",
                level=Level.SECONDE_PRO if kind == SchoolKind.LYCEE_PRO else Level.TROISIEME,
                school_year=year,
                join_code=f"B{len(classes):07d}",
            )
            classes.append(school_class)
            class_teachers.append(SchoolClass.teachers.through(schoolclass_id=school_class.id, user_id=teacher.id))
    pupils, enrolments, class_of = [], [], {}
    for school_class in classes:
        for _seat in range(PUPILS_PER_CLASS):
            pupil = person("eleve", len(pupils), pupil=True)
            pupils.append(pupil)
            pupil_profiles.append(
                PupilProfile(
                    user_id=pupil.id,
                    birth_date=datetime.date(year - 14, rng.randint(1, 12), rng.randint(1, 28)),
                    consent_status=ConsentStatus.RECEIVED,
                )
            )
            enrolments.append(Enrolment(pupil_id=pupil.id, school_class_id=school_class.id, joined_at=year_start))
            class_of[pupil.id] = school_class
    copy_rows(User, users)
    copy_rows(PupilProfile, pupil_profiles)
    copy_rows(TutorProfile, tutor_profiles)
    copy_rows(Association, associations)
    copy_rows(AssociationMembership, association_members)
    copy_rows(OrganisationMembership, organisation_members)
    copy_rows(School, schools)
    copy_rows(SchoolStaff, staff_rows)
    copy_rows(SchoolClass, classes)
    copy_rows(SchoolClass.teachers.through, class_teachers)
    copy_rows(Enrolment, enrolments)
    progress(f"{len(users)} people, {len(classes)} classes")

    # Applications in every state; a confirmed one holds a week of its offer.
    offer_ids = list(Offer.objects.values_list("id", flat=True))
    weeks_of: dict[int, list[int]] = {}
    for week_id, offer_id in OfferWeek.objects.values_list("id", "offer_id"):
        weeks_of.setdefault(offer_id, []).append(week_id)
    applications, application_weeks, seen = [], [], set()
    minutes_so_far = int((now - year_start).total_seconds() // 60)
    statuses = [
        (ApplicationStatus.SUBMITTED, 25),
        (ApplicationStatus.READ, 15),
        (ApplicationStatus.ACCEPTED, 5),
        (ApplicationStatus.DECLINED, 20),
        (ApplicationStatus.CONFIRMED, 20),
        (ApplicationStatus.WITHDRAWN, 5),
        (ApplicationStatus.EXPIRED, 10),
    ]
    while len(applications) < APPLICATIONS:
        pupil = rng.choice(pupils)
        offer_id = rng.choice(offer_ids)
        if (pupil.id, offer_id) in seen:
            continue
        seen.add((pupil.id, offer_id))
        status = rng.choices([s for s, _w in statuses], [w for _s, w in statuses])[0]
        created = year_start + datetime.timedelta(minutes=rng.randint(0, minutes_so_far))
        week_id = rng.choice(weeks_of[offer_id])
        answered = status in (ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED, ApplicationStatus.CONFIRMED)
        application = Application(
            id=len(applications) + 1,
            offer_id=offer_id,
            pupil_id=pupil.id,
            motivation="Je voudrais découvrir ce métier pendant mon stage de troisième.",
            status=status,
            week_id=week_id if status in (ApplicationStatus.ACCEPTED, ApplicationStatus.CONFIRMED) else None,
            created_at=created,
            read_at=created + datetime.timedelta(days=1) if status != ApplicationStatus.SUBMITTED else None,
            answered_at=created + datetime.timedelta(days=2) if answered else None,
            confirmed_at=created + datetime.timedelta(days=3) if status == ApplicationStatus.CONFIRMED else None,
        )
        applications.append(application)
        application_weeks.append(Application.weeks.through(application_id=application.id, offerweek_id=week_id))
    copy_rows(Application, applications)
    copy_rows(Application.weeks.through, application_weeks)
    with connection.cursor() as cursor:  # auto_now fields were stamped "now" by COPY: align them
        cursor.execute("UPDATE offers_application SET updated_at = coalesce(confirmed_at, answered_at, created_at)")
    progress(f"{len(applications)} applications")

    # Discovery sessions of the associations (the first one holds the most), class bookings and the roll.
    sessions, session_professionals, session_bookings, attendances = [], [], [], []
    weights = [8] + [1] * (ASSOCIATIONS - 1)
    for number in range(SESSIONS):
        starts = year_start + datetime.timedelta(days=rng.randint(0, 120), hours=rng.randint(0, 8))
        session = DiscoverySession(
            id=number + 1,
            association_id=rng.choices(associations, weights)[0].id,
            host_organisation_id=rng.choice(organisations),
            title=f"Découvrir un métier · séance {number}",
            sector=rng.choice("ABCDEFGHIJKLMN"),
            starts_at=starts,
            duration_minutes=60,
            ends_at=starts + datetime.timedelta(hours=1),
            mode=SessionMode.CLASS,
            capacity=4,
            video_provider=VideoProvider.WEBCONF,
            video_url="https://webconf.numerique.gouv.fr/banc-essai",
            status=SessionStatus.CANCELLED if rng.random() < 0.05 else SessionStatus.PUBLISHED,
        )
        sessions.append(session)
        for professional in rng.sample(professionals, rng.randint(1, 2)):
            session_professionals.append(
                DiscoverySession.professionals.through(discoverysession_id=session.id, user_id=professional.id)
            )
    booked = set()
    while len(session_bookings) < CLASS_BOOKINGS:
        session = rng.choice(sessions)
        school_class = rng.choice(classes)
        if (session.id, school_class.id) in booked:
            continue
        booked.add((session.id, school_class.id))
        booking = SessionBooking(
            id=len(session_bookings) + 1,
            session_id=session.id,
            school_class_id=school_class.id,
            places=1,
            status=SessionBookingStatus.CONFIRMED,
            decided_at=session.starts_at - datetime.timedelta(days=7),
        )
        session_bookings.append(booking)
        if session.status == SessionStatus.PUBLISHED and session.ends_at < now and rng.random() < 0.8:
            first_pupil = (school_class.id - 1) * PUPILS_PER_CLASS
            for pupil in pupils[first_pupil : first_pupil + PUPILS_PER_CLASS]:
                attendances.append(
                    SessionAttendance(
                        session_id=session.id,
                        booking_id=booking.id,
                        pupil_id=pupil.id,
                        present=rng.random() < 0.88,
                        source=AttendanceSource.ROLL_CALL,
                        recorded_at=session.ends_at,
                    )
                )
    copy_rows(DiscoverySession, sessions)
    copy_rows(DiscoverySession.professionals.through, session_professionals)
    copy_rows(SessionBooking, session_bookings)
    copy_rows(SessionAttendance, attendances)
    progress(f"{len(sessions)} sessions, {len(session_bookings)} class bookings, {len(attendances)} attendances")

    # Tutoring: one slot per appointment, a quarter of an hour apart, so no tutor and no pupil overlaps.
    slots, bookings = [], []
    for number in range(TUTORING_BOOKINGS):
        starts = year_start + datetime.timedelta(minutes=15 * number)
        pupil = pupils[(number * 7919) % len(pupils)]
        status = (
            BookingStatus.BOOKED
            if starts > now
            else rng.choices([BookingStatus.ATTENDED, BookingStatus.NO_SHOW, BookingStatus.CANCELLED], [75, 12, 13])[0]
        )
        slots.append(
            Slot(
                id=number + 1,
                tutor_id=tutors[number % TUTORS].id,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(minutes=30),
                format=SlotFormat.ONE_TO_ONE,
                seats=1,
                seats_taken=0 if status == BookingStatus.CANCELLED else 1,
            )
        )
        bookings.append(
            Booking(
                id=number + 1,
                slot_id=number + 1,
                pupil_id=pupil.id,
                topic="orientation",
                starts_at=starts,
                ends_at=starts + datetime.timedelta(minutes=30),
                status=status,
            )
        )
    copy_rows(Slot, slots)
    copy_rows(Booking, bookings)
    progress(f"{len(bookings)} tutoring appointments")

    # Videos and their views.
    videos = [
        Video(
            id=number + 1,
            association_id=associations[number % ASSOCIATIONS].id,
            title=f"Une journée de travail · {number}",
            sector=rng.choice("ABCDEFGHIJKLMN"),
            duration=180.0,
            state=VideoState.PUBLISHED,
            processing_status=ProcessingStatus.SUCCEEDED,
            published_at=year_start,
        )
        for number in range(VIDEOS)
    ]
    copy_rows(Video, videos)
    views, viewed = [], set()
    while len(views) < VIDEO_VIEWS:
        pupil = rng.choice(pupils)
        video = rng.choice(videos)
        if (pupil.id, video.id) in viewed:
            continue
        viewed.add((pupil.id, video.id))
        played = rng.uniform(5, 180)
        views.append(
            WatchProgress(
                video_id=video.id,
                user_id=pupil.id,
                played_seconds=played,
                position=played,
                watched_at=now - datetime.timedelta(days=rng.randint(0, 60)) if played >= 144 else None,
            )
        )
    copy_rows(WatchProgress, views)
    progress(f"{len(views)} video views")

    # Questionnaire answers about the sessions, with the facts they copy.
    answers = []
    attended = [row for row in attendances if row.present]
    session_by_id = {session.id: session for session in sessions}
    school_by_id = {school.id: school for school in schools}
    commune_by_id = {commune.id: commune for commune in communes}
    for row in rng.sample(attended, min(ANSWERS, len(attended))):
        school_class = class_of[row.pupil_id]
        school = school_by_id[school_class.school_id]
        session = session_by_id[row.session_id]
        answers.append(
            FeedbackAnswer(
                kind=FeedbackKind.SESSION,
                respondent_id=row.pupil_id,
                respondent_role=RespondentRole.PUPIL,
                session_id=session.id,
                association_id=session.association_id,
                school_id=school.id,
                school_class_id=school_class.id,
                school_priority=school.priority,
                school_qpv=school.qpv,
                departement=commune_by_id[school.commune_id].departement_code,
                sector=session.sector,
                satisfaction=rng.choices([1, 2, 3, 4, 5], [3, 7, 20, 40, 30])[0],
                helped_choose=rng.choice(list(HelpedChoose)),
                created_at=session.ends_at + datetime.timedelta(days=1),
            )
        )
    copy_rows(FeedbackAnswer, answers)
    reset_sequences(
        [User, School, SchoolClass, Association, Application, DiscoverySession, SessionBooking, Slot, Booking, Video]
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would soon after (visibility map, statistics)
    return {
        "staff_id": staff.id,
        "association_id": associations[0].id,
        "classes": [(school_class.id, teachers[index].id) for index, school_class in enumerate(classes)],
        "departement": commune_by_id[schools[0].commune_id].departement_code,
        "generate_seconds": round(time.perf_counter() - started, 1),
    }


def figures_of(name: str, durations: list[float], queries: int) -> dict:
    p50, p95 = p50_p95(durations)
    return {f"{name}_p50_ms": round(p50, 1), f"{name}_p95_ms": round(p95, 1), f"{name}_queries": queries}


def measure(database_url: str) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    from backend.accounts.models import User
    from backend.follow_up import territory
    from backend.follow_up.figures import refresh_usual
    from backend.geo.models import Commune
    from backend.geo.services import import_communes

    if not Commune.objects.exists():
        progress("importing the communes")
        import_communes(apply=True)
    progress("emptying the tables")
    empty_tables()
    progress("generating 100,000 offers")
    offers = generate()
    progress("generating a school year of activity")
    data = generate_activity()
    results = {
        "pupils": SCHOOLS * CLASSES_PER_SCHOOL * PUPILS_PER_CLASS,
        "applications": APPLICATIONS,
        "bookings": TUTORING_BOOKINGS + CLASS_BOOKINGS,
        "video_views": VIDEO_VIEWS,
        "generate_seconds": round(offers["generate_seconds"] + data["generate_seconds"], 1),
    }
    rng = random.Random(SEED)

    progress("measuring the class page")
    durations, queries = [], []
    for class_id, teacher_id in rng.sample(data["classes"], MEASURED_CLASSES):
        client = Client(SERVER_NAME="localhost")  # a host of ALLOWED_HOSTS (no test environment here)
        client.force_login(User.objects.get(pk=teacher_id))
        url = reverse("follow_up:class_follow_up", args=[class_id])
        client.get(url)  # warm up
        times, count_ = timed_gets(client, url, ROUNDS)
        durations += times
        queries.append(count_)
    results.update(figures_of("class_page", durations, max(queries)))

    # The dashboards keep their figures FOLLOW_UP_FIGURES_SECONDS (backend/follow_up/figures.py): measured as computed
    # at each request (keeping off), then as served once the periodic job has recomputed them.
    staff = User.objects.get(pk=data["staff_id"])
    pages = {
        "association_dashboard": (
            User.objects.get(username="association0@bench.passerelle.example"),
            reverse("follow_up:association_dashboard", args=[data["association_id"]]),
        ),
        "national_view": (staff, reverse("follow_up:territory")),
        "departement_view": (staff, f"{reverse('follow_up:territory')}?departement={data['departement']}"),
    }
    clients = {}
    for name, (user, _url) in pages.items():
        clients[name] = Client(SERVER_NAME="localhost")
        clients[name].force_login(user)
    progress("measuring the dashboards, their figures computed at each request")
    with override_settings(FOLLOW_UP_FIGURES_SECONDS=0):
        for name, (_user, url) in pages.items():
            clients[name].get(url)  # warm up
            durations, queries = timed_gets(clients[name], url, ROUNDS)
            results.update(figures_of(f"{name}_computed", durations, queries))
    progress("measuring the dashboards as served, their figures kept and recomputed by the periodic job")
    started = time.perf_counter()
    refresh_usual()
    results["refresh_seconds"] = round(time.perf_counter() - started, 1)
    for name, (_user, url) in pages.items():
        clients[name].get(url)  # warm up
        results.update(figures_of(name, *timed_gets(clients[name], url, ROUNDS)))

    progress("measuring the national view's yearly aggregate, then a mix of views derived from it")
    year = territory.current_school_year()
    builds = []
    for _build in range(AGGREGATE_BUILDS):
        started = time.perf_counter()
        territory.year_aggregates(year)
        builds.append((time.perf_counter() - started) * 1000)
    results["territory_year_aggregate_ms"] = round(statistics.median(builds), 1)
    durations, queries = [], []
    for query in mixed_views(rng, territory.departements_kept()):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = clients["national_view"].get(reverse("follow_up:territory"), query)
            durations.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (query, response.status_code)
        queries.append(len(captured))
    results.update(figures_of("territory_views_mixed", durations, max(queries)))
    return results


def mixed_views(rng: random.Random, departements: dict) -> list[dict]:
    """What platform staff ask the national view for in a day: France or a département drawn at random, a sector
    filter one time in three, a track filter one time in four (most of these combinations never asked before)."""
    from backend.offers.enums import Track
    from backend.organisations.enums import Sector

    codes = sorted(departements)
    views = []
    for _view in range(MIXED_VIEWS):
        query = {}
        if rng.random() < 0.7:
            query["departement"] = rng.choice(codes)
        if rng.random() < 1 / 3:
            query["secteur"] = rng.choice(Sector.values)
        if rng.random() < 1 / 4:
            query["parcours"] = rng.choice(Track.values)
        views.append(query)
    return views


# --- Entry points ------------------------------------------------------------------------------------------------


def run() -> dict:
    """Called by `python -m bench`."""
    return postgres.run(
        "bench.follow_up", measure, url_variable="FOLLOW_UP_BENCH_DATABASE_URL", default_url=DEFAULT_DATABASE_URL
    )


def main(argv: list[str]) -> int:
    return postgres.main(argv, measure, name="follow_up", default_url=DEFAULT_DATABASE_URL)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
