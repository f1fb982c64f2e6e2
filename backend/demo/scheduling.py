"""Demo scheduling: the demo tutor's availability (a group slot on Wednesday afternoons, one-to-one interview
practice on Saturday mornings), a tutor in La Réunion, the demo pupil's next tutoring appointment, the
professional's and the facilitator's free times for sessions, two remote discovery sessions (one booked by the
demo class) and a teacher's request waiting for the association.

Rows are built with the ORM directly, like the demo offers, and dates are computed from today, so the demo never
goes stale. Loading twice changes nothing.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone

from scheduling.enums import (
    CapacityUnit,
    ExceptionKind,
    RequestStatus,
    RulePurpose,
    SchoolZone,
    SessionBookingStatus,
    SessionMode,
    SessionStatus,
    SlotFormat,
    VideoProvider,
)
from scheduling.models import (
    AvailabilityException,
    AvailabilityRule,
    AvailabilitySettings,
    Booking,
    DiscoverySession,
    HonourabilityAttestation,
    SessionBooking,
    SessionRequest,
    Slot,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@dataclass
class SchedulingReport:
    rules: int
    sessions: int
    bookings: int


def _next_weekday(day: datetime.date, weekday: int, *, after_days: int) -> datetime.date:
    """The first `weekday` (0 = Monday) at least `after_days` after `day`."""
    start = day + datetime.timedelta(days=after_days)
    return start + datetime.timedelta(days=(weekday - start.weekday()) % 7)


def _at(day: datetime.date, hour: int, minute: int = 0, zone=PARIS) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)


def _rule(owner, **fields) -> AvailabilityRule:
    rule, _created = AvailabilityRule.objects.get_or_create(
        owner=owner,
        purpose=fields.pop("purpose", RulePurpose.TUTORING),
        rrule=fields.pop("rrule"),
        start_time=fields.pop("start_time"),
        defaults=fields,
    )
    return rule


def load(
    *,
    tutor,
    reunion_tutor,
    pupil,
    professional,
    association_staff,
    teacher,
    school_class,
    segpa,
    organisation,
    association,
) -> SchedulingReport:
    today = timezone.localdate()
    year_ago = today - datetime.timedelta(days=365)

    AvailabilitySettings.objects.get_or_create(
        user=tutor,
        defaults=dict(
            time_zone="Europe/Paris",
            min_notice_hours=24,
            horizon_days=28,
            max_per_day=4,
            max_per_week=8,
            exclude_holidays=True,
            school_zone=SchoolZone.C,
            association=association,
        ),
    )
    HonourabilityAttestation.objects.get_or_create(
        user=tutor,
        defaults=dict(
            issued_on=today - datetime.timedelta(days=60),
            expires_on=today - datetime.timedelta(days=60) + datetime.timedelta(days=365 * 3),
            recorded_by=association_staff,
        ),
    )
    wednesdays = _rule(
        tutor,
        rrule="FREQ=WEEKLY;BYDAY=WE",
        start_time=datetime.time(14, 0),
        end_time=datetime.time(17, 0),
        starts_on=year_ago,
        time_zone="Europe/Paris",
        slot_minutes=45,
        buffer_minutes=15,
        topics=["homework", "cv", "cover_letter"],
        format=SlotFormat.GROUP,
        group_size=3,
    )
    _rule(
        tutor,
        rrule="FREQ=WEEKLY;BYDAY=SA",
        start_time=datetime.time(10, 0),
        end_time=datetime.time(12, 0),
        starts_on=year_ago,
        time_zone="Europe/Paris",
        slot_minutes=60,
        buffer_minutes=0,
        topics=["interview", "orientation"],
        format=SlotFormat.ONE_TO_ONE,
        group_size=1,
    )
    AvailabilityException.objects.get_or_create(
        owner=tutor,
        kind=ExceptionKind.UNAVAILABLE,
        date=_next_weekday(today, 5, after_days=14),
        defaults=dict(time_zone="Europe/Paris", note="Week-end en famille"),
    )

    AvailabilitySettings.objects.get_or_create(
        user=reunion_tutor,
        defaults=dict(
            time_zone="Indian/Reunion", min_notice_hours=12, horizon_days=21, school_zone=SchoolZone.REUNION
        ),
    )
    _rule(
        reunion_tutor,
        rrule="FREQ=WEEKLY;BYDAY=TU,TH",
        start_time=datetime.time(17, 0),
        end_time=datetime.time(19, 0),
        starts_on=year_ago,
        time_zone="Indian/Reunion",
        slot_minutes=30,
        buffer_minutes=0,
        topics=["homework", "orientation", "discover_job"],
        format=SlotFormat.GROUP,
        group_size=4,
    )

    # Free times for sessions: the professional on Tuesday and Thursday mornings, the facilitator on weekdays.
    _rule(
        professional,
        purpose=RulePurpose.SESSIONS,
        rrule="FREQ=WEEKLY;BYDAY=TU,TH",
        start_time=datetime.time(9, 0),
        end_time=datetime.time(12, 0),
        starts_on=year_ago,
        time_zone="Europe/Paris",
        slot_minutes=60,
        format=SlotFormat.GROUP,
        group_size=30,
    )
    _rule(
        association_staff,
        purpose=RulePurpose.SESSIONS,
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        start_time=datetime.time(9, 0),
        end_time=datetime.time(17, 0),
        starts_on=year_ago,
        time_zone="Europe/Paris",
        slot_minutes=60,
        format=SlotFormat.GROUP,
        group_size=30,
    )

    # The demo pupil's next appointment: the first Wednesday group slot at least three days away.
    bookings = 0
    if not Booking.objects.filter(pupil=pupil).exists():
        starts_at = _at(_next_weekday(today, 2, after_days=3), 14, 0)
        slot, _created = Slot.objects.get_or_create(
            tutor=tutor,
            starts_at=starts_at,
            status="open",
            defaults=dict(
                ends_at=starts_at + datetime.timedelta(minutes=45),
                format=SlotFormat.GROUP,
                seats=3,
                topics=wednesdays.topics,
                rule=wednesdays,
            ),
        )
        Booking.objects.create(
            slot=slot,
            pupil=pupil,
            topic="cv",
            message="J'ai commencé mon CV pour le stage de décembre, pouvez-vous le relire avec moi ?",
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
        )
        Slot.objects.filter(pk=slot.pk).update(seats_taken=slot.seats_taken + 1)
        bookings += 1

    sessions = 0
    electricity, created = DiscoverySession.objects.get_or_create(
        association=association,
        title="Électricienne, électricien : un métier qui recrute",
        defaults=dict(
            host_organisation=organisation,
            description=(
                "Sophie, cheffe de chantier, et son équipe montrent un chantier en vidéo, expliquent les études "
                "et répondent aux questions de la classe."
            ),
            sector="F16",
            starts_at=_at(_next_weekday(today, 1, after_days=10), 10, 0),
            duration_minutes=60,
            ends_at=_at(_next_weekday(today, 1, after_days=10), 11, 0),
            mode=SessionMode.CLASS,
            capacity=3,
            capacity_unit=CapacityUnit.CLASSES,
            video_provider=VideoProvider.WEBCONF,
            video_url="https://webconf.numerique.gouv.fr/passerelle-electricite",
            materials="Fiche métier électricien (ONISEP) ; quiz de fin de séquence.",
            status=SessionStatus.PUBLISHED,
            created_by=association_staff,
        ),
    )
    if created:
        electricity.professionals.set([professional])
        electricity.facilitators.set([association_staff])
        sessions += 1
    SessionBooking.objects.get_or_create(
        session=electricity,
        school_class=school_class,
        defaults=dict(booked_by=teacher, places=1, status=SessionBookingStatus.CONFIRMED),
    )
    open_house, created = DiscoverySession.objects.get_or_create(
        association=association,
        title="Questions ouvertes aux métiers du bâtiment",
        defaults=dict(
            host_organisation=organisation,
            description="Une heure pour poser toutes ses questions sur les métiers du bâtiment, élève par élève.",
            sector="F16",
            starts_at=_at(_next_weekday(today, 3, after_days=17), 17, 0),
            duration_minutes=45,
            ends_at=_at(_next_weekday(today, 3, after_days=17), 17, 45),
            mode=SessionMode.INDIVIDUAL,
            capacity=25,
            capacity_unit=CapacityUnit.PUPILS,
            video_provider=VideoProvider.BBB,
            video_url="https://visio.passerelle-metiers.example.org/b/batiment",
            status=SessionStatus.PUBLISHED,
            created_by=association_staff,
        ),
    )
    if created:
        open_house.professionals.set([professional])
        open_house.facilitators.set([association_staff])
        sessions += 1

    # --- attendance ---
    # A session of five days ago that the demo class's pupils booked one by one (individual mode, so that the class's
    # upcoming session stays its only class booking; only a pupil whose guardian agreed books herself: Yanis, whose
    # consent is pending, has no booking), the roll taken by the facilitator: Inès was there. The follow-up pages
    # and the association's dashboard then show real attendance figures. Moved to five days ago at each load (the
    # roll stays open for two weeks); the roll is recorded once.
    from backend.accounts.enums import ConsentStatus
    from backend.schools.models import Enrolment
    from scheduling.attendance import attendance_record
    from scheduling.models import SessionAttendance

    past_day = today - datetime.timedelta(days=5)
    past, created = DiscoverySession.objects.update_or_create(
        association=association,
        title="Les métiers de la logistique : un entrepôt en direct",
        defaults=dict(
            host_organisation=organisation,
            description="Un préparateur de commandes et une cheffe d'entrepôt font visiter leur plateforme.",
            sector="N11",
            starts_at=_at(past_day, 14, 0),
            duration_minutes=60,
            ends_at=_at(past_day, 15, 0),
            mode=SessionMode.INDIVIDUAL,
            capacity=25,
            capacity_unit=CapacityUnit.PUPILS,
            video_provider=VideoProvider.WEBCONF,
            video_url="https://webconf.numerique.gouv.fr/passerelle-logistique",
            status=SessionStatus.PUBLISHED,
            created_by=association_staff,
        ),
    )
    if created:
        past.professionals.set([professional])
        past.facilitators.set([association_staff])
        sessions += 1
    classmates = Enrolment.objects.filter(
        school_class=school_class, left_at__isnull=True, pupil__pupil_profile__consent_status=ConsentStatus.RECEIVED
    ).select_related("pupil")
    past_bookings = [
        SessionBooking.objects.get_or_create(
            session=past,
            pupil=enrolment.pupil,
            defaults=dict(booked_by=enrolment.pupil, places=1, status=SessionBookingStatus.CONFIRMED),
        )[0]
        for enrolment in classmates.order_by("pupil__username")
    ]
    if not SessionAttendance.objects.filter(session=past).exists():
        for past_booking in past_bookings:
            attendance_record(
                booking=past_booking,
                present_pupil_ids=[pupil.pk] if past_booking.pupil_id == pupil.pk else [],
                by=association_staff,
                now=past.ends_at + datetime.timedelta(minutes=10),
            )
    # --- end attendance ---

    monday = _next_weekday(today, 0, after_days=21)
    SessionRequest.objects.get_or_create(
        school_class=segpa,
        association=association,
        theme="Les métiers de la restauration",
        defaults=dict(
            requested_by=teacher,
            sector="G16",
            weeks=[f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}"],
            time_ranges=[
                {"weekday": 1, "start": "09:00", "end": "12:00"},
                {"weekday": 3, "start": "14:00", "end": "16:00"},
            ],
            time_zone="Europe/Paris",
            pupils_count=12,
            message="Classe de SEGPA, option hygiène alimentation services : les élèves aimeraient voir une cuisine.",
            status=RequestStatus.OPEN,
        ),
    )
    return SchedulingReport(
        rules=AvailabilityRule.objects.count(), sessions=DiscoverySession.objects.count(), bookings=bookings
    )
