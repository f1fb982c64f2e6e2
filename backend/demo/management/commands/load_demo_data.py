from django.core.management.base import BaseCommand

from backend.demo import data


class Command(BaseCommand):
    help = (
        "Loads the demo world (idempotent: creates what is missing, leaves the rest alone) and prints one account "
        "per role with the shared demo password, then the demo offers and applications."
    )

    def handle(self, *args, **options):
        loaded = data.load_world()
        self.stdout.write(self.style.SUCCESS(f"Comptes de démonstration (mot de passe commun : {data.DEMO_PASSWORD})"))
        width = max(len(role) for role, _identifier in loaded.accounts)
        for role, identifier in loaded.accounts:
            self.stdout.write(f"  {role.ljust(width)}  {identifier}")
        self.stdout.write(f"  Code de la classe de démonstration (3e B) : {data.DEMO_JOIN_CODE}")

        report = loaded.offers
        self.stdout.write(self.style.SUCCESS("Offres de démonstration"))
        shown = {"published": "publiées", "submitted": "en attente de validation", "draft": "brouillons"}
        for status, label in shown.items():
            self.stdout.write(
                f"  {report.total[status]} {label} (dont {report.created[status]} créées par ce chargement)"
            )
        other = sum(count for status, count in report.total.items() if status not in shown)
        if other:
            self.stdout.write(f"  {other} dépubliées ou archivées")
        self.stdout.write(f"  Semaines de stage de 3e : {', '.join(report.observation_weeks)}")
        self.stdout.write(f"  Semaines de PFMP : {', '.join(report.pfmp_weeks)}")
        self.stdout.write("Candidatures de l'élève de démonstration")
        for status, title, created in report.applications:
            self.stdout.write(f"  {status} : « {title} »" + (" (créée)" if created else ""))
        scheduling = loaded.scheduling
        self.stdout.write(self.style.SUCCESS("Tutorat et séquences de démonstration"))
        self.stdout.write(f"  {scheduling.rules} règles de disponibilité, {scheduling.sessions} séquences à distance")
