"""Deletes the transcripts of rooms past retention (`REALTIME_RETENTION_DAYS`), as the nightly job does. Dry run by
default."""

from django.conf import settings
from django.core.management.base import BaseCommand

from realtime.services import transcripts_purge

LABELS = {
    "rooms": "salons concernés",
    "messages": "messages",
    "reports": "signalements",
    "questions": "questions",
    "polls": "sondages",
    "votes": "votes",
    "hands": "mains levées",
    "presences": "présences",
}


class Command(BaseCommand):
    help = (
        "Supprime le contenu des salons terminés depuis plus de REALTIME_RETENTION_DAYS jours ; le journal de "
        "modération reste (simulation sans --wet-run)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--wet-run", dest="apply", action="store_true", help="Supprimer pour de bon (sinon : simulation)."
        )

    def handle(self, *args, apply=False, **options):
        counts = transcripts_purge(apply=apply)
        self.stdout.write(f"Conservation : {settings.REALTIME_RETENTION_DAYS} jours après la fin du salon.")
        for key, label in LABELS.items():
            self.stdout.write(f"{label} : {counts[key]}")
        if not counts["rooms"]:
            self.stdout.write("Rien à supprimer.")
        elif apply:
            self.stdout.write("Supprimé.")
        else:
            self.stdout.write("Simulation : relancez avec --wet-run pour supprimer.")
