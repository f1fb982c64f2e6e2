from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    COMPANY = "company", _("Entreprise")
    ADMINISTRATION = "administration", _("Administration ou établissement public")


class OrganisationRole(models.TextChoices):
    EMPLOYER = "employer", _("Employeur : publie les offres et répond aux candidatures")
    PROFESSIONAL = "professional", _("Professionnel : présente son métier et anime des séances")


class AssociationRole(models.TextChoices):
    STAFF = "staff", _("Équipe de l'association : organise les séances et suit les établissements")
    TUTOR = "tutor", _("Tuteur ou tutrice bénévole de l'association")


class Sector(models.TextChoices):
    """The fourteen "grands domaines" of France Travail's public ROME taxonomy."""

    A = "A", _("Agriculture et pêche, espaces naturels et espaces verts, soins aux animaux")
    B = "B", _("Arts et façonnage d'ouvrages d'art")
    C = "C", _("Banque, assurance, immobilier")
    D = "D", _("Commerce, vente et grande distribution")
    E = "E", _("Communication, média et multimédia")
    F = "F", _("Construction, bâtiment et travaux publics")
    G = "G", _("Hôtellerie-restauration, tourisme, loisirs et animation")
    H = "H", _("Industrie")
    I = "I", _("Installation et maintenance")  # noqa: E741
    J = "J", _("Santé")
    K = "K", _("Services à la personne et à la collectivité")
    L = "L", _("Spectacle")
    M = "M", _("Support à l'entreprise")
    N = "N", _("Transport et logistique")
