"""The roll-over of a school year: a dry run changes nothing, a wet run archives exactly that year's classes, ends
their enrolments and archives their pupils, once; refused before the year's end and the second time."""

import datetime
import threading

import pytest
from django.core import serializers
from django.db import connection, connections

from backend.accounts.models import User
from backend.retention import services
from backend.retention.models import ArchivedPupil, Rollover
from backend.schools import services as school_services
from backend.schools.models import Enrolment, SchoolClass
from tests import factories
from tests.retention.support import MINUTE, PARIS, ROLLOVER_AT, YEAR_CLOSES, Year, aggregates

pytestmark = pytest.mark.django_db

ROLLOVER_QUERIES = 16


@pytest.fixture
def year():
    return Year()


def snapshot() -> str:
    """Every row the roll-over could touch, as text."""
    rows = [*SchoolClass.objects.order_by("pk"), *Enrolment.objects.order_by("pk"), *User.objects.order_by("pk")]
    return serializers.serialize("json", [*rows, *ArchivedPupil.objects.all(), *Rollover.objects.all()])


def test_the_year_that_ended_last_changes_on_20_august_in_paris():
    assert services.last_ended_year(YEAR_CLOSES - MINUTE) == 2025
    assert services.last_ended_year(YEAR_CLOSES) == 2026
    # 20 August 00:00 in Paris is still the 19th in UTC.
    assert YEAR_CLOSES.astimezone(datetime.UTC).day == 19
    assert services.last_ended_year(datetime.datetime(2028, 3, 1, tzinfo=PARIS)) == 2026


def test_a_dry_run_counts_and_changes_nothing(year):
    before = snapshot()

    report = services.rollover_school_year(wet_run=False, now=ROLLOVER_AT)

    assert snapshot() == before
    assert [line.count for line in report.lines] == [2, 3, 3]  # 3e B and 3e A; Inès, Yanis, Sami
    assert "Simulation" in report.conclusion


def test_a_wet_run_closes_exactly_the_year(year):
    staff = factories.UserFactory(staff=True)
    before = aggregates()

    report = services.rollover_school_year(wet_run=True, now=ROLLOVER_AT, by=staff)

    assert [line.count for line in report.lines] == [2, 3, 3]
    assert set(SchoolClass.objects.filter(archived_at=ROLLOVER_AT).values_list("name", flat=True)) == {"3e A", "3e B"}
    assert Enrolment.objects.filter(left_at=ROLLOVER_AT).count() == 3
    assert not Enrolment.objects.filter(pupil__in=year.pupils, left_at__isnull=True).exists()
    assert set(ArchivedPupil.objects.values_list("user_id", flat=True)) == {pupil.pk for pupil in year.pupils}
    # Next year's class and its pupil are left alone.
    year.next_year_class.refresh_from_db()
    assert year.next_year_class.archived_at is None
    assert Enrolment.objects.get(pupil=year.lea).left_at is None
    assert not ArchivedPupil.objects.filter(user=year.lea).exists()
    # Archived pupils keep their account until the anonymisation.
    assert all(pupil.is_active for pupil in User.objects.filter(pk__in=[p.pk for p in year.pupils]))
    rollover = Rollover.objects.get()
    assert (rollover.school_year, rollover.ran_at, rollover.ran_by) == (2026, ROLLOVER_AT, staff)
    assert (rollover.classes_archived, rollover.enrolments_ended, rollover.pupils_archived) == (2, 3, 3)
    assert aggregates() == before


def test_a_second_run_is_refused_with_the_date_and_changes_nothing(year):
    services.rollover_school_year(wet_run=True, now=ROLLOVER_AT)
    factories.EnrolmentFactory(school_class__school_year=2026)  # a class made (wrongly) after the roll-over
    before = snapshot()

    for wet_run in (False, True):
        with pytest.raises(services.RetentionError) as refusal:
            services.rollover_school_year(year=2026, wet_run=wet_run, now=ROLLOVER_AT + datetime.timedelta(days=3))
        assert str(refusal.value) == "L'année 2026-2027 a déjà été clôturée le 20 août 2027 à 00:30. Rien n'a changé."

    assert snapshot() == before


def test_a_run_before_the_end_of_the_year_is_refused(year):
    before = snapshot()

    with pytest.raises(services.RetentionError) as refusal:
        services.rollover_school_year(year=2026, wet_run=True, now=YEAR_CLOSES - MINUTE)

    assert str(refusal.value) == (
        "L'année 2026-2027 n'est pas terminée : elle pourra être clôturée à partir du 20 août 2027. Rien n'a changé."
    )
    assert snapshot() == before
    # The same instant, a year later, without --year: the year that ended last is the one closed.
    assert services.rollover_school_year(wet_run=True, now=YEAR_CLOSES).title.endswith("2026-2027")


@pytest.mark.parametrize("nonsense", [0, 26, 1999, 3000])
def test_a_nonsense_year_is_refused(year, nonsense):
    with pytest.raises(services.RetentionError, match="Année scolaire invalide"):
        services.rollover_school_year(year=nonsense, wet_run=True, now=ROLLOVER_AT)
    assert not Rollover.objects.exists()


def test_an_earlier_year_already_over_can_be_closed_by_hand(year):
    old = factories.EnrolmentFactory(school_class__school_year=2025)

    services.rollover_school_year(year=2025, wet_run=True, now=ROLLOVER_AT)

    assert ArchivedPupil.objects.get().user == old.pupil
    assert SchoolClass.objects.filter(archived_at__isnull=True).count() == 3  # 2026's two and 2027's one


def test_a_pupil_joins_next_years_class_after_the_roll_over(year):
    services.rollover_school_year(wet_run=True, now=ROLLOVER_AT)
    archived_class = year.cast.school_class

    # The old class's code no longer opens anything.
    with pytest.raises(school_services.SchoolError):
        school_services.join_code_check(code=archived_class.join_code, client_id="test")
    # Next year's class opens with its code, as before.
    school_class = school_services.join_code_check(code=year.next_year_class.join_code, client_id="test")
    pupil = school_services.pupil_join_class(
        school_class=school_class,
        code=school_class.join_code,
        first_name="Inès",
        last_name="Benali",
        birth_date=datetime.date(2012, 3, 4),
        password="Un-mot-de-passe-solide-42",
        time_zone="Europe/Paris",
    )
    assert Enrolment.objects.get(pupil=pupil, left_at__isnull=True).school_class == year.next_year_class


def test_an_archived_pupil_put_back_in_a_class_is_no_longer_archived(year):
    services.rollover_school_year(wet_run=True, now=ROLLOVER_AT)
    Enrolment.objects.create(pupil=year.cast.pupil, school_class=year.next_year_class)

    report = services.retention_apply(wet_run=True, now=ROLLOVER_AT + datetime.timedelta(days=400))

    assert report.lines[0].count == 1  # her archive was lifted, so she is not anonymised
    assert not ArchivedPupil.objects.filter(user=year.cast.pupil).exists()
    year.cast.pupil.refresh_from_db()
    assert year.cast.pupil.first_name == "Inès"
    # At next year's roll-over she is archived again, with a new date.
    services.rollover_school_year(year=2027, wet_run=True, now=ROLLOVER_AT + datetime.timedelta(days=366))
    assert ArchivedPupil.objects.get(user=year.cast.pupil).rollover.school_year == 2027


@pytest.mark.parametrize("pupils", [2, 10])
def test_the_rollover_query_count_does_not_grow_with_the_pupils(pupils, django_assert_num_queries):
    for _ in range(pupils):
        factories.EnrolmentFactory(school_class__school_year=2026)

    with django_assert_num_queries(ROLLOVER_QUERIES):
        report = services.rollover_school_year(wet_run=True, now=ROLLOVER_AT)

    assert report.counts == {"classes_archived": pupils, "enrolments_ended": pupils, "pupils_archived": pupils}


# --- Two roll-overs at once ------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_rollovers_racing_close_the_year_once():
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL's concurrent transactions (set DATABASE_URL)")
    Year()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt():
        try:
            barrier.wait(timeout=30)
            services.rollover_school_year(year=2026, wet_run=True, now=ROLLOVER_AT)
            outcome = "closed"
        except services.RetentionError as refusal:
            outcome = str(refusal)
        except Exception as error:  # reported by the assertion
            outcome = f"error: {error!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == [
        "L'année 2026-2027 a déjà été clôturée le 20 août 2027 à 00:30. Rien n'a changé.",
        "closed",
    ]
    rollover = Rollover.objects.get()
    assert (rollover.classes_archived, rollover.enrolments_ended, rollover.pupils_archived) == (2, 3, 3)
    assert ArchivedPupil.objects.count() == 3
