from django.db import models
from django.utils.translation import gettext_lazy as _


class Priority(models.TextChoices):
    REP_PLUS = "rep_plus", _("REP+")
    REP = "rep", _("REP")
    NONE = "none", _("Hors éducation prioritaire")


class SchoolKind(models.TextChoices):
    COLLEGE = "college", _("Collège")
    LYCEE_PRO = "lycee_pro", _("Lycée professionnel")


class StaffRole(models.TextChoices):
    TEACHER = "teacher", _("Enseignant ou enseignante")
    HEAD = "head", _("Chef ou cheffe d'établissement")


class Level(models.TextChoices):
    QUATRIEME = "4e", _("4e")
    TROISIEME = "3e", _("3e")
    TROISIEME_PREPA_METIERS = "3e_prepa_metiers", _("3e prépa-métiers")
    TROISIEME_SEGPA = "3e_segpa", _("3e SEGPA")
    CAP_1 = "cap_1", _("1re année de CAP")
    CAP_2 = "cap_2", _("2e année de CAP")
    SECONDE_PRO = "2nde_pro", _("2nde bac pro")
    PREMIERE_PRO = "1re_pro", _("1re bac pro")
    TERMINALE_PRO = "tle_pro", _("Terminale bac pro")


# Levels taught in a vocational lycée: they carry a specialty; the others are collège levels.
LYCEE_PRO_LEVELS = {Level.CAP_1, Level.CAP_2, Level.SECONDE_PRO, Level.PREMIERE_PRO, Level.TERMINALE_PRO}


def levels_taught(kind: str) -> set[str]:
    """Vocational lycées teach CAP and bac pro, and often host a 3e prépa-métiers; collèges the others."""
    if kind == SchoolKind.LYCEE_PRO:
        return LYCEE_PRO_LEVELS | {Level.TROISIEME_PREPA_METIERS}
    return set(Level) - LYCEE_PRO_LEVELS


class Academie(models.TextChoices):
    AIX_MARSEILLE = "aix-marseille", "Aix-Marseille"
    AMIENS = "amiens", "Amiens"
    BESANCON = "besancon", "Besançon"
    BORDEAUX = "bordeaux", "Bordeaux"
    CLERMONT_FERRAND = "clermont-ferrand", "Clermont-Ferrand"
    CORSE = "corse", "Corse"
    CRETEIL = "creteil", "Créteil"
    DIJON = "dijon", "Dijon"
    GRENOBLE = "grenoble", "Grenoble"
    GUADELOUPE = "guadeloupe", "Guadeloupe"
    GUYANE = "guyane", "Guyane"
    LA_REUNION = "la-reunion", "La Réunion"
    LILLE = "lille", "Lille"
    LIMOGES = "limoges", "Limoges"
    LYON = "lyon", "Lyon"
    MARTINIQUE = "martinique", "Martinique"
    MAYOTTE = "mayotte", "Mayotte"
    MONTPELLIER = "montpellier", "Montpellier"
    NANCY_METZ = "nancy-metz", "Nancy-Metz"
    NANTES = "nantes", "Nantes"
    NICE = "nice", "Nice"
    NORMANDIE = "normandie", "Normandie"
    ORLEANS_TOURS = "orleans-tours", "Orléans-Tours"
    PARIS = "paris", "Paris"
    POITIERS = "poitiers", "Poitiers"
    REIMS = "reims", "Reims"
    RENNES = "rennes", "Rennes"
    STRASBOURG = "strasbourg", "Strasbourg"
    TOULOUSE = "toulouse", "Toulouse"
    VERSAILLES = "versailles", "Versailles"
    NOUVELLE_CALEDONIE = "nouvelle-caledonie", _("Vice-rectorat de Nouvelle-Calédonie")
    POLYNESIE = "polynesie-francaise", _("Vice-rectorat de Polynésie française")
    WALLIS_FUTUNA = "wallis-et-futuna", _("Vice-rectorat de Wallis-et-Futuna")
    SAINT_PIERRE = "saint-pierre-et-miquelon", _("Service de l'éducation de Saint-Pierre-et-Miquelon")
