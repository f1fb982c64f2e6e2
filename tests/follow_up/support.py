"""The people and events of the feedback tests, around a fixed clock (`NOW`) or the real one."""

import datetime

from django.utils import timezone

from backend.offers.enums import ApplicationStatus
from backend.offers.models import OfferWeek
from backend.organisations.enums import AssociationRole
from scheduling.enums import BookingStatus, SessionBookingStatus
from tests import factories
from tests.scheduling.factories import (
    DiscoverySessionFactory,
    SeatedBookingFactory,
    SessionBookingFactory,
    SlotFactory,
)

UTC = datetime.UTC
NOW = datetime.datetime(2027, 5, 20, 10, 0, tzinfo=UTC)  # a Thursday
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


def monday_before(moment: datetime.datetime, weeks: int = 1) -> datetime.date:
    """The Monday `weeks` weeks before the week of `moment`."""
    day = moment.date()
    return day - datetime.timedelta(days=day.weekday()) - datetime.timedelta(weeks=weeks)


class Cast:
    """An association with its staff and a tutor; a host organisation with an employer and a professional; a REP+
    collège in a QPV of Seine-Saint-Denis with a teacher and the class 3e B of two pupils (Inès, Yanis); the
    association's staff member facilitates sessions. Events are made on demand, relative to `now`."""

    def __init__(self, now: datetime.datetime | None = None):
        self.now = now or timezone.now()
        self.association = factories.AssociationFactory()
        self.staff = factories.AssociationMembershipFactory(association=self.association).user
        self.facilitator = factories.AssociationMembershipFactory(
            association=self.association, user__first_name="Fanny", user__last_name="Animatrice"
        ).user
        employer_membership = factories.OrganisationMembershipFactory(organisation__name="Hôpital Delafontaine")
        self.organisation = employer_membership.organisation
        self.employer = employer_membership.user
        self.professional = factories.OrganisationMembershipFactory(
            organisation=self.organisation, professional=True, user__first_name="Paula", user__last_name="Infirmière"
        ).user
        self.tutor = factories.TutorProfileFactory(user__first_name="Claire", user__last_name="Martin").user
        factories.AssociationMembershipFactory(
            user=self.tutor, association=self.association, role=AssociationRole.TUTOR
        )
        self.school = factories.SchoolFactory(name="Collège Louise-Michel")
        self.teacher = factories.SchoolStaffFactory(school=self.school).user
        self.school_class = factories.SchoolClassFactory(school=self.school, name="3e B", teachers=[self.teacher])
        self.pupil = factories.EnrolmentFactory(
            school_class=self.school_class, pupil__first_name="Inès", pupil__last_name="Benali"
        ).pupil
        self.other_pupil = factories.EnrolmentFactory(
            school_class=self.school_class, pupil__first_name="Yanis", pupil__last_name="Kaci"
        ).pupil

    # Events ------------------------------------------------------------------------------------------------------

    def session(self, *, ended_ago=2 * DAY, confirmed=True, school_class=None, **kwargs):
        """A published session of the association with the professional and the facilitator, ended `ended_ago`
        before `now` (negative: still to come), the class booked on it (confirmed unless told otherwise)."""
        ends_at = self.now - ended_ago
        kwargs.setdefault("title", "Les métiers du soin")
        session = DiscoverySessionFactory(
            association=self.association,
            host_organisation=self.organisation,
            professionals=[self.professional],
            starts_at=ends_at - HOUR,
            ends_at=ends_at,
            **kwargs,
        )
        session.facilitators.add(self.facilitator)
        SessionBookingFactory(
            session=session,
            school_class=school_class or self.school_class,
            booked_by=self.teacher,
            status=SessionBookingStatus.CONFIRMED if confirmed else SessionBookingStatus.PENDING,
        )
        return session

    def tutoring(self, *, pupil=None, ended_ago=3 * DAY, status=BookingStatus.BOOKED, tutor=None):
        """A 45-minute appointment of `pupil` (Inès) with the tutor, ended `ended_ago` before `now`."""
        ends_at = self.now - ended_ago
        slot = SlotFactory(
            tutor=tutor or self.tutor, starts_at=ends_at - datetime.timedelta(minutes=45), ends_at=ends_at
        )
        booking = SeatedBookingFactory(slot=slot, pupil=pupil or self.pupil, topic="cv")
        if status != BookingStatus.BOOKED:
            type(booking).objects.filter(pk=booking.pk).update(status=status)
            booking.refresh_from_db()
        return booking

    def internship(self, *, pupil=None, week_start=None, status=ApplicationStatus.CONFIRMED, **offer):
        """An application of `pupil` (Inès) to an offer of the organisation, confirmed for the week starting on
        `week_start` (by default the Monday of the week before `now`)."""
        week_start = week_start or monday_before(self.now)
        offer.setdefault("organisation", self.organisation)
        offer.setdefault("title", "Une semaine à l'hôpital")
        offer_object = factories.OfferFactory(weeks=[week_start], **offer)
        application = factories.ApplicationFactory(offer=offer_object, pupil=pupil or self.pupil, status=status)
        if status in (ApplicationStatus.CONFIRMED, ApplicationStatus.ACCEPTED):
            application.week = OfferWeek.objects.get(offer=offer_object, week_start=week_start)
            application.confirmed_at = self.now - 30 * DAY if status == ApplicationStatus.CONFIRMED else None
            application.save(update_fields=["week", "confirmed_at"])
        return application
