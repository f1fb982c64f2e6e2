"""A school year's worth of activity around the follow-up `Cast`, on a fixed clock, and the figures the dashboards
compute from it: what the roll-over and the anonymisation must leave exactly as they were."""

import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Q

from backend.follow_up import selectors as feedback
from backend.follow_up import services as feedback_services
from backend.offers.models import Application
from backend.schools.enums import Priority
from media.models import WatchProgress
from scheduling.enums import AttendanceSource
from scheduling.models import Booking, SessionAttendance
from tests import factories
from tests.follow_up.support import DAY, NOW, Cast
from tests.media.factories import WatchProgressFactory
from tests.scheduling.factories import SessionBookingFactory

PARIS = ZoneInfo("Europe/Paris")
UTC = datetime.UTC
# 2026-2027 may be closed from 20 August 2027, 00:00 in Paris (22:00 UTC the day before, summer time).
YEAR_CLOSES = datetime.datetime(2027, 8, 20, tzinfo=PARIS)
ROLLOVER_AT = YEAR_CLOSES + datetime.timedelta(minutes=30)
MINUTE = datetime.timedelta(minutes=1)


class Year:
    """2026-2027 in the REP+ collège of the `Cast` (3e B: Inès, Yanis) and in a REP collège (3e A: Sami): a session
    with answers from the pupils and the hosts, attendances, a tutoring appointment, an internship, videos watched.
    Léa is already in a class of 2027-2028 (she was put there early): the roll-over of 2026-2027 leaves her alone."""

    def __init__(self):
        self.cast = cast = Cast(NOW)
        self.rep_school = factories.SchoolFactory(name="Collège Jean-Jaurès", priority=Priority.REP, qpv=False)
        self.rep_class = factories.SchoolClassFactory(school=self.rep_school, name="3e A", school_year=2026)
        self.sami = factories.EnrolmentFactory(
            school_class=self.rep_class, pupil__first_name="Sami", pupil__last_name="Haddad"
        ).pupil
        self.next_year_class = factories.SchoolClassFactory(school=cast.school, name="3e C", school_year=2027)
        self.lea = factories.EnrolmentFactory(
            school_class=self.next_year_class, pupil__first_name="Léa", pupil__last_name="Morel"
        ).pupil
        self.pupils = [cast.pupil, cast.other_pupil, self.sami]

        session = cast.session(school_class=cast.school_class)
        other_booking = factories_session_booking(session, self.rep_class, cast.teacher)
        for pupil, note, helped in [(cast.pupil, 5, "yes"), (cast.other_pupil, 3, "a_little"), (self.sami, 2, "no")]:
            self.answer(pupil, "session", session, satisfaction=note, helped_choose=helped)
        self.answer(cast.professional, "session", session, satisfaction=4, comment="Inès a posé de bonnes questions.")
        booking = session.bookings.get(school_class=cast.school_class)
        for pupil, present, on in [(cast.pupil, True, booking), (cast.other_pupil, False, booking)]:
            SessionAttendance.objects.create(
                session=session, booking=on, pupil=pupil, present=present, source=AttendanceSource.ROLL_CALL
            )
        SessionAttendance.objects.create(
            session=session, booking=other_booking, pupil=self.sami, present=True, source=AttendanceSource.LIVE_ROOM
        )

        self.tutoring = cast.tutoring()
        Booking.objects.filter(pk=self.tutoring.pk).update(
            message="J'habite au 3 rue des Lilas, tu peux m'appeler au 06 12 34 56 78."
        )
        self.answer(cast.pupil, "tutoring", self.tutoring, satisfaction=4, helped_choose="yes")
        self.answer(cast.tutor, "tutoring", self.tutoring, satisfaction=5, comment="Élève motivée.")

        self.application = cast.internship()
        Application.objects.filter(pk=self.application.pk).update(
            teacher_note="Situation familiale difficile, à suivre.", decline_detail=""
        )
        self.answer(cast.pupil, "internship", self.application, satisfaction=5, helped_choose="yes")
        cast.internship(pupil=self.sami, status="submitted", title="Une semaine au garage")

        WatchProgressFactory(user=cast.pupil, watched=True)
        WatchProgressFactory(user=self.sami)

    def answer(self, user, kind, target, **fields):
        values = {"helped_choose": "", "comment": ""} | fields
        return feedback_services.answer_submit(user=user, kind=kind, target_id=target.pk, now=NOW, **values)


def factories_session_booking(session, school_class, teacher):
    return SessionBookingFactory(session=session, school_class=school_class, booked_by=teacher, status="confirmed")


def _by_school(prefix: str) -> list[str]:
    school = f"{prefix}enrolments__school_class__school__"
    return [f"{school}priority", f"{school}qpv", f"{school}commune__departement_code"]


def aggregates() -> dict:
    """The figures the dashboards show: satisfaction (all, pupils, by school), applications and attendances by
    priority-education kind, QPV and département of the pupil's school, bookings, video views."""
    summary = feedback.satisfaction_summary
    return {
        "satisfaction": summary(feedback.answers()),
        "satisfaction_pupils": summary(feedback.answers(role="pupil")),
        "answers_by_territory": list(
            feedback.answers()
            .values("school_priority", "school_qpv", "departement", "sector", "respondent_role")
            .annotate(count=Count("pk"))
            .order_by("school_priority", "school_qpv", "departement", "sector", "respondent_role")
        ),
        "applications": list(
            Application.objects.values(*_by_school("pupil__"), "status", "offer__sector")
            .annotate(count=Count("pk", distinct=True))
            .order_by(*_by_school("pupil__"), "status", "offer__sector")
        ),
        "attendances": list(
            SessionAttendance.objects.values(*_by_school("pupil__"))
            .annotate(attended=Count("pk", filter=Q(present=True)), missed=Count("pk", filter=Q(present=False)))
            .order_by(*_by_school("pupil__"))
        ),
        "bookings": list(Booking.objects.values("status").annotate(count=Count("pk")).order_by("status")),
        "views": WatchProgress.objects.aggregate(
            started=Count("pk"), watched=Count("pk", filter=Q(watched_at__isnull=False))
        ),
    }


__all__ = ["DAY", "MINUTE", "NOW", "PARIS", "ROLLOVER_AT", "UTC", "YEAR_CLOSES", "Year", "aggregates"]
