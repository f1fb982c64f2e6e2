"""An association's dashboard: every figure checked against a small world built here, the school-year boundaries,
another association's data never counted, and a query count that does not grow with the number of sessions."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.follow_up import association_dashboard as board
from backend.follow_up.models import FeedbackAnswer
from backend.organisations.enums import AssociationRole
from backend.schools.enums import Priority
from scheduling import selectors as tutoring_selectors
from scheduling.enums import AttendanceSource, BookingStatus, SessionMode, SessionStatus
from scheduling.models import SessionAttendance
from tests import factories
from tests.scheduling.factories import (
    AvailabilitySettingsFactory,
    DiscoverySessionFactory,
    SeatedBookingFactory,
    SessionBookingFactory,
    SlotFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2027, 3, 15, 10, 0, tzinfo=UTC)  # school year 2026-2027
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


def marseille():
    return factories.CommuneFactory(
        insee_code="13055",
        name="Marseille",
        search_name="marseille",
        departement_code="13",
        departement_name="Bouches-du-Rhône",
        region_code="93",
        region_name="Provence-Alpes-Côte d'Azur",
    )


def school_class(priority, qpv, commune=None, pupils=2):
    school = factories.SchoolFactory(priority=priority, qpv=qpv, **({"commune": commune} if commune else {}))
    klass = factories.SchoolClassFactory(school=school)
    return klass, [factories.EnrolmentFactory(school_class=klass).pupil for _ in range(pupils)]


def session(association, *, ends_at, sector="J14", professionals=(), status=SessionStatus.PUBLISHED, **kwargs):
    return DiscoverySessionFactory(
        association=association,
        starts_at=ends_at - HOUR,
        ends_at=ends_at,
        sector=sector,
        status=status,
        professionals=list(professionals) or [factories.OrganisationMembershipFactory(professional=True).user],
        **kwargs,
    )


def book(session_, **party):
    return SessionBookingFactory(session=session_, status=party.pop("status", "confirmed"), **party)


def attend(booking, pupil, present):
    return SessionAttendance.objects.create(
        session=booking.session, booking=booking, pupil=pupil, present=present, source=AttendanceSource.ROLL_CALL
    )


def tutoring(tutor, pupil, *, ends_at, status):
    slot = SlotFactory(tutor=tutor, starts_at=ends_at - datetime.timedelta(minutes=45), ends_at=ends_at)
    booking = SeatedBookingFactory(slot=slot, pupil=pupil)
    type(booking).objects.filter(pk=booking.pk).update(status=status)
    return booking


def tutor_of(*associations):
    tutor = factories.TutorProfileFactory().user
    for association in associations:
        factories.AssociationMembershipFactory(user=tutor, association=association, role=AssociationRole.TUTOR)
    return tutor


def answer(association, *, kind="session", role="pupil", satisfaction=4, at=NOW - DAY, helped="yes"):
    return FeedbackAnswer.objects.create(
        kind=kind,
        respondent_role=role,
        association=association,
        satisfaction=satisfaction,
        helped_choose=helped if role == "pupil" else "",
        created_at=at,
    )


@pytest.fixture
def world():
    """Association A (ours) and B. Four schools: REP+ QPV and REP in Seine-Saint-Denis (93), QPV outside priority
    education and an ordinary one in Bouches-du-Rhône (13). Three sessions of A held this year, one upcoming, one
    cancelled, one draft; one of B; tutoring by A's tutors and by others."""
    a = factories.AssociationFactory(name="Association A")
    b = factories.AssociationFactory(name="Association B")
    c1, (p1, p2, p3) = school_class(Priority.REP_PLUS, True, pupils=3)
    c2, (_p4, p5) = school_class(Priority.REP, False)
    c3, (p6, _p7) = school_class(Priority.NONE, True, commune=marseille())
    c4, (p8, p9) = school_class(Priority.NONE, False, commune=marseille())
    # p10 has left her class: reached alone, her school is unknown.
    p10 = factories.EnrolmentFactory(school_class=c1, left_at=NOW - 30 * DAY).pupil
    pro1, pro2, pro3 = (factories.OrganisationMembershipFactory(professional=True).user for _ in range(3))

    # H1: the roll was taken for 3e of c1: p1 present, p2 absent, p3 not recorded → p1 reached.
    h1 = session(a, ends_at=NOW - 10 * DAY, sector="J14", professionals=[pro1, pro2])
    c1_booking = book(h1, school_class=c1)
    attend(c1_booking, p1, True)
    attend(c1_booking, p2, False)
    # H2: c2 confirmed, no roll → p4, p5 reached (not recorded); c3 only pending → nothing.
    h2 = session(a, ends_at=NOW - 20 * DAY, sector="H12", professionals=[pro1])
    book(h2, school_class=c2)
    book(h2, school_class=c3, status="pending")
    # H3 (individual bookings too): c3 without roll → p6, p7; p8 booked alone and present; p10 alone, no roll.
    h3 = session(a, ends_at=NOW - 40 * DAY, sector="J10", professionals=[pro3], mode=SessionMode.INDIVIDUAL)
    book(h3, school_class=c3)
    p8_booking = book(h3, school_class=None, pupil=p8)
    attend(p8_booking, p8, True)
    book(h3, school_class=None, pupil=p10)
    # Not held: upcoming, cancelled, draft (all with c4 booked).
    for ends_at, status in [
        (NOW + 3 * DAY, SessionStatus.PUBLISHED),
        (NOW - 5 * DAY, SessionStatus.CANCELLED),
        (NOW - 5 * DAY, SessionStatus.DRAFT),
    ]:
        book(session(a, ends_at=ends_at, status=status), school_class=c4)
    # Last school year, and another association: never counted for A in 2026-2027.
    book(session(a, ends_at=datetime.datetime(2026, 6, 1, 10, tzinfo=UTC)), school_class=c4)
    book(session(b, ends_at=NOW - 2 * DAY, professionals=[pro3]), school_class=c4)

    # Tutoring: t1 (A's) — p9 attended, p2 no-show, p5 still booked; t2 is A's tutor but chose B in his settings;
    # t3 is B's only.
    t1 = tutor_of(a)
    tutoring(t1, p9, ends_at=NOW - 3 * DAY, status=BookingStatus.ATTENDED)
    tutoring(t1, p2, ends_at=NOW - 4 * DAY, status=BookingStatus.NO_SHOW)
    tutoring(t1, p5, ends_at=NOW - 5 * DAY, status=BookingStatus.BOOKED)
    t2 = tutor_of(a)
    AvailabilitySettingsFactory(user=t2, association=b)
    tutoring(t2, p6, ends_at=NOW - 3 * DAY, status=BookingStatus.ATTENDED)
    t3 = tutor_of(b)
    tutoring(t3, p3, ends_at=NOW - 3 * DAY, status=BookingStatus.ATTENDED)

    # Answers: A's this year (pupils 5 and 4 on sessions, an adult 3, a pupil 2 on tutoring), A's last year, B's.
    answer(a, satisfaction=5)
    answer(a, satisfaction=4, helped="a_little")
    answer(a, role="host", satisfaction=3)
    answer(a, kind="tutoring", satisfaction=2, helped="no")
    answer(a, satisfaction=1, at=datetime.datetime(2026, 8, 31, 21, 59, tzinfo=UTC))  # 23:59 in Paris
    answer(b, satisfaction=1)
    return {"a": a, "b": b, "t1": t1, "t2": t2, "t3": t3}


def test_every_figure_of_the_year(world):
    dashboard = board.association_dashboard(world["a"], 2026, now=NOW)
    assert (dashboard.sessions_held, dashboard.sessions_upcoming, dashboard.sessions_cancelled) == (3, 1, 1)
    assert (dashboard.classes_reached, dashboard.schools_reached) == (3, 3)
    assert dashboard.professionals == 3
    assert dashboard.tutors == 1
    # p1; p4 p5; p6 p7 p8 p10 by sessions; p9 by tutoring.
    assert (dashboard.pupils_reached, dashboard.pupils_by_sessions, dashboard.pupils_by_tutoring) == (8, 7, 1)
    assert {row.key: row.pupils for row in dashboard.by_priority} == {
        "rep_plus": 1,
        "rep": 2,
        "qpv": 2,
        "none": 2,
        "unknown": 1,
    }
    assert dashboard.priority_pupils == 5
    assert dashboard.priority_share == Decimal("62.5")
    assert [(row.key, row.label, row.pupils) for row in dashboard.by_departement] == [
        ("13", "13 — Bouches-du-Rhône", 4),
        ("93", "93 — Seine-Saint-Denis", 3),
        ("", "Établissement inconnu (élève sans classe actuelle)", 1),
    ]
    assert [(row.key, row.sessions, row.pupils) for row in dashboard.by_sector] == [("H", 1, 2), ("J", 2, 5)]
    assert dashboard.by_sector[1].label == "Santé"
    # Present p1, p8; absent p2; not recorded p3 (H1), p4 p5 (H2), p6 p7 p10 (H3).
    assert (dashboard.present, dashboard.absent, dashboard.not_recorded) == (2, 1, 6)
    assert dashboard.absence_rate == Decimal("33.3")
    assert (dashboard.tutoring_attended, dashboard.tutoring_no_show) == (1, 1)
    assert dashboard.no_show_rate == Decimal("50.0")
    summaries = {key: summary for key, (_label, summary) in dashboard.satisfaction.items()}
    assert (summaries["session_pupil"].count, summaries["session_pupil"].mean) == (2, Decimal("4.5"))
    assert summaries["session_pupil"].helped_choose == {"yes": 1, "a_little": 1, "no": 0}
    assert (summaries["session_host"].count, summaries["session_host"].mean) == (1, Decimal("3.0"))
    assert (summaries["tutoring_pupil"].count, summaries["tutoring_pupil"].mean) == (1, Decimal("2.0"))
    assert summaries["tutoring_host"].count == 0
    assert dashboard.target is None
    assert [progress.target for progress in dashboard.progress] == [None, None, None, None]


def test_another_association_sees_only_its_own(world):
    dashboard = board.association_dashboard(world["b"], 2026, now=NOW)
    # Its session with c4 (p8, p9) and the attended appointments of t2 (chose B: p6) and t3 (p3).
    assert (dashboard.sessions_held, dashboard.sessions_upcoming, dashboard.sessions_cancelled) == (1, 0, 0)
    assert dashboard.pupils_reached == 4
    assert (dashboard.pupils_by_sessions, dashboard.pupils_by_tutoring) == (2, 2)
    assert dashboard.tutors == 2
    assert dashboard.professionals == 1
    summaries = {key: summary for key, (_label, summary) in dashboard.satisfaction.items()}
    assert summaries["session_pupil"].count == 1


def test_the_tutors_follow_the_rule_of_the_feedback_answers(world):
    """`association_tutors` (SQL) agrees with scheduling's `tutor_associations` plus the "first one" of the
    answers' facts, for every tutor of the world."""
    extra = tutor_of(world["b"], world["a"])  # of both: the first (A, lower id) wins
    for association in (world["a"], world["b"]):
        in_sql = set(board.association_tutors(association).values_list("pk", flat=True))
        for tutor in (world["t1"], world["t2"], world["t3"], extra):
            associations = tutoring_selectors.tutor_associations(tutor)
            expected = bool(associations) and min(associations) == association.pk
            assert (tutor.pk in in_sql) == expected, (tutor, association)


def test_the_targets_against_the_achievements(world):
    board.association_target_set(
        association=world["a"],
        school_year=2026,
        sessions=6,
        pupils=10,
        priority_pupils_share=70,
        professionals=0,
        by=factories.UserFactory(),
    )
    dashboard = board.association_dashboard(world["a"], 2026, now=NOW)
    assert [(p.achieved, p.target, p.percent, p.bar_value) for p in dashboard.progress] == [
        (3, 6, Decimal("50.0"), 3),
        (8, 10, Decimal("80.0"), 8),
        (Decimal("62.5"), 70, Decimal("89.3"), Decimal("62.5")),
        (3, 0, Decimal(100), 1),
    ]


def test_the_school_year_turns_on_1_september_in_paris():
    a = factories.AssociationFactory()
    klass, _pupils = school_class(Priority.REP, False)
    # 31 August 23:30 in Paris is 21:30 UTC; 1 September 00:00 in Paris is 31 August 22:00 UTC.
    late_august = session(a, ends_at=datetime.datetime(2026, 8, 31, 22, 30, tzinfo=UTC))
    first_september = session(a, ends_at=datetime.datetime(2026, 8, 31, 23, 0, tzinfo=UTC))
    assert late_august.starts_at == datetime.datetime(2026, 8, 31, 21, 30, tzinfo=UTC)
    book(first_september, school_class=klass)
    assert board.school_year_of(late_august.starts_at) == 2025
    assert board.school_year_of(first_september.starts_at) == 2026
    assert board.association_dashboard(a, 2025, now=NOW).sessions_held == 1
    this_year = board.association_dashboard(a, 2026, now=NOW)
    assert (this_year.sessions_held, this_year.pupils_reached) == (1, 2)
    assert board.school_year_bounds(2026) == (
        datetime.datetime(2026, 8, 31, 22, 0, tzinfo=UTC),
        datetime.datetime(2027, 8, 31, 22, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, (2026, False)),
        ("", (2026, False)),
        ("2025", (2025, False)),
        ("2025-2026", (2025, False)),
        ("2027", (2027, False)),
        ("2028", (2026, True)),  # too far ahead
        ("1999", (2026, True)),
        ("abc", (2026, True)),
        ("2025-2027", (2026, True)),
        ("20255", (2026, True)),
        ("-1", (2026, True)),
    ],
)
def test_the_school_year_asked_for(value, expected):
    assert board.parse_school_year(value, now=NOW) == expected


def many_sessions(association, count):
    pro = factories.OrganisationMembershipFactory(professional=True).user
    tutor = tutor_of(association)
    for index in range(count):
        klass, pupils = school_class(Priority.REP if index % 2 else Priority.NONE, bool(index % 3))
        held = session(association, ends_at=NOW - (index + 1) * DAY, sector="ABCDE"[index % 5], professionals=[pro])
        booking = book(held, school_class=klass)
        if index % 2:
            attend(booking, pupils[0], True)
        tutoring(tutor, pupils[1], ends_at=NOW - (index + 1) * DAY, status=BookingStatus.ATTENDED)
        answer(association, satisfaction=1 + index % 5)


def test_the_query_count_does_not_grow_with_the_sessions():
    small, large = factories.AssociationFactory(), factories.AssociationFactory()
    many_sessions(small, 2)
    many_sessions(large, 10)
    with CaptureQueriesContext(connection) as two:
        dashboard = board.association_dashboard(small, 2026, now=NOW)
    assert dashboard.sessions_held == 2
    with CaptureQueriesContext(connection) as ten:
        dashboard = board.association_dashboard(large, 2026, now=NOW)
    assert dashboard.sessions_held == 10
    assert dashboard.pupils_reached == 20  # 10 classes of 2: both pupils, by the session or by tutoring
    assert len(two) == len(ten) == 13
