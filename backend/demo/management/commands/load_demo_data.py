from django.core.management.base import BaseCommand

from backend.demo import data


class Command(BaseCommand):
    help = "Loads the demo world (idempotent) and prints one account per role with the shared demo password."

    def handle(self, *args, **options):
        accounts = data.load()
        self.stdout.write(self.style.SUCCESS(f"Comptes de démonstration (mot de passe commun : {data.DEMO_PASSWORD})"))
        width = max(len(role) for role, _identifier in accounts)
        for role, identifier in accounts:
            self.stdout.write(f"  {role.ljust(width)}  {identifier}")
        self.stdout.write(f"  Code de la classe de démonstration (3e B) : {data.DEMO_JOIN_CODE}")
