"""Writes the periodic jobs listed in backend/periodic.py into django-celery-beat's tables. Dry run by default."""

import json

from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from backend.periodic import JOBS, PREFIX, TIME_ZONE


class Command(BaseCommand):
    help = "Crée, met à jour ou retire les tâches périodiques de Passerelle (simulation sans --wet-run)."

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="Écrire les changements (sinon : simulation).")

    def handle(self, *args, wet_run=False, **options):
        with transaction.atomic():
            changes = self.sync()
            if not wet_run:
                transaction.set_rollback(True)
        for line in changes or ["Aucun changement."]:
            self.stdout.write(line)
        if not wet_run and changes:
            self.stdout.write("Simulation : relancez avec --wet-run pour appliquer.")

    def sync(self) -> list[str]:
        changes = []
        wanted = {job.full_name for job in JOBS}
        for job in JOBS:
            schedule, _ = CrontabSchedule.objects.get_or_create(
                minute=job.minute,
                hour=job.hour,
                day_of_week=job.day_of_week,
                day_of_month="*",
                month_of_year="*",
                timezone=TIME_ZONE,
            )
            values = {"task": job.task, "crontab": schedule, "enabled": True, "kwargs": json.dumps({})}
            task = PeriodicTask.objects.filter(name=job.full_name).first()
            if task is None:
                PeriodicTask.objects.create(name=job.full_name, **values)
                changes.append(f"ajoutée : {job.full_name}")
            elif any(getattr(task, field) != value for field, value in values.items()):
                for field, value in values.items():
                    setattr(task, field, value)
                task.save()
                changes.append(f"mise à jour : {job.full_name}")
        for task in PeriodicTask.objects.filter(name__startswith=PREFIX).exclude(name__in=wanted):
            task.delete()
            changes.append(f"retirée : {task.name}")
        return changes
