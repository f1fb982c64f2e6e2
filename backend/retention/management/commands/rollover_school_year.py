"""Closes a school year: its classes archived, their enrolments ended, their pupils archived. Dry run by default."""

from django.core.management.base import BaseCommand, CommandError

from backend.retention import services


class Command(BaseCommand):
    help = (
        "Clôture une année scolaire : ses classes archivées, leurs inscriptions terminées, leurs élèves sans classe "
        "archivés (simulation sans --wet-run)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=int,
            help="L'année de la rentrée (2026 pour 2026-2027) ; par défaut la dernière année terminée.",
        )
        parser.add_argument("--wet-run", action="store_true", help="Appliquer les changements (sinon : simulation).")

    def handle(self, *args, year=None, wet_run=False, **options):
        try:
            report = services.rollover_school_year(year=year, wet_run=wet_run)
        except services.RetentionError as refusal:
            raise CommandError(str(refusal)) from refusal
        for line in [*report.table(), report.conclusion]:
            self.stdout.write(line)
