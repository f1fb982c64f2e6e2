"""Demo offers and applications: a catalogue around the demo collège of Saint-Denis (Seine-Saint-Denis), a few
offers elsewhere in France and in Martinique, and the demo pupil's applications.

Organisations and offers are fictional; communes, ROME codes and lycée professionnel specialties are real. Rows
are built with the ORM directly (no service): the demo must load whatever state the offer services are in.
Weeks are computed from today in the school year's usual internship periods, so the demo never goes stale.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone

from backend.offers import rules, taxonomy
from backend.offers.enums import ApplicationStatus, OfferEventKind, OfferFormat, OfferStatus, Reservation, Track
from backend.offers.models import Agreement, Application, Offer, OfferEvent, OfferWeek
from backend.organisations.enums import OrganisationKind
from backend.organisations.models import HostOrganisation

# ISO weeks of the usual periods: 3e observation internships in December and from mid-January to the February
# holidays; vocational-lycée placements (PFMP) in March, from mid-May to mid-June and in late November.
OBSERVATION_WEEKS = {49, 50, 51, 2, 3, 4, 5, 6}
PFMP_WEEKS = {10, 11, 12, 13, 20, 21, 22, 23, 47, 48}
LEAD_TIME = datetime.timedelta(weeks=2)  # offers open from the week after next: time to apply and answer

MELEC = "Métiers de l'électricité et de ses environnements connectés"

# The employer's organisation of data.py ("ateliers") and these, by key.
ORGANISATIONS = {
    "fournil": dict(
        name="Le Fournil de la Plaine",
        siret="39825979600017",
        kind=OrganisationKind.COMPANY,
        sector="D",
        commune="93066",
        address="45 avenue du Président-Wilson",
    ),
    "garage": dict(
        name="Garage solidaire de La Courneuve",
        siret="19074833500014",
        kind=OrganisationKind.COMPANY,
        sector="I",
        commune="93027",
        address="8 rue de la Convention",
    ),
    "studio": dict(
        name="Studio graphique du Canal",
        siret="78876232600015",
        kind=OrganisationKind.COMPANY,
        sector="E",
        commune="93055",
        address="27 quai de l'Aisne",
    ),
    "veto": dict(
        name="Clinique vétérinaire des Docks",
        siret="86012904800010",
        kind=OrganisationKind.COMPANY,
        sector="A",
        commune="93070",
        address="3 rue des Docks",
    ),
    "hotel": dict(
        name="Hôtel-restaurant du Grand Stade",
        siret="04796669200015",
        kind=OrganisationKind.COMPANY,
        sector="G",
        commune="93066",
        address="10 rue Jules-Rimet",
    ),
    "sante": dict(
        name="Maison de santé du Canal",
        siret="72510273500018",
        kind=OrganisationKind.COMPANY,
        sector="J",
        commune="93001",
        address="60 rue du Landy",
    ),
    "logistique": dict(
        name="Entrepôts Seine-Nord Logistique",
        siret="46468695500012",
        kind=OrganisationKind.COMPANY,
        sector="N",
        commune="92036",
        address="Route du Bassin n° 6, port de Gennevilliers",
    ),
    "btp": dict(
        name="Bâtisseurs de l'Est parisien",
        siret="89693504600012",
        kind=OrganisationKind.COMPANY,
        sector="F",
        commune="93008",
        address="22 avenue Paul-Vaillant-Couturier",
    ),
    "compta": dict(
        name="Cabinet Ndiaye Expertise comptable",
        siret="92589913000015",
        kind=OrganisationKind.COMPANY,
        sector="M",
        commune="93048",
        address="5 rue de Paris",
    ),
    "numerique": dict(
        name="Coopérative Numérique Solidaire",
        siret="94411771200017",
        kind=OrganisationKind.COMPANY,
        sector="M",
        commune="93048",
        address="40 rue Robespierre",
    ),
    "creche": dict(
        name="Crèche associative Les Petits Pas",
        siret="51620466600015",
        kind=OrganisationKind.COMPANY,
        sector="K",
        commune="93031",
        address="2 rue de Paris",
    ),
    "eau": dict(
        name="Régie intercommunale de l'eau Plaine-Ourcq",
        siret="10990695800011",
        kind=OrganisationKind.ADMINISTRATION,
        sector="K",
        commune="93072",
        address="1 chemin du Moulin-Neuf",
    ),
    "mediatheque": dict(
        name="Médiathèque des Tilleuls",
        siret="84830401000012",
        kind=OrganisationKind.ADMINISTRATION,
        sector="K",
        commune="93079",
        address="12 rue Roger-Salengro",
    ),
    "journal": dict(
        name="Le Journal des Quartiers",
        siret="78778932000019",
        kind=OrganisationKind.COMPANY,
        sector="E",
        commune="93066",
        address="9 rue de la République",
    ),
    "theatre": dict(
        name="Théâtre de la Porte-Verte",
        siret="19803649300015",
        kind=OrganisationKind.COMPANY,
        sector="L",
        commune="75056",
        address="18 rue du Faubourg-Saint-Denis, 75010 Paris",
    ),
    "imprimerie": dict(
        name="Imprimerie des Flandres",
        siret="42055526000017",
        kind=OrganisationKind.COMPANY,
        sector="E",
        commune="59350",
        address="14 rue de Roubaix",
    ),
    "labo": dict(
        name="Laboratoire Rhône Biologie",
        siret="87921742000014",
        kind=OrganisationKind.COMPANY,
        sector="J",
        commune="69123",
        address="30 rue Garibaldi",
    ),
    "nautique": dict(
        name="Atelier nautique des Calanques",
        siret="67869819200013",
        kind=OrganisationKind.COMPANY,
        sector="I",
        commune="13055",
        address="Quai de Rive-Neuve",
    ),
    "caraibes": dict(
        name="Électricité Caraïbes Services",
        siret="18096792900019",
        kind=OrganisationKind.COMPANY,
        sector="F",
        commune="97213",
        address="Zone industrielle de la Lézarde",
    ),
    "madinina": dict(
        name="Résidence hôtelière Madinina",
        siret="90810033200018",
        kind=OrganisationKind.COMPANY,
        sector="G",
        commune="97209",
        address="Boulevard du Général-de-Gaulle",
    ),
}

# Communes the offers need, besides the organisations' (remote offers have none).
COMMUNE_CODES = sorted({data["commune"] for data in ORGANISATIONS.values()})

EARLY_SCHEDULE = {str(day): [["06:30", "11:30"], ["12:30", "14:00"]] for day in range(1, 6)}
SHORT_SCHEDULE = {str(day): [["09:00", "12:00"], ["13:00", "16:00"]] for day in range(1, 6)}
BAKERY_PFMP_SCHEDULE = {str(day): [["06:00", "13:00"]] for day in range(2, 7)}  # Tuesday to Saturday
CARIBBEAN_SCHEDULE = {str(day): [["07:30", "12:00"], ["13:00", "15:00"]] for day in range(1, 6)}


@dataclass(frozen=True)
class DemoOffer:
    key: str  # organisation key ("ateliers" is the demo employer's)
    title: str
    job_title: str
    domain: str
    rome_code: str
    description: str
    weeks: tuple[int, int]  # a slice of the period's upcoming weeks: (first, count)
    seats: int = 1
    track: str = Track.OBSERVATION_3E
    specialties: tuple[str, ...] = ()
    format: str = OfferFormat.ON_SITE
    group_size: int = 1
    reservation: str = Reservation.OPEN
    disability_friendly: bool = False
    schedule: dict | None = None
    status: str = OfferStatus.PUBLISHED
    external_id: str = ""  # set: posted by the demo association (as through the partner API)

    @property
    def sector(self) -> str:
        return self.domain[0]


OFFERS = [
    # The demo employer's organisation, Saint-Denis.
    DemoOffer(
        key="ateliers",
        title="Une semaine avec les électriciens de maintenance",
        job_title="Électricien ou électricienne de maintenance",
        domain="I13",
        rome_code="I1309",
        description=(
            "Tu suis une équipe qui entretient les installations électriques d'écoles, de gymnases et de "
            "bureaux : repérer une panne, remplacer un tableau, vérifier la sécurité.\n"
            "Tu portes des chaussures de sécurité prêtées par l'atelier. Aucune connaissance n'est demandée, "
            "seulement de la curiosité."
        ),
        weeks=(0, 3),
        seats=2,
        group_size=2,
    ),
    DemoOffer(
        key="ateliers",
        title="Fibre optique et réseaux : stage pour le collège Louise-Michel",
        job_title="Technicien ou technicienne réseaux et courants faibles",
        domain="I13",
        rome_code="I1307",
        description=(
            "Réservé aux élèves de 3e du collège Louise-Michel, notre voisin.\n"
            "Tu découvres comment on raccorde un immeuble à la fibre, on installe une alarme ou un interphone, "
            "et comment on teste un réseau avec des appareils de mesure."
        ),
        weeks=(1, 3),
        reservation=Reservation.SCHOOLS,
    ),
    DemoOffer(
        key="ateliers",
        title="PFMP électricité : câblage d'armoires et mise en service",
        job_title="Câbleur ou câbleuse d'armoires électriques",
        domain="H26",
        rome_code="H2602",
        description=(
            "Pour les élèves de bac pro MELEC. Tu câbles des armoires de commande à partir de schémas, tu "
            "participes aux essais et à la mise en service chez le client, avec un tuteur habilité."
        ),
        weeks=(0, 4),
        seats=2,
        group_size=2,
        track=Track.PFMP,
        specialties=(MELEC,),
    ),
    DemoOffer(
        key="ateliers",
        title="Domotique : piloter une maison connectée",
        job_title="Technicien ou technicienne en domotique",
        domain="I13",
        rome_code="I1302",
        description=(
            "Tu programmes l'éclairage, les volets et le chauffage d'un appartement témoin, puis tu accompagnes "
            "un technicien chez un client."
        ),
        weeks=(2, 2),
        status=OfferStatus.SUBMITTED,
    ),
    DemoOffer(
        key="ateliers",
        title="PFMP maintenance des systèmes de production",
        job_title="Technicien ou technicienne de maintenance industrielle",
        domain="I13",
        rome_code="I1309",
        description="Brouillon : à compléter avec le responsable de l'atelier avant l'envoi.",
        weeks=(4, 2),
        track=Track.PFMP,
        specialties=(MELEC,),
        status=OfferStatus.DRAFT,
    ),
    # Around the collège.
    DemoOffer(
        key="fournil",
        title="Au fournil : pain, viennoiseries et pâtisseries",
        job_title="Boulanger ou boulangère",
        domain="D11",
        rome_code="D1102",
        description=(
            "Le pain se prépare tôt : tu commences à 6 h 30 et tu finis à 14 h. Tu pétris, façonnes et "
            "enfournes avec l'équipe, puis tu aides à la vente en boutique."
        ),
        weeks=(0, 4),
        schedule=EARLY_SCHEDULE,
    ),
    DemoOffer(
        key="fournil",
        title="PFMP boulangerie-pâtisserie",
        job_title="Pâtissier ou pâtissière",
        domain="D11",
        rome_code="D1104",
        description=(
            "Pour les élèves de bac pro Boulanger-pâtissier : tartes, entremets et viennoiseries, du mardi au "
            "samedi matin, avec notre cheffe pâtissière."
        ),
        weeks=(0, 3),
        track=Track.PFMP,
        specialties=("Boulanger-pâtissier",),
        schedule=BAKERY_PFMP_SCHEDULE,
    ),
    DemoOffer(
        key="garage",
        title="Mécanique automobile : diagnostiquer et réparer",
        job_title="Mécanicien ou mécanicienne automobile",
        domain="I16",
        rome_code="I1604",
        description=(
            "Au garage solidaire, on répare les voitures des habitants à petit prix. Tu observes le diagnostic "
            "à la valise, la vidange, le changement des freins et tu poses toutes tes questions."
        ),
        weeks=(0, 2),
        seats=2,
        group_size=2,
    ),
    DemoOffer(
        key="garage",
        title="PFMP maintenance des véhicules",
        job_title="Mécanicien ou mécanicienne automobile",
        domain="I16",
        rome_code="I1604",
        description="Entretien courant, diagnostic et réparation de voitures particulières, encadré par un tuteur.",
        weeks=(0, 4),
        track=Track.PFMP,
        specialties=("Maintenance des véhicules option A voitures particulières",),
    ),
    DemoOffer(
        key="studio",
        title="Graphisme : de l'idée à l'affiche",
        job_title="Graphiste",
        domain="E12",
        rome_code="E1205",
        description=(
            "Tu participes à la création d'une affiche pour un festival de quartier : recherche d'idées, "
            "croquis, mise en page sur ordinateur.\n"
            "Trois jours au studio, deux jours en visioconférence depuis chez toi ou depuis le collège."
        ),
        weeks=(1, 2),
        format=OfferFormat.HYBRID,
    ),
    DemoOffer(
        key="veto",
        title="Soigner les animaux à la clinique vétérinaire",
        job_title="Auxiliaire vétérinaire",
        domain="A15",
        rome_code="A1501",
        description=(
            "Accueil des propriétaires, préparation des consultations, soins aux animaux hospitalisés : tu "
            "découvres le travail de l'équipe aux côtés de l'auxiliaire vétérinaire."
        ),
        weeks=(0, 4),
        disability_friendly=True,
    ),
    DemoOffer(
        key="hotel",
        title="En cuisine avec la brigade",
        job_title="Commis ou commise de cuisine",
        domain="G16",
        rome_code="G1602",
        description=(
            "Tu prépares les légumes, tu dresses les entrées et tu vois comment une brigade sert 120 couverts "
            "le midi. Tenue de cuisine fournie."
        ),
        weeks=(2, 3),
        seats=2,
        group_size=2,
    ),
    DemoOffer(
        key="hotel",
        title="Réception d'hôtel : accueillir des voyageurs du monde entier",
        job_title="Réceptionniste",
        domain="G17",
        rome_code="G1703",
        description=(
            "Réservé aux élèves de l'éducation prioritaire. Tu accueilles les clients avec la réceptionniste, "
            "tu prépares les arrivées et tu découvres les autres services de l'hôtel."
        ),
        weeks=(0, 2),
        reservation=Reservation.PRIORITY,
        disability_friendly=True,
    ),
    DemoOffer(
        key="hotel",
        title="PFMP service en salle",
        job_title="Serveur ou serveuse en restauration",
        domain="G18",
        rome_code="G1803",
        description="Mise en place, accueil et service au restaurant de l'hôtel, le midi et le soir jusqu'à 21 h.",
        weeks=(4, 3),
        track=Track.PFMP,
        specialties=("Commercialisation et services en restauration",),
        schedule={str(day): [["11:00", "15:00"], ["18:00", "21:00"]] for day in range(1, 6)},
    ),
    DemoOffer(
        key="sante",
        title="Découvrir les métiers du soin",
        job_title="Infirmier ou infirmière",
        domain="J15",
        rome_code="J1506",
        description=(
            "Médecins, infirmières, kinésithérapeute : tu passes une journée avec chacun et tu découvres comment "
            "une maison de santé s'organise pour soigner tout un quartier."
        ),
        weeks=(1, 3),
        disability_friendly=True,
    ),
    DemoOffer(
        key="sante",
        title="PFMP accompagnement et soins",
        job_title="Agent ou agente de service hospitalier",
        domain="J13",
        rome_code="J1301",
        description="Hygiène des locaux de soins, accueil des patients et aide au bien-être des personnes âgées.",
        weeks=(0, 3),
        track=Track.PFMP,
        specialties=("Accompagnement, soins et services à la personne",),
    ),
    DemoOffer(
        key="logistique",
        title="Dans les coulisses d'un entrepôt",
        job_title="Préparateur ou préparatrice de commandes",
        domain="N11",
        rome_code="N1103",
        description=(
            "Comment un colis arrive-t-il chez toi ? Tu suis la réception des camions, le rangement, la "
            "préparation des commandes et l'expédition, sans conduire d'engin."
        ),
        weeks=(0, 3),
        seats=3,
        group_size=3,
        disability_friendly=True,
    ),
    DemoOffer(
        key="logistique",
        title="PFMP logistique : réception, stockage, expédition",
        job_title="Agent ou agente logistique",
        domain="N11",
        rome_code="N1103",
        description="Réception et contrôle des marchandises, gestion des stocks sur logiciel, préparation des envois.",
        weeks=(0, 4),
        seats=2,
        group_size=2,
        track=Track.PFMP,
        specialties=("Logistique",),
    ),
    DemoOffer(
        key="btp",
        title="Sur un chantier de logements",
        job_title="Maçon ou maçonne",
        domain="F17",
        rome_code="F1703",
        description=(
            "Tu découvres un chantier de 40 logements : réunion de chantier, maçonnerie, lecture de plans. "
            "Casque et chaussures de sécurité fournis."
        ),
        weeks=(2, 3),
        seats=2,
        group_size=2,
    ),
    DemoOffer(
        key="btp",
        title="PFMP gros œuvre : réhabilitation d'un immeuble",
        job_title="Maçon ou maçonne",
        domain="F17",
        rome_code="F1703",
        description="Implantation, coffrage, maçonnerie et suivi de chantier avec le chef d'équipe.",
        weeks=(4, 4),
        track=Track.PFMP,
        specialties=("Technicien du bâtiment : organisation et réalisation du gros œuvre",),
    ),
    DemoOffer(
        key="compta",
        title="Le quotidien d'un cabinet comptable",
        job_title="Comptable",
        domain="M12",
        rome_code="M1203",
        description=(
            "Factures, bilans, rendez-vous avec des commerçants du quartier : tu vois à quoi servent les "
            "chiffres. Deux jours au cabinet et le reste en visioconférence."
        ),
        weeks=(0, 3),
        format=OfferFormat.HYBRID,
        schedule=SHORT_SCHEDULE,
    ),
    DemoOffer(
        key="compta",
        title="PFMP assistance à la gestion",
        job_title="Secrétaire",
        domain="M16",
        rome_code="M1607",
        description="Accueil téléphonique, classement, saisie de factures et préparation de courriers.",
        weeks=(0, 4),
        track=Track.PFMP,
        specialties=("Assistance à la gestion des organisations et de leurs activités",),
    ),
    DemoOffer(
        key="numerique",
        title="Créer un site web en équipe, à distance",
        job_title="Développeur ou développeuse web",
        domain="M18",
        rome_code="M1855",
        description=(
            "Une semaine en visioconférence avec notre équipe de développeurs : tu participes aux réunions, tu "
            "modifies une vraie page web et tu la présentes le vendredi.\n"
            "Il te faut un ordinateur, au collège ou chez toi."
        ),
        weeks=(0, 5),
        seats=4,
        group_size=4,
        format=OfferFormat.REMOTE,
        schedule=SHORT_SCHEDULE,
        disability_friendly=True,
    ),
    DemoOffer(
        key="creche",
        title="Auprès des tout-petits à la crèche",
        job_title="Éducateur ou éducatrice de jeunes enfants",
        domain="K12",
        rome_code="K1202",
        description="Jeux, repas, sieste : tu découvres comment on accompagne l'éveil des enfants de 3 mois à 3 ans.",
        weeks=(0, 3),
        schedule=SHORT_SCHEDULE,
    ),
    DemoOffer(
        key="mediatheque",
        title="Une semaine à la médiathèque",
        job_title="Bibliothécaire",
        domain="K16",
        rome_code="K1601",
        description=(
            "Accueil du public, rangement, préparation d'une heure du conte et d'un atelier numérique : les "
            "métiers du livre et de l'information."
        ),
        weeks=(0, 4),
        disability_friendly=True,
    ),
    # Elsewhere in France and overseas.
    DemoOffer(
        key="imprimerie",
        title="PFMP imprimerie : de l'écran au papier",
        job_title="Conducteur ou conductrice de machines d'impression",
        domain="E13",
        rome_code="E1301",
        description="Préparation des fichiers, réglage des presses, contrôle des couleurs et façonnage.",
        weeks=(0, 3),
        track=Track.PFMP,
        specialties=("Réalisation de produits imprimés et plurimédia",),
    ),
    DemoOffer(
        key="labo",
        title="Laboratoire d'analyses médicales",
        job_title="Technicien ou technicienne de laboratoire",
        domain="J13",
        rome_code="J1302",
        description="Du prélèvement au résultat : tu suis les échantillons et tu découvres les automates d'analyse.",
        weeks=(1, 2),
    ),
    DemoOffer(
        key="nautique",
        title="Mécanique de bateaux sur le Vieux-Port",
        job_title="Mécanicien ou mécanicienne marine",
        domain="I16",
        rome_code="I1605",
        description="Entretien des moteurs de bateaux de pêche et de plaisance, sur le quai et à l'atelier.",
        weeks=(0, 3),
    ),
    DemoOffer(
        key="caraibes",
        title="PFMP électricité du bâtiment en Martinique",
        job_title="Électricien ou électricienne du bâtiment",
        domain="F16",
        rome_code="F1602",
        description=(
            "Installations électriques de logements neufs et rénovation aux normes anticycloniques, avec "
            "une équipe de quatre électriciens."
        ),
        weeks=(0, 4),
        seats=2,
        group_size=2,
        track=Track.PFMP,
        specialties=(MELEC,),
        schedule=CARIBBEAN_SCHEDULE,
    ),
    DemoOffer(
        key="madinina",
        title="Accueil touristique et hôtellerie",
        job_title="Réceptionniste",
        domain="G17",
        rome_code="G1703",
        description=(
            "Accueil des visiteurs, conseils sur les sorties en Martinique et découverte des autres métiers "
            "de l'hôtel."
        ),
        weeks=(0, 2),
        schedule=CARIBBEAN_SCHEDULE,
    ),
    # Posted by the demo association for organisations it works with.
    DemoOffer(
        key="numerique",
        title="Découvrir la cybersécurité, à distance",
        job_title="Expert ou experte en cybersécurité",
        domain="M18",
        rome_code="M1802",
        description=(
            "Cinq séances en visioconférence avec des professionnels : comment repérer un message piégé, "
            "protéger un compte, enquêter sur une attaque. Un défi par jour, en petit groupe."
        ),
        weeks=(0, 4),
        seats=6,
        group_size=6,
        format=OfferFormat.REMOTE,
        schedule=SHORT_SCHEDULE,
        external_id="RPM-2026-014",
    ),
    DemoOffer(
        key="theatre",
        title="Dans les coulisses d'un théâtre",
        job_title="Éclairagiste",
        domain="L15",
        rome_code="L1504",
        description=(
            "Lumière, son, décors : tu suis les techniciens pendant le montage d'un spectacle et tu assistes à "
            "une répétition générale."
        ),
        weeks=(1, 2),
        seats=2,
        group_size=2,
        schedule=SHORT_SCHEDULE,
        external_id="RPM-2026-021",
    ),
    DemoOffer(
        key="eau",
        title="Les métiers de l'eau et de l'assainissement",
        job_title="Agent ou agente d'exploitation des réseaux d'eau",
        domain="K23",
        rome_code="K2301",
        description=(
            "D'où vient l'eau du robinet et où va-t-elle ensuite ? Visite d'une station de pompage, contrôle de "
            "la qualité de l'eau et intervention sur le réseau."
        ),
        weeks=(1, 2),
        seats=2,
        group_size=2,
        external_id="RPM-2026-008",
    ),
    DemoOffer(
        key="journal",
        title="Journaliste d'un jour dans un média local",
        job_title="Journaliste",
        domain="E11",
        rome_code="E1106",
        description=(
            "Conférence de rédaction, interview d'un commerçant, écriture d'un article publié sur notre site. "
            "Deux jours à la rédaction, trois jours de reportage et d'écriture à distance."
        ),
        weeks=(1, 2),
        format=OfferFormat.HYBRID,
        status=OfferStatus.SUBMITTED,
        external_id="RPM-2026-030",
    ),
    DemoOffer(
        key="theatre",
        title="Régie son : préparer un concert",
        job_title="Régisseur ou régisseuse son",
        domain="L15",
        rome_code="L1508",
        description="Brouillon de l'association : dates à confirmer avec le théâtre.",
        weeks=(2, 2),
        status=OfferStatus.DRAFT,
        external_id="RPM-2026-031",
    ),
]

ACCEPTED_OFFER = "Une semaine avec les électriciens de maintenance"
SUBMITTED_OFFER = "Fibre optique et réseaux : stage pour le collège Louise-Michel"


def upcoming_weeks(iso_weeks: set[int], *, today: datetime.date, count: int = 10) -> list[datetime.date]:
    """The Mondays of the next `count` weeks whose ISO number is in `iso_weeks`, from the week after next."""
    start = today + LEAD_TIME
    monday = start - datetime.timedelta(days=start.weekday())
    if monday < start:
        monday += datetime.timedelta(weeks=1)
    mondays = []
    while len(mondays) < count:
        if monday.isocalendar().week in iso_weeks:
            mondays.append(monday)
        monday += datetime.timedelta(weeks=1)
    return mondays


@dataclass
class OffersReport:
    created: Counter = field(default_factory=Counter)  # offer status -> offers created by this run
    total: Counter = field(default_factory=Counter)  # offer status -> demo offers in the database
    applications: list[tuple[str, str, bool]] = field(default_factory=list)  # (status, offer title, created)
    observation_weeks: list[str] = field(default_factory=list)
    pfmp_weeks: list[str] = field(default_factory=list)


def _organisations(ateliers: HostOrganisation, communes: dict) -> dict[str, HostOrganisation]:
    organisations = {"ateliers": ateliers}
    for key, data in ORGANISATIONS.items():
        fields = {**data, "commune": communes[data["commune"]]}
        organisations[key], _created = HostOrganisation.objects.get_or_create(siret=data["siret"], defaults=fields)
    return organisations


def _history(offer: Offer, demo: DemoOffer, *, author, staff, published_at: datetime.datetime) -> None:
    """Back-date the offer and write the history a real one would have."""
    submitted_at = published_at - datetime.timedelta(days=1)
    created_at = submitted_at - datetime.timedelta(hours=3)
    events = [(OfferEventKind.CREATED, author, created_at)]
    if demo.status in (OfferStatus.SUBMITTED, OfferStatus.PUBLISHED):
        events.append((OfferEventKind.SUBMITTED, author, submitted_at))
    if demo.status == OfferStatus.PUBLISHED:
        events.append((OfferEventKind.PUBLISHED, staff, published_at))
    for kind, actor, moment in events:
        event = OfferEvent.objects.create(offer=offer, kind=kind, actor=actor)
        OfferEvent.objects.filter(pk=event.pk).update(created_at=moment)
    Offer.objects.filter(pk=offer.pk).update(created_at=created_at)


def _add_weeks(offer: Offer, mondays: list[datetime.date], seats: int) -> None:
    for monday in mondays:
        OfferWeek.objects.get_or_create(offer=offer, week_start=monday, defaults={"seats": seats})


def _offer(demo: DemoOffer, index: int, *, organisation, association, author, staff, college, periods, now):
    """Create the demo offer if it is missing; give an existing one fresh weeks once all of its weeks passed."""
    if demo.external_id:
        existing = Offer.objects.filter(association=association, external_id=demo.external_id).first()
    else:
        existing = Offer.objects.filter(organisation=organisation, title=demo.title, association=None).first()
    first, count = demo.weeks
    mondays = periods[demo.track][first : first + count]
    if existing is not None:
        if not existing.weeks.filter(week_start__gt=timezone.localdate(now)).exists():
            _add_weeks(existing, mondays, demo.seats)
        return existing, False

    taxonomy.validate_domain(demo.domain, demo.sector)
    rules.validate_rome_code(demo.rome_code)
    published_at = now - datetime.timedelta(days=2 + index % 12, hours=index)
    commune = None if demo.format == OfferFormat.REMOTE else organisation.commune
    offer = Offer(
        organisation=organisation,
        association=association if demo.external_id else None,
        external_id=demo.external_id,
        created_by=author,
        title=demo.title,
        description=demo.description,
        sector=demo.sector,
        domain=demo.domain,
        job_title=demo.job_title,
        rome_code=demo.rome_code,
        track=demo.track,
        specialties=list(demo.specialties),
        format=demo.format,
        address="" if commune is None else organisation.address,
        commune=commune,
        latitude=commune.latitude if commune else None,
        longitude=commune.longitude if commune else None,
        group_size=demo.group_size,
        reservation=demo.reservation,
        disability_friendly=demo.disability_friendly,
        schedule=rules.validate_schedule(demo.schedule or rules.default_schedule(), demo.track),
        status=demo.status,
        submitted_at=published_at - datetime.timedelta(days=1) if demo.status != OfferStatus.DRAFT else None,
        published_at=published_at if demo.status == OfferStatus.PUBLISHED else None,
    )
    offer.save()
    if demo.reservation == Reservation.SCHOOLS:
        offer.reserved_schools.add(college)
    _add_weeks(offer, mondays, demo.seats)
    _history(offer, demo, author=author, staff=staff, published_at=published_at)
    return offer, True


def _application(*, offer: Offer, pupil, status: str, motivation: str, weeks: slice, now) -> tuple[Application, bool]:
    existing = Application.objects.filter(offer=offer, pupil=pupil).first()
    if existing is not None:
        return existing, False
    offered = list(offer.weeks.filter(week_start__gt=timezone.localdate(now)).order_by("week_start"))[weeks]
    application = Application.objects.create(offer=offer, pupil=pupil, motivation=motivation, status=status)
    application.weeks.set(offered)
    sent_at = now - datetime.timedelta(days=4 if status == ApplicationStatus.ACCEPTED else 1)
    changes = {"created_at": sent_at}
    if status == ApplicationStatus.ACCEPTED:
        changes.update(
            week=offered[0],
            read_at=sent_at + datetime.timedelta(hours=20),
            answered_at=now - datetime.timedelta(days=1),
        )
    Application.objects.filter(pk=application.pk).update(**changes)
    application.refresh_from_db()
    return application, True


def load(
    *, ateliers, association, employer, association_staff, staff, pupil, placed_pupil, school_class, college, communes
) -> OffersReport:
    """Creates the demo organisations, offers and the pupils' applications that are missing; the class's internship
    week; a confirmed internship with its agreement to sign."""
    now = timezone.now()
    today = timezone.localdate()
    periods = {
        Track.OBSERVATION_3E: upcoming_weeks(OBSERVATION_WEEKS, today=today),
        Track.PFMP: upcoming_weeks(PFMP_WEEKS, today=today),
    }
    report = OffersReport(
        observation_weeks=[rules.iso_week(monday) for monday in periods[Track.OBSERVATION_3E][:6]],
        pfmp_weeks=[rules.iso_week(monday) for monday in periods[Track.PFMP][:8]],
    )
    organisations = _organisations(ateliers, communes)
    offers = {}
    for index, demo in enumerate(OFFERS):
        if demo.external_id:
            author = association_staff
        elif demo.key == "ateliers":
            author = employer
        else:
            author = None  # organisations without an account on the demo
        offer, created = _offer(
            demo,
            index,
            organisation=organisations[demo.key],
            association=association,
            author=author,
            staff=staff,
            college=college,
            periods=periods,
            now=now,
        )
        offers[demo.title] = offer
        report.total[offer.status] += 1
        if created:
            report.created[offer.status] += 1

    accepted, created = _application(
        offer=offers[ACCEPTED_OFFER],
        pupil=pupil,
        status=ApplicationStatus.ACCEPTED,
        motivation=(
            "Bonjour, j'aimerais découvrir l'électricité parce que j'aime comprendre comment les choses "
            "fonctionnent. Je suis sérieuse et je pose beaucoup de questions."
        ),
        weeks=slice(0, 2),
        now=now,
    )
    report.applications.append((accepted.get_status_display(), accepted.offer.title, created))
    submitted, created = _application(
        offer=offers[SUBMITTED_OFFER],
        pupil=pupil,
        status=ApplicationStatus.SUBMITTED,
        motivation=(
            "Bonjour, je suis en 3e B au collège Louise-Michel. Les réseaux et la fibre m'intéressent, "
            "je voudrais voir comment on installe internet dans un immeuble."
        ),
        weeks=slice(1, 3),
        now=now,
    )
    report.applications.append((submitted.get_status_display(), submitted.offer.title, created))
    placed, created = _confirmed_internship(offer=offers[ACCEPTED_OFFER], pupil=placed_pupil, now=now)
    if placed is not None:
        report.applications.append((placed.get_status_display(), placed.offer.title, created))
    if school_class.internship_week is None and len(periods[Track.OBSERVATION_3E]) > 2:
        # The school's internship week: the third upcoming observation week (pupils still have time to find one).
        school_class.internship_week = periods[Track.OBSERVATION_3E][2]
        school_class.save(update_fields=["internship_week"])
    return report


def _confirmed_internship(*, offer: Offer, pupil, now) -> tuple[Application | None, bool]:
    """The pupil applied, was accepted and confirmed a week with a seat left: a seat is hers and the agreement
    waits for its three signatures (written directly: the demo sends no e-mail)."""
    existing = Application.objects.filter(offer=offer, pupil=pupil).first()
    if existing is not None:
        return existing, False
    week = (
        offer.weeks.filter(week_start__gt=timezone.localdate(now), seats_taken__lt=F("seats"))
        .order_by("week_start")
        .first()
    )
    if week is None:
        return None, False
    sent_at = now - datetime.timedelta(days=9)
    application = Application.objects.create(
        offer=offer,
        pupil=pupil,
        motivation="Bonjour, je voudrais voir comment on entretient les installations électriques d'un bâtiment.",
        status=ApplicationStatus.CONFIRMED,
        week=week,
        read_at=sent_at + datetime.timedelta(hours=6),
        answered_at=sent_at + datetime.timedelta(days=2),
        confirmed_at=sent_at + datetime.timedelta(days=3),
        pupil_seen_at=sent_at + datetime.timedelta(days=3),
    )
    Application.objects.filter(pk=application.pk).update(created_at=sent_at)
    application.weeks.set([week])
    OfferWeek.objects.filter(pk=week.pk).update(seats_taken=F("seats_taken") + 1)
    school_class = pupil.enrolments.get(left_at__isnull=True).school_class
    Agreement.objects.get_or_create(
        application=application, defaults={"school": school_class.school, "school_class": school_class}
    )
    return application, True
