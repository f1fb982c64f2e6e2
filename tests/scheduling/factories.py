"""Factories of the scheduling models. Helpers add their own at the end of this file (append only)."""

import datetime

import factory
from django.utils import timezone

from scheduling.enums import RulePurpose, SessionMode, SlotFormat, VideoProvider
from scheduling.models import (
    AvailabilityRule,
    AvailabilitySettings,
    Booking,
    DiscoverySession,
    HonourabilityAttestation,
    SessionBooking,
    Slot,
)
from tests import factories


class AvailabilitySettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AvailabilitySettings
        django_get_or_create = ("user",)

    user = factory.SubFactory(factories.UserFactory)
    time_zone = "Europe/Paris"
    min_notice_hours = 24
    horizon_days = 28


class AvailabilityRuleFactory(factory.django.DjangoModelFactory):
    """Every Wednesday 14:00–17:00 local time, 45-minute group slots of 3 pupils."""

    class Meta:
        model = AvailabilityRule

    owner = factory.SubFactory(factories.UserFactory)
    purpose = RulePurpose.TUTORING
    rrule = "FREQ=WEEKLY;BYDAY=WE"
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    ends_on = None
    start_time = datetime.time(14, 0)
    end_time = datetime.time(17, 0)
    time_zone = "Europe/Paris"
    slot_minutes = 45
    buffer_minutes = 0
    topics = factory.LazyFunction(lambda: ["homework", "cv"])
    format = SlotFormat.GROUP
    group_size = 3

    class Params:
        one_to_one = factory.Trait(format=SlotFormat.ONE_TO_ONE, group_size=1)


class HonourabilityAttestationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HonourabilityAttestation

    user = factory.SubFactory(factories.UserFactory)
    issued_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365 * 3))
    recorded_by = factory.SubFactory(factories.UserFactory, staff=True)


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Slot

    tutor = factory.SubFactory(factories.UserFactory)
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + datetime.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(minutes=45))
    format = SlotFormat.GROUP
    seats = 3
    seats_taken = 0
    topics = factory.LazyFunction(lambda: ["homework"])


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking written directly (the service is `scheduling.services.booking_create`): it takes a seat."""

    class Meta:
        model = Booking
        skip_postgeneration_save = True

    slot = factory.SubFactory(SlotFactory)
    pupil = factory.SubFactory(factories.UserFactory, pupil=True)
    topic = "homework"
    starts_at = factory.SelfAttribute("slot.starts_at")
    ends_at = factory.SelfAttribute("slot.ends_at")

    @factory.post_generation
    def take_seat(obj, create, extracted, **kwargs):
        if create:
            Slot.objects.filter(pk=obj.slot_id).update(seats_taken=obj.slot.seats_taken + 1)
            obj.slot.refresh_from_db()


class DiscoverySessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscoverySession
        skip_postgeneration_save = True

    association = factory.SubFactory(factories.AssociationFactory)
    host_organisation = factory.SubFactory(factories.HostOrganisationFactory)
    title = factory.Sequence(lambda n: f"Les métiers du soin, séquence {n}")
    description = "Une infirmière et un aide-soignant racontent leur journée et répondent aux questions."
    sector = "J14"
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + datetime.timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    )
    duration_minutes = 60
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(minutes=o.duration_minutes))
    mode = SessionMode.CLASS
    capacity = 2
    video_provider = VideoProvider.WEBCONF
    video_url = "https://webconf.numerique.gouv.fr/passerelle-demo"
    status = "published"

    @factory.post_generation
    def professionals(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.professionals.set(extracted)


class SessionBookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionBooking

    session = factory.SubFactory(DiscoverySessionFactory)
    school_class = factory.SubFactory(factories.SchoolClassFactory)
    pupil = None
    places = 1
    status = "confirmed"


# --- Discovery sessions (H4) ---------------------------------------------------------------------------------------


class SessionRequestFactory(factory.django.DjangoModelFactory):
    """A teacher's open request: Tuesdays and Thursdays 14:00–16:00 (Paris) in the weeks 2 and 3 from now."""

    class Meta:
        model = "scheduling.SessionRequest"

    school_class = factory.SubFactory(factories.SchoolClassFactory)
    association = factory.SubFactory(factories.AssociationFactory)
    theme = "Les métiers de l'aéronautique"
    sector = ""
    weeks = factory.LazyFunction(
        lambda: [
            "{}-W{:02d}".format(*(timezone.localdate() + datetime.timedelta(weeks=n)).isocalendar()[:2])
            for n in (2, 3)
        ]
    )
    time_ranges = factory.LazyFunction(
        lambda: [{"weekday": 1, "start": "14:00", "end": "16:00"}, {"weekday": 3, "start": "14:00", "end": "16:00"}]
    )
    time_zone = "Europe/Paris"
    pupils_count = 24


class SessionsWorldFactory:
    """An association with a confirmed staff member, a host organisation with a confirmed professional, a school
    with a teacher and her class of three pupils: the cast of a discovery session."""

    def __init__(self):
        self.staff_membership = factories.AssociationMembershipFactory()
        self.association = self.staff_membership.association
        self.staff = self.staff_membership.user
        membership = factories.OrganisationMembershipFactory(professional=True)
        self.organisation = membership.organisation
        self.professional = membership.user
        self.school = factories.SchoolFactory()
        self.teacher = factories.SchoolStaffFactory(school=self.school).user
        self.school_class = factories.SchoolClassFactory(school=self.school, teachers=[self.teacher])
        self.pupils = [factories.EnrolmentFactory(school_class=self.school_class).pupil for _ in range(3)]

    def session(self, **kwargs) -> DiscoverySession:
        kwargs.setdefault("association", self.association)
        kwargs.setdefault("host_organisation", self.organisation)
        kwargs.setdefault("professionals", [self.professional])
        return DiscoverySessionFactory(**kwargs)

    def another_class(self, pupils: int = 2):
        teacher = factories.SchoolStaffFactory(school=self.school).user
        school_class = factories.SchoolClassFactory(school=self.school, teachers=[teacher])
        for _ in range(pupils):
            factories.EnrolmentFactory(school_class=school_class)
        return teacher, school_class


# --- Tutoring core (H1) ---------------------------------------------------------------------------------------


class SeatedBookingFactory(BookingFactory):
    """`BookingFactory` without factory-boy's extra save after the seat is taken (no deprecation warning)."""

    class Meta:
        model = Booking
        skip_postgeneration_save = True
