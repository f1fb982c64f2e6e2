"""People and events shared by the calendar, e-mail and reminder tests (H5's area)."""

import datetime
from types import SimpleNamespace

import icalendar

from backend.organisations.enums import AssociationRole
from tests import factories
from tests.scheduling.factories import (
    DiscoverySessionFactory,
    SeatedBookingFactory,
    SessionBookingFactory,
    SlotFactory,
)

PUPIL_SURNAME = "Surnomsecret"
UTC = datetime.UTC


def make_people(*, starts_at: datetime.datetime | None = None) -> SimpleNamespace:
    """A class with its teacher and a pupil without e-mail; a tutor of an association with its staff; a booking
    of the pupil with the tutor; a published session of the association with a professional and a facilitator,
    booked (confirmed) for the class."""
    starts_at = starts_at or datetime.datetime(2027, 3, 29, 14, 0, tzinfo=UTC)
    school = factories.SchoolFactory()
    teacher = factories.SchoolStaffFactory(
        school=school, user__first_name="Nadia", user__last_name="Prof", user__time_zone="Indian/Reunion"
    ).user
    school_class = factories.SchoolClassFactory(school=school, name="3e B", teachers=[teacher])
    pupil = factories.EnrolmentFactory(
        school_class=school_class, pupil__first_name="Léa", pupil__last_name=PUPIL_SURNAME
    ).pupil
    association = factories.AssociationFactory(name="Association Tremplin")
    tutor = factories.TutorProfileFactory(user__first_name="Paul", user__last_name="Tuteur").user
    factories.AssociationMembershipFactory(user=tutor, association=association, role=AssociationRole.TUTOR)
    staff = factories.AssociationMembershipFactory(
        association=association, user__first_name="Sami", user__last_name="Staff"
    ).user
    slot = SlotFactory(tutor=tutor, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(minutes=45))
    booking = SeatedBookingFactory(slot=slot, pupil=pupil, topic="cv")
    professional = factories.OrganisationMembershipFactory(professional=True, user__last_name="Pro").user
    facilitator = factories.AssociationMembershipFactory(association=association, user__last_name="Anim").user
    session = DiscoverySessionFactory(
        association=association,
        professionals=[professional],
        starts_at=starts_at + datetime.timedelta(days=2),
        ends_at=starts_at + datetime.timedelta(days=2, hours=1),
        title="Les métiers du soin",
    )
    session.facilitators.add(facilitator)
    session_booking = SessionBookingFactory(session=session, school_class=school_class, booked_by=teacher)
    return SimpleNamespace(
        school=school,
        teacher=teacher,
        school_class=school_class,
        pupil=pupil,
        association=association,
        tutor=tutor,
        staff=staff,
        slot=slot,
        booking=booking,
        professional=professional,
        facilitator=facilitator,
        session=session,
        session_booking=session_booking,
    )


def parse(data) -> icalendar.Calendar:
    if isinstance(data, str):
        data = data.encode()
    return icalendar.Calendar.from_ical(data)


def events(data) -> list:
    return list(parse(data).walk("VEVENT"))


def by_uid(data) -> dict:
    return {str(event["UID"]): event for event in events(data)}
