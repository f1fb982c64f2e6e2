"""The periodic jobs kept in backend/periodic.py reach django-celery-beat's tables, and name real tasks."""

from io import StringIO

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from backend import periodic
from backend.celery import app


def sync(*args) -> str:
    out = StringIO()
    call_command("sync_periodic_tasks", *args, stdout=out)
    return out.getvalue()


def test_every_job_names_a_registered_task():
    app.loader.import_default_modules()
    for job in periodic.JOBS:
        assert job.task in app.tasks, job.task


@pytest.mark.django_db
def test_dry_run_by_default_then_wet_run_then_nothing_to_do():
    output = sync()
    assert "Simulation" in output
    assert not PeriodicTask.objects.filter(name__startswith=periodic.PREFIX).exists()

    sync("--wet-run")
    tasks = PeriodicTask.objects.filter(name__startswith=periodic.PREFIX)
    assert {task.task for task in tasks} == {job.task for job in periodic.JOBS}
    assert all(str(task.crontab.timezone) == "Europe/Paris" for task in tasks)

    assert "Aucun changement." in sync("--wet-run")


@pytest.mark.django_db
def test_a_job_removed_from_the_list_is_retired_and_a_changed_one_updated(monkeypatch):
    sync("--wet-run")
    kept, *removed = periodic.JOBS
    by_hand = PeriodicTask.objects.create(
        name="added in the admin", task="celery.backend_cleanup", crontab=PeriodicTask.objects.first().crontab
    )
    changed = periodic.PeriodicJob(name=kept.name, task=kept.task, minute="45", hour=kept.hour)
    monkeypatch.setattr(periodic, "JOBS", [changed])
    monkeypatch.setattr("backend.ui.management.commands.sync_periodic_tasks.JOBS", [changed])

    output = sync("--wet-run")

    for job in removed:
        assert f"retirée : {job.full_name}" in output
        assert not PeriodicTask.objects.filter(name=job.full_name).exists()
    assert f"mise à jour : {kept.full_name}" in output
    assert PeriodicTask.objects.get(name=kept.full_name).crontab.minute == "45"
    # Tasks of other origins (added by hand in the admin) are left alone.
    assert PeriodicTask.objects.filter(name__startswith=periodic.PREFIX).count() == 1
    assert PeriodicTask.objects.filter(pk=by_hand.pk).exists()
