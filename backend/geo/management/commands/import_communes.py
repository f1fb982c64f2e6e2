import time

from django.core.management.base import BaseCommand, CommandError

from backend.geo.services import DATA_FILE, CommuneFileError, import_communes

SHOWN_CODES = 20  # INSEE codes listed per category; the rest is counted


def _codes(codes: list[str]) -> str:
    shown = ", ".join(codes[:SHOWN_CODES])
    return f"{shown}, … (+{len(codes) - SHOWN_CODES})" if len(codes) > SHOWN_CODES else shown


class Command(BaseCommand):
    help = (
        "Importe les communes de France (métropole et outre-mer) depuis le fichier de référence livré avec "
        "l'application, sans réseau. Par défaut, simule et affiche ce qui changerait ; --wet-run applique."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="Appliquer les changements (sinon : simulation).")
        parser.add_argument(
            "--file", default=str(DATA_FILE), help="Fichier CSV (éventuellement .gz) à charger à la place."
        )

    def handle(self, *args, **options):
        apply = options["wet_run"]
        started = time.monotonic()
        try:
            report = import_communes(options["file"], apply=apply)
        except (CommuneFileError, FileNotFoundError) as error:
            raise CommandError(f"Fichier de communes illisible : {error}") from error
        elapsed = time.monotonic() - started

        verb = "" if apply else " (simulation)"
        self.stdout.write(
            f"Fichier : {options['file']} — {report.communes_in_file} communes, "
            f"{report.postcodes_in_file} codes postaux."
        )
        lines = [
            ("créées" if apply else "à créer", report.created),
            ("mises à jour" if apply else "à mettre à jour", report.updated),
            ("supprimées" if apply else "à supprimer", report.deleted),
        ]
        for label, codes in lines:
            self.stdout.write(f"Communes {label}{verb} : {len(codes)}" + (f" ({_codes(codes)})" if codes else ""))
        if report.kept_referenced:
            self.stdout.write(
                self.style.WARNING(
                    f"Communes absentes du fichier mais conservées car référencées (établissements, structures…) : "
                    f"{len(report.kept_referenced)} ({_codes(report.kept_referenced)})"
                )
            )
        self.stdout.write(
            f"Codes postaux {'ajoutés' if apply else 'à ajouter'} : {report.postcodes_added}, "
            f"{'retirés' if apply else 'à retirer'} : {report.postcodes_removed}"
        )
        self.stdout.write(
            f"Clés de recherche {'ajoutées' if apply else 'à ajouter'} : {report.search_keys_added}, "
            f"{'retirées' if apply else 'à retirer'} : {report.search_keys_removed}"
        )
        self.stdout.write(f"{report.without_coordinates} communes sans coordonnées")
        self.stdout.write(f"{report.approximate_coordinates} approximées par le code postal")
        if apply:
            self.stdout.write(self.style.SUCCESS(f"Import terminé en {elapsed:.1f} s."))
        elif report.changed:
            self.stdout.write(
                self.style.WARNING("Simulation : rien n'a été écrit. Relancez avec --wet-run pour appliquer.")
            )
        else:
            self.stdout.write(self.style.SUCCESS("Rien à changer : la base est à jour."))
