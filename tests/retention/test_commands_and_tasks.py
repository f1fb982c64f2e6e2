"""The thin adapters: the two management commands (dry run by default, a table per rule, refusals as errors) and the
Celery tasks beat runs every night, wet — on the real clock."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from backend import periodic
from backend.celery import app
from backend.follow_up.models import FeedbackAnswer
from backend.retention import services, tasks
from backend.retention.models import ArchivedPupil, Rollover
from backend.schools.models import SchoolClass
from tests import factories

pytestmark = pytest.mark.django_db


def run(command: str, *args) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def last_year():
    """A class of the school year that ended last (on the real clock) with one pupil."""
    return factories.EnrolmentFactory(school_class__school_year=services.last_ended_year(timezone.now()))


@pytest.fixture
def long_archived():
    """A pupil archived long ago: due for anonymisation."""
    pupil = factories.UserFactory(pupil=True, first_name="Nour")
    ArchivedPupil.objects.create(user=pupil, archived_at=timezone.now() - datetime.timedelta(days=800))
    return pupil


def test_rollover_command_dry_run_then_wet_run_then_refusal(last_year):
    year = last_year.school_class.school_year
    label = f"{year}-{year + 1}"

    output = run("rollover_school_year")
    assert f"Clôture de l'année scolaire {label}" in output
    assert "Règle" in output
    assert "classes archivées" in output
    assert "Simulation : rien n'a changé." in output
    assert not Rollover.objects.exists()

    output = run("rollover_school_year", "--year", str(year), "--wet-run")
    assert f"L'année {label} est clôturée." in output
    assert SchoolClass.objects.get().archived_at is not None

    with pytest.raises(CommandError, match=f"L'année {label} a déjà été clôturée le"):
        run("rollover_school_year", "--wet-run")
    assert Rollover.objects.count() == 1


def test_rollover_command_refuses_a_year_not_over_and_nonsense(last_year):
    not_over = last_year.school_class.school_year + 1
    with pytest.raises(CommandError, match=f"L'année {not_over}-{not_over + 1} n'est pas terminée"):
        run("rollover_school_year", "--year", str(not_over), "--wet-run")
    with pytest.raises(CommandError, match="Année scolaire invalide"):
        run("rollover_school_year", "--year", "26", "--wet-run")
    with pytest.raises(CommandError, match="--year"):
        run("rollover_school_year", "--year", "deux-mille")
    assert not Rollover.objects.exists()
    assert SchoolClass.objects.get().archived_at is None


def test_retention_command_prints_every_rule_with_its_period(long_archived, settings):
    output = run("apply_retention")
    for label, period in [
        ("élèves anonymisés", f"{settings.RETENTION_PUPIL_MONTHS} mois"),
        ("avis détachés de leur auteur", f"{settings.FEEDBACK_RETENTION_MONTHS} mois"),
        ("invitations à donner son avis supprimées", f"{settings.FEEDBACK_WINDOW_DAYS} jours"),
        ("salons en direct vidés", f"{settings.REALTIME_RETENTION_DAYS} jours"),
        ("journaux de connexion supprimés", f"{settings.RETENTION_SIGN_IN_LOG_MONTHS} mois"),
        ("relances des classes archivées supprimées", "clôture de l'année"),
        ("sessions de connexion expirées supprimées", "à expiration"),
    ]:
        row = next(row for row in output.splitlines() if row.startswith(label))
        assert period in row
    assert "Simulation" in output
    long_archived.refresh_from_db()
    assert long_archived.first_name == "Nour"

    assert "Appliqué." in run("apply_retention", "--wet-run")
    long_archived.refresh_from_db()
    assert long_archived.first_name == "Élève"
    assert "Rien à faire." in run("apply_retention", "--wet-run")


def test_the_nightly_retention_task_runs_wet_and_again_finds_nothing(long_archived):
    answer_author = factories.UserFactory()
    FeedbackAnswer.objects.create(
        kind="session",
        respondent=answer_author,
        respondent_role="host",
        satisfaction=4,
        comment="Très bien.",
        created_at=timezone.now() - datetime.timedelta(days=800),
    )

    counts = tasks.retention_apply_task.delay().get()

    assert counts["pupils_anonymised"] == 1
    assert counts["feedback_answers_detached"] == 1
    assert ArchivedPupil.objects.get().anonymised_at is not None
    assert FeedbackAnswer.objects.get().respondent is None
    assert sum(tasks.retention_apply_task.delay().get().values()) == 0


def test_the_nightly_rollover_task_closes_the_year_once(last_year):
    assert tasks.rollover_school_year_task.delay().get() == {
        "classes_archived": 1,
        "enrolments_ended": 1,
        "pupils_archived": 1,
    }
    assert ArchivedPupil.objects.get().user == last_year.pupil

    # Every later night: the expected refusal, nothing changed.
    assert "a déjà été clôturée" in tasks.rollover_school_year_task.delay().get()
    assert Rollover.objects.count() == 1


def test_both_tasks_are_scheduled_every_night():
    app.loader.import_default_modules()
    jobs = {job.task: job for job in periodic.JOBS}
    for name in ("backend.retention.tasks.retention_apply_task", "backend.retention.tasks.rollover_school_year_task"):
        assert name in app.tasks
        assert jobs[name].day_of_week == "*"
        assert jobs[name].hour.isdigit()
    assert tasks.retention_apply_task.acks_late
