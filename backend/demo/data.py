"""The demo world. Names and numbers are fictional; UAI and SIRET numbers carry valid check keys."""

import datetime
from dataclasses import dataclass
from functools import cache

from django.db import transaction
from django.utils import timezone

from backend.accounts.enums import ConsentStatus, MembershipStatus
from backend.accounts.models import PupilProfile, TutorProfile, User
from backend.demo import offers as demo_offers
from backend.demo import rooms as demo_rooms
from backend.demo import scheduling as demo_scheduling
from backend.demo import videos as demo_videos
from backend.geo.models import Commune, Postcode
from backend.geo.services import read_communes_file
from backend.organisations.enums import AssociationRole, OrganisationKind, OrganisationRole, Sector
from backend.organisations.models import Association, AssociationMembership, HostOrganisation, OrganisationMembership
from backend.schools.enums import Academie, Level, Priority, SchoolKind, StaffRole
from backend.schools.models import Enrolment, School, SchoolClass, SchoolStaff
from backend.schools.services import current_school_year

DEMO_PASSWORD = "Passerelle-demo-2026"  # noqa: S105 - published on purpose: demo accounts of the embedded mode
DEMO_DOMAIN = "demo.passerelle.example"
DEMO_JOIN_CODE = "PASS3EB2"

# Communes the demo needs, so that it loads even before (or without) the full communes import: missing ones are
# created from the same reference file as `import_communes`, which later keeps them up to date.
COMMUNE_CODES = sorted({"93066", "13055", "97209", "97213", "75056", *demo_offers.COMMUNE_CODES})

SCHOOLS = [
    dict(
        uai="0932468C",
        name="Collège Louise-Michel",
        kind=SchoolKind.COLLEGE,
        commune="93066",
        academie=Academie.CRETEIL,
        priority=Priority.REP_PLUS,
        qpv=True,
        has_segpa=True,
        cite_educative=True,
    ),
    dict(
        uai="0132579H",
        name="Collège des Calanques",
        kind=SchoolKind.COLLEGE,
        commune="13055",
        academie=Academie.AIX_MARSEILLE,
        priority=Priority.REP,
        qpv=True,
        has_segpa=False,
        cite_educative=False,
    ),
    dict(
        uai="9720813B",
        name="Lycée professionnel du Lamentin",
        kind=SchoolKind.LYCEE_PRO,
        commune="97213",
        academie=Academie.MARTINIQUE,
        priority=Priority.NONE,
        qpv=True,
        has_segpa=False,
        cite_educative=True,
    ),
]


def _email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def _adult(local: str, first_name: str, last_name: str, *, time_zone="Europe/Paris", **extra) -> User:
    user, created = User.objects.get_or_create(
        username=_email(local),
        defaults=dict(
            email=_email(local),
            first_name=first_name,
            last_name=last_name,
            time_zone=time_zone,
            email_verified_at=timezone.now(),
            **extra,
        ),
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _pupil(
    identifier: str,
    first_name: str,
    last_name: str,
    birth_date: datetime.date,
    consent: ConsentStatus,
    school_class: SchoolClass,
) -> User:
    user, created = User.objects.get_or_create(
        username=identifier, defaults=dict(first_name=first_name, last_name=last_name)
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    PupilProfile.objects.get_or_create(user=user, defaults=dict(birth_date=birth_date, consent_status=consent))
    if not Enrolment.objects.filter(pupil=user, left_at__isnull=True).exists():
        Enrolment.objects.create(pupil=user, school_class=school_class)
    return user


def _confirmed(model, **lookup):
    membership, _created = model.objects.get_or_create(**lookup)
    if membership.status != MembershipStatus.CONFIRMED:
        membership.status = MembershipStatus.CONFIRMED
        membership.confirmed_at = timezone.now()
        membership.save(update_fields=["status", "confirmed_at"])
    return membership


@cache
def _reference_communes() -> dict[str, dict]:
    """The demo's communes as the reference file describes them (read once: the file has 35,000 lines)."""
    return {row["insee_code"]: row for row in read_communes_file() if row["insee_code"] in COMMUNE_CODES}


def _communes() -> dict[str, Commune]:
    communes = {commune.insee_code: commune for commune in Commune.objects.filter(insee_code__in=COMMUNE_CODES)}
    for code in sorted(set(COMMUNE_CODES) - set(communes)):
        row = dict(_reference_communes()[code])
        postcodes = row.pop("postcodes")
        commune = Commune(**row)
        commune.save()
        Postcode.objects.bulk_create([Postcode(code=postcode, commune=commune) for postcode in postcodes])
        communes[code] = commune
    return communes


@dataclass
class Loaded:
    accounts: list[tuple[str, str]]  # (role, identifier)
    offers: demo_offers.OffersReport
    scheduling: demo_scheduling.SchedulingReport


def load() -> list[tuple[str, str]]:
    """Creates what is missing and leaves the rest alone. Returns (role, identifier) pairs."""
    return load_world().accounts


@transaction.atomic
def load_world() -> Loaded:
    """Creates what is missing and leaves the rest alone: accounts, schools, organisations, offers."""
    communes = _communes()

    schools = {}
    for data in SCHOOLS:
        fields = {**data, "commune": communes[data["commune"]]}
        schools[data["uai"]], _created = School.objects.get_or_create(uai=data["uai"], defaults=fields)
    college = schools["0932468C"]

    head = _adult("direction", "Nadia", "Haddad")
    teacher = _adult("enseignant", "Julien", "Moreau")
    _confirmed(SchoolStaff, user=head, school=college, role=StaffRole.HEAD)
    _confirmed(SchoolStaff, user=teacher, school=college, role=StaffRole.TEACHER)
    lp_teacher = _adult("enseignante-martinique", "Josiane", "Larcher", time_zone="America/Martinique")
    _confirmed(SchoolStaff, user=lp_teacher, school=schools["9720813B"], role=StaffRole.TEACHER)

    year = current_school_year()
    school_class, _created = SchoolClass.objects.get_or_create(
        school=college,
        school_year=year,
        name="3e B",
        defaults=dict(level=Level.TROISIEME, join_code=DEMO_JOIN_CODE, created_by=teacher),
    )
    school_class.teachers.add(teacher)
    segpa, _created = SchoolClass.objects.get_or_create(
        school=college,
        school_year=year,
        name="3e SEGPA",
        defaults=dict(level=Level.TROISIEME_SEGPA, join_code="PASSSEGP", created_by=teacher),
    )
    segpa.teachers.add(teacher)
    lp_class, _created = SchoolClass.objects.get_or_create(
        school=schools["9720813B"],
        school_year=year,
        name="2nde MELEC",
        defaults=dict(
            level=Level.SECONDE_PRO,
            join_code="PASSMQ26",
            created_by=lp_teacher,
            specialty="Métiers de l'électricité et de ses environnements connectés",
        ),
    )
    lp_class.teachers.add(lp_teacher)

    today = timezone.localdate()
    pupil = _pupil(
        "ines.b2026",
        "Inès",
        "Benali",
        today.replace(year=today.year - 14) - datetime.timedelta(days=40),
        ConsentStatus.RECEIVED,
        school_class,
    )
    _pupil(
        "yanis.m2026",
        "Yanis",
        "Mbappé",
        today.replace(year=today.year - 14) - datetime.timedelta(days=100),
        ConsentStatus.PENDING,
        school_class,
    )
    # A pupil who found her internship: its agreement waits for the signatures (demo/offers.py).
    placed_pupil = _pupil(
        "sarah.k2026",
        "Sarah",
        "Koné",
        today.replace(year=today.year - 15) + datetime.timedelta(days=60),
        ConsentStatus.RECEIVED,
        school_class,
    )

    organisation, _created = HostOrganisation.objects.get_or_create(
        siret="41827364500014",
        defaults=dict(
            name="Ateliers Électriques du Nord-Est Parisien",
            kind=OrganisationKind.COMPANY,
            sector=Sector.I,
            address="12 rue du Landy",
            commune=communes["93066"],
        ),
    )
    employer = _adult("employeur", "Karim", "Diallo")
    professional = _adult("professionnelle", "Sophie", "Lefèvre")
    _confirmed(OrganisationMembership, user=employer, organisation=organisation, role=OrganisationRole.EMPLOYER)
    _confirmed(
        OrganisationMembership, user=professional, organisation=organisation, role=OrganisationRole.PROFESSIONAL
    )

    association, _created = Association.objects.get_or_create(
        name="Réseau Passerelles Métiers",
        defaults=dict(
            siret="77321905800015",
            national_partner=True,
            description="Association nationale qui organise des séquences de découverte à distance.",
        ),
    )
    association_staff = _adult("association", "Claire", "Nguyen")
    _confirmed(AssociationMembership, user=association_staff, association=association)

    tutor = _adult("tuteur", "Marc", "Petit")
    TutorProfile.objects.get_or_create(
        user=tutor, defaults={"presentation": "Ingénieur à la retraite, j'aide à préparer CV, lettres et entretiens."}
    )
    _confirmed(AssociationMembership, user=tutor, association=association, role=AssociationRole.TUTOR)

    reunion_tutor = _adult("tutrice-reunion", "Émilie", "Payet", time_zone="Indian/Reunion")
    TutorProfile.objects.get_or_create(
        user=reunion_tutor,
        defaults={"presentation": "Professeure des écoles à Saint-Pierre, j'aide aux devoirs et à l'orientation."},
    )
    _confirmed(AssociationMembership, user=reunion_tutor, association=association, role=AssociationRole.TUTOR)

    staff = _adult("plateforme", "Amandine", "Roux", is_staff=True, is_superuser=True)

    offers_report = demo_offers.load(
        ateliers=organisation,
        association=association,
        employer=employer,
        association_staff=association_staff,
        staff=staff,
        pupil=pupil,
        placed_pupil=placed_pupil,
        school_class=school_class,
        college=college,
        communes=communes,
    )

    scheduling_report = demo_scheduling.load(
        tutor=tutor,
        reunion_tutor=reunion_tutor,
        pupil=pupil,
        professional=professional,
        association_staff=association_staff,
        teacher=teacher,
        school_class=school_class,
        segpa=segpa,
        organisation=organisation,
        association=association,
    )

    demo_rooms.load(
        association=association,
        organisation=organisation,
        professional=professional,
        association_staff=association_staff,
        teacher=teacher,
        school_class=school_class,
        pupil=pupil,
    )

    demo_videos.load(
        organisation=organisation,
        association=association,
        employer=employer,
        association_staff=association_staff,
        staff=staff,
    )

    accounts = [
        ("Élève", pupil.username),
        ("Élève qui a trouvé son stage (convention à signer)", placed_pupil.username),
        ("Enseignant", teacher.username),
        ("Cheffe d'établissement", head.username),
        ("Tuteur bénévole", tutor.username),
        ("Tutrice bénévole (La Réunion)", reunion_tutor.username),
        ("Professionnelle", professional.username),
        ("Employeur", employer.username),
        ("Équipe associative", association_staff.username),
        ("Équipe de la plateforme", staff.username),
    ]
    return Loaded(accounts=accounts, offers=offers_report, scheduling=scheduling_report)
