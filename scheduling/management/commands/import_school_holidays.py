from django.core.management.base import BaseCommand, CommandError

from scheduling.holidays import DATA_FILE, HolidayFileError, import_school_holidays


class Command(BaseCommand):
    help = (
        "Importe les vacances scolaires publiées par le ministère (fichier livré avec l'application, sans réseau). "
        "Par défaut, simule et affiche ce qui changerait ; --wet-run applique. Les périodes modifiées par l'équipe "
        "dans l'administration sont conservées, sauf avec --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="Appliquer les changements (sinon : simulation).")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Remplacer par celles du fichier les périodes modifiées dans l'administration.",
        )
        parser.add_argument("--file", default=str(DATA_FILE), help="Fichier CSV à charger à la place.")

    def handle(self, *args, **options):
        apply = options["wet_run"]
        try:
            report = import_school_holidays(options["file"], apply=apply, replace=options["replace"])
        except (HolidayFileError, OSError) as error:
            raise CommandError(f"Fichier de vacances scolaires illisible : {error}") from error

        verb = "" if apply else " (simulation)"
        self.stdout.write(f"Fichier : {options['file']} — {report.rows_in_file} périodes.")
        self.stdout.write(f"Périodes {'créées' if apply else 'à créer'}{verb} : {len(report.created)}")
        for row in report.created:
            self.stdout.write(f"  + {row.zone} {row.name} {row.starts_on} → {row.ends_on}")
        self.stdout.write(f"Périodes déjà à jour : {report.unchanged}")
        if report.replaced:
            self.stdout.write(
                f"Périodes modifiées dans l'administration {'remplacées' if apply else 'à remplacer'}{verb} : "
                f"{len(report.replaced)}"
            )
        if report.kept_edited:
            self.stdout.write(
                self.style.WARNING(
                    f"Périodes modifiées dans l'administration, conservées : {len(report.kept_edited)} "
                    "(--replace pour les remplacer par celles du fichier)"
                )
            )
            for period in report.kept_edited:
                self.stdout.write(f"  = {period.zone} {period.name} {period.starts_on} → {period.ends_on}")
        if apply:
            self.stdout.write(self.style.SUCCESS("Import terminé."))
        elif report.changed:
            self.stdout.write(
                self.style.WARNING("Simulation : rien n'a été écrit. Relancez avec --wet-run pour appliquer.")
            )
        else:
            self.stdout.write(self.style.SUCCESS("Rien à changer : la base est à jour."))
