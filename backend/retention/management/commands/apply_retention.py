"""Applies every data-retention rule (backend/retention/README.md), as the nightly job does. Dry run by default."""

from django.core.management.base import BaseCommand

from backend.retention import services


class Command(BaseCommand):
    help = (
        "Applique les règles de conservation des données : anonymisation des élèves archivés, avis, salons en "
        "direct, journaux de connexion… (simulation sans --wet-run)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="Appliquer les changements (sinon : simulation).")

    def handle(self, *args, wet_run=False, **options):
        report = services.retention_apply(wet_run=wet_run)
        for line in [*report.table(), report.conclusion]:
            self.stdout.write(line)
