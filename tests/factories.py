"""Factories for every core model; traits rather than subclasses (`UserFactory(pupil=True)`)."""

import datetime

import factory
from django.utils import timezone

from backend.accounts.enums import ConsentStatus, MembershipStatus
from backend.accounts.models import PupilProfile, TutorProfile, User
from backend.geo.models import Commune
from backend.offers.enums import ApplicationStatus, OfferFormat, OfferStatus, Track
from backend.offers.models import Application, Offer, OfferWeek
from backend.offers.rules import default_schedule
from backend.organisations.enums import OrganisationKind, OrganisationRole, Sector
from backend.organisations.models import Association, AssociationMembership, HostOrganisation, OrganisationMembership
from backend.organisations.validators import luhn_valid
from backend.schools.enums import Academie, Level, Priority, SchoolKind, StaffRole
from backend.schools.models import Enrolment, School, SchoolClass, SchoolStaff, new_join_code
from backend.schools.validators import uai_check_letter

PASSWORD = "Un-mot-de-passe-solide-42"


def valid_uai(n: int) -> str:
    digits = f"093{n:04d}"
    return digits + uai_check_letter(digits)


def valid_siret(n: int) -> str:
    base = f"{n:013d}"
    return next(base + str(key) for key in range(10) if luhn_valid(base + str(key)))


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ["insee_code"]

    insee_code = "93066"
    name = "Saint-Denis"
    search_name = "saint denis"
    departement_code = "93"
    departement_name = "Seine-Saint-Denis"
    region_code = "11"
    region_name = "Île-de-France"
    latitude = 48.9362
    longitude = 2.3574
    time_zone = "Europe/Paris"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.Sequence(lambda n: f"adulte{n}@example.org")
    username = factory.SelfAttribute("email")
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.django.Password(PASSWORD)

    class Params:
        pupil = factory.Trait(
            email="",
            username=factory.Sequence(lambda n: f"eleve.x{n:04d}"),
            email_verified_at=None,
            pupil_profile=factory.RelatedFactory("tests.factories.PupilProfileFactory", factory_related_name="user"),
        )
        staff = factory.Trait(is_staff=True)


class PupilProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PupilProfile

    user = factory.SubFactory(UserFactory, email="", username=factory.Sequence(lambda n: f"eleve.p{n:04d}"))
    birth_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=int(14.5 * 365)))
    consent_status = ConsentStatus.RECEIVED


class TutorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TutorProfile

    user = factory.SubFactory(UserFactory)
    presentation = "Ingénieure, j'aide à préparer les entretiens."


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    uai = factory.Sequence(valid_uai)
    name = factory.Sequence(lambda n: f"Collège Numéro {n}")
    kind = SchoolKind.COLLEGE
    commune = factory.SubFactory(CommuneFactory)
    academie = Academie.CRETEIL
    priority = Priority.REP_PLUS
    qpv = True


class SchoolStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolStaff

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    role = StaffRole.TEACHER
    status = MembershipStatus.CONFIRMED

    class Params:
        head = factory.Trait(role=StaffRole.HEAD)
        pending = factory.Trait(status=MembershipStatus.PENDING)


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"3e {n}")
    level = Level.TROISIEME
    school_year = 2026
    join_code = factory.LazyFunction(new_join_code)

    @factory.post_generation
    def teachers(self, create, extracted, **kwargs):
        if create and extracted:
            self.teachers.add(*extracted)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    pupil = factory.SubFactory(UserFactory, pupil=True)
    school_class = factory.SubFactory(SchoolClassFactory)


class HostOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HostOrganisation

    name = factory.Sequence(lambda n: f"Entreprise {n}")
    kind = OrganisationKind.COMPANY
    siret = factory.Sequence(lambda n: valid_siret(1000 + n))
    sector = Sector.H


class OrganisationMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationMembership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(HostOrganisationFactory)
    role = OrganisationRole.EMPLOYER
    status = MembershipStatus.CONFIRMED

    class Params:
        professional = factory.Trait(role=OrganisationRole.PROFESSIONAL)
        pending = factory.Trait(status=MembershipStatus.PENDING)


class AssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Association

    name = factory.Sequence(lambda n: f"Association {n}")


class AssociationMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssociationMembership

    user = factory.SubFactory(UserFactory)
    association = factory.SubFactory(AssociationFactory)
    status = MembershipStatus.CONFIRMED

    class Params:
        pending = factory.Trait(status=MembershipStatus.PENDING)


def next_monday(weeks_ahead: int = 4) -> datetime.date:
    """The Monday `weeks_ahead` weeks after this week's: offers' weeks must lie in the future."""
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(weeks=weeks_ahead)


class OfferFactory(factory.django.DjangoModelFactory):
    """A published on-site 3e observation offer in the organisation's commune, with two future weeks of 2 seats
    (`weeks=0` for none, `weeks=[...]` for chosen Mondays)."""

    class Meta:
        model = Offer
        skip_postgeneration_save = True

    organisation = factory.SubFactory(HostOrganisationFactory)
    title = factory.Sequence(lambda n: f"Découvrir le métier d'électricienne {n}")
    description = "Une semaine dans l'atelier : câblage, mise en service, sécurité électrique."
    sector = Sector.H
    domain = "H26"
    job_title = "Électricien ou électricienne"
    rome_code = "H2602"
    track = Track.OBSERVATION_3E
    format = OfferFormat.ON_SITE
    address = "12 rue de la République"
    commune = factory.SubFactory(CommuneFactory)
    latitude = factory.LazyAttribute(
        lambda o: o.commune.latitude if o.commune and o.format != OfferFormat.REMOTE else None
    )
    longitude = factory.LazyAttribute(
        lambda o: o.commune.longitude if o.commune and o.format != OfferFormat.REMOTE else None
    )
    schedule = factory.LazyFunction(default_schedule)
    status = OfferStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(status=OfferStatus.DRAFT, published_at=None)
        submitted = factory.Trait(
            status=OfferStatus.SUBMITTED, published_at=None, submitted_at=factory.LazyFunction(timezone.now)
        )
        remote = factory.Trait(format=OfferFormat.REMOTE, address="", commune=None)
        pfmp = factory.Trait(
            track=Track.PFMP, specialties=["Métiers de l'électricité et de ses environnements connectés"]
        )

    @factory.post_generation
    def weeks(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted == 0:
            return
        mondays = extracted if isinstance(extracted, list | tuple) else [next_monday(4), next_monday(5)]
        seats = kwargs.get("seats", 2)
        OfferWeek.objects.bulk_create(OfferWeek(offer=self, week_start=monday, seats=seats) for monday in mondays)

    @factory.post_generation
    def reserved_schools(self, create, extracted, **kwargs):
        if create and extracted:
            self.reserved_schools.set(extracted)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A submitted application by a pupil of a class, for the offer's first week."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    offer = factory.SubFactory(OfferFactory)
    pupil = factory.LazyFunction(lambda: EnrolmentFactory().pupil)
    motivation = "J'aimerais découvrir ce métier parce que mon oncle est électricien."
    status = ApplicationStatus.SUBMITTED

    @factory.post_generation
    def weeks(self, create, extracted, **kwargs):
        if create:
            self.weeks.set(extracted if extracted is not None else self.offer.weeks.all()[:1])
