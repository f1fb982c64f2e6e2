"""The class of the follow-up tests: a teacher, the class 3e B and its pupils, and what each pupil did, made on demand
around the real clock (the pages read it)."""

import datetime

from django.utils import timezone

from backend.offers.enums import ApplicationStatus
from backend.offers.models import Application, OfferWeek
from scheduling.enums import AttendanceSource, BookingStatus, SessionBookingStatus, SessionStatus
from scheduling.models import Booking, SessionAttendance
from tests import factories
from tests.media.factories import WatchProgressFactory
from tests.scheduling.factories import (
    DiscoverySessionFactory,
    SeatedBookingFactory,
    SessionBookingFactory,
    SlotFactory,
)

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


def monday(days_ahead: int) -> datetime.date:
    """The Monday of the week `days_ahead` days from today."""
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    return day - datetime.timedelta(days=day.weekday())


class ClassCast:
    """A REP+ collège with a teacher and the class 3e B; pupils are added with `pupil()`."""

    def __init__(self, *, teacher_zone: str = "Europe/Paris"):
        self.now = timezone.now()
        self.school = factories.SchoolFactory(name="Collège Louise-Michel")
        self.teacher = factories.SchoolStaffFactory(
            school=self.school, user__first_name="Sophie", user__last_name="Durand", user__time_zone=teacher_zone
        ).user
        self.school_class = factories.SchoolClassFactory(school=self.school, name="3e B", teachers=[self.teacher])

    def pupil(self, first_name: str, last_name: str = "Martin", *, last_login=None, **kwargs):
        pupil = factories.EnrolmentFactory(
            school_class=self.school_class,
            pupil__first_name=first_name,
            pupil__last_name=last_name,
            pupil__last_login=last_login,
            **{f"pupil__{key}": value for key, value in kwargs.items()},
        ).pupil
        return pupil

    # What pupils do -----------------------------------------------------------------------------------------------

    def application(self, pupil, status=ApplicationStatus.SUBMITTED, *, week_start=None, created_at=None):
        """An application to a new offer, for one week (`week_start`, default four weeks ahead); a confirmed one has
        that week retained."""
        week_start = week_start or monday(28)
        offer = factories.OfferFactory(weeks=[week_start])
        week = OfferWeek.objects.get(offer=offer)
        application = factories.ApplicationFactory(offer=offer, pupil=pupil, status=status, weeks=[week])
        changes = {}
        if status in (ApplicationStatus.ACCEPTED, ApplicationStatus.CONFIRMED):
            changes["week"] = week
        if status == ApplicationStatus.CONFIRMED:
            changes["confirmed_at"] = created_at or self.now
        if created_at:
            changes["created_at"] = created_at
        if changes:
            Application.objects.filter(pk=application.pk).update(**changes)
            application.refresh_from_db()
        return application

    def session(self, *, ended_ago=2 * DAY, status=SessionStatus.PUBLISHED, school_class=None, pupil=None):
        """A discovery session ended `ended_ago` ago (negative: to come), with a confirmed booking of the class (or of
        `pupil` alone)."""
        ends_at = self.now - ended_ago
        session = DiscoverySessionFactory(starts_at=ends_at - HOUR, ends_at=ends_at, status=status)
        booking = SessionBookingFactory(
            session=session,
            school_class=None if pupil else (school_class or self.school_class),
            pupil=pupil,
            status=SessionBookingStatus.CONFIRMED,
        )
        return session, booking

    def attendance(self, session, booking, pupil, *, present=True):
        return SessionAttendance.objects.create(
            session=session, booking=booking, pupil=pupil, present=present, source=AttendanceSource.ROLL_CALL
        )

    def tutoring(self, pupil, status=BookingStatus.BOOKED, *, starts_in=3 * DAY, created_at=None):
        starts_at = (self.now + starts_in).replace(second=0, microsecond=0)
        slot = SlotFactory(starts_at=starts_at, ends_at=starts_at + 45 * datetime.timedelta(minutes=1))
        booking = SeatedBookingFactory(slot=slot, pupil=pupil, status=status)
        if created_at:
            Booking.objects.filter(pk=booking.pk).update(created_at=created_at)
        return booking

    def video(self, pupil, *, watched=True, updated_at=None):
        progress = WatchProgressFactory(user=pupil, watched=watched)
        if updated_at:
            type(progress).objects.filter(pk=progress.pk).update(updated_at=updated_at)
        return progress
