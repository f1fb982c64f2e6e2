"""Tutoring services: settings, rules, exceptions, attestations, and the bookings' life (book, cancel, reschedule,
mark), with their notifications and signals after commit, the supervisors and the permissions."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from scheduling import events, notifications, permissions, selectors, services
from scheduling.models import AvailabilityException, AvailabilityRule, Booking, HonourabilityAttestation, Slot
from tests import factories
from tests.scheduling.factories import (
    AvailabilityRuleFactory,
    AvailabilitySettingsFactory,
    HonourabilityAttestationFactory,
)

UTC = datetime.UTC
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2027, 3, 1, 8, tzinfo=UTC)  # Monday 09:00 in Paris
WEDNESDAY_2PM = datetime.datetime(2027, 3, 3, 14, tzinfo=PARIS).astimezone(UTC)


@pytest.fixture
def tutor(db):
    user = factories.UserFactory(first_name="Marc", last_name="Tuteur")
    factories.TutorProfileFactory(user=user)
    AvailabilitySettingsFactory(user=user, min_notice_hours=24, horizon_days=28)
    AvailabilityRuleFactory(owner=user, starts_on=datetime.date(2027, 1, 1))  # Wednesdays 14:00–17:00, groups of 3
    return user


@pytest.fixture
def pupil(db):
    return factories.EnrolmentFactory().pupil


@pytest.fixture
def told(monkeypatch):
    """What notifications and signals were sent, in order."""
    calls = []
    monkeypatch.setattr(notifications, "booking_booked", lambda booking: calls.append(("booked", booking.pk)))
    monkeypatch.setattr(
        notifications, "booking_cancelled", lambda booking, *, by: calls.append(("cancelled", booking.pk))
    )
    monkeypatch.setattr(
        notifications, "booking_rescheduled", lambda old, new, *, by: calls.append(("rescheduled", old.pk, new.pk))
    )

    def receiver(sender, booking, action, by, **kwargs):
        calls.append(("signal", action, booking.pk))

    events.booking_changed.connect(receiver)
    yield calls
    events.booking_changed.disconnect(receiver)


def book(pupil, tutor, starts_at=WEDNESDAY_2PM, topic="cv", now=NOW, **kwargs):
    return services.booking_create(pupil=pupil, tutor=tutor, starts_at=starts_at, topic=topic, now=now, **kwargs)


# --- Booking ----------------------------------------------------------------------------------------------------


def test_booking_creates_the_slot_takes_a_seat_and_tells_after_commit(
    tutor, pupil, told, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        booking = book(pupil, tutor, message="  Bonjour, je prépare mon CV.  ")
    assert len(callbacks) == 2
    slot = booking.slot
    assert (slot.tutor, slot.starts_at, slot.seats, slot.seats_taken, slot.format) == (
        tutor,
        WEDNESDAY_2PM,
        3,
        1,
        "group",
    )
    assert slot.ends_at - slot.starts_at == datetime.timedelta(minutes=45)
    assert (booking.starts_at, booking.ends_at, booking.status) == (slot.starts_at, slot.ends_at, "booked")
    assert booking.message == "Bonjour, je prépare mon CV."
    assert told == [("booked", booking.pk), ("signal", "booked", booking.pk)]
    # A second pupil joins the same group slot.
    other = book(factories.EnrolmentFactory().pupil, tutor, topic="homework")
    assert other.slot_id == slot.pk
    slot.refresh_from_db()
    assert slot.seats_taken == 2
    assert selectors.find_open_slot(tutor=tutor, starts_at=WEDNESDAY_2PM, now=NOW).seats_left == 1


@pytest.mark.parametrize(
    ("starts_at", "now", "fragment"),
    [
        (WEDNESDAY_2PM, WEDNESDAY_2PM + datetime.timedelta(hours=1), "déjà passé"),
        (WEDNESDAY_2PM, WEDNESDAY_2PM - datetime.timedelta(hours=3), "24 heures à l'avance"),
        (WEDNESDAY_2PM + datetime.timedelta(weeks=5), NOW, "28 jours à l'avance"),
        (WEDNESDAY_2PM + datetime.timedelta(minutes=10), NOW, "pas ou plus proposé"),
        (WEDNESDAY_2PM + datetime.timedelta(days=1), NOW, "pas ou plus proposé"),
    ],
)
def test_booking_refuses_times_that_are_not_open(tutor, pupil, starts_at, now, fragment):
    with pytest.raises(ValidationError) as error:
        book(pupil, tutor, starts_at=starts_at, now=now)
    assert fragment in " ".join(error.value.messages)
    assert not Booking.objects.exists()
    assert not Slot.objects.exists()


def test_a_full_slot_is_refused_and_nothing_is_written(tutor):
    for _ in range(3):
        book(factories.EnrolmentFactory().pupil, tutor)
    with pytest.raises(ValidationError, match="complet"):
        book(factories.EnrolmentFactory().pupil, tutor)
    assert Booking.objects.count() == 3
    assert Slot.objects.get().seats_taken == 3


def test_booking_refuses_bad_input(tutor, pupil):
    with pytest.raises(ValidationError, match="thème"):
        book(pupil, tutor, topic="astrology")
    with pytest.raises(ValidationError, match="ne propose pas ce thème"):
        book(pupil, tutor, topic="orientation")
    with pytest.raises(ValidationError, match="1000"):
        book(pupil, tutor, message="x" * 1001)
    with pytest.raises(ValidationError, match="invalide"):
        book(pupil, tutor, starts_at=WEDNESDAY_2PM.replace(tzinfo=None))
    with pytest.raises(ValidationError, match="Seuls les élèves"):
        book(factories.UserFactory(), tutor)
    pending = factories.EnrolmentFactory(pupil__pupil_profile__consent_status="pending").pupil
    with pytest.raises(ValidationError, match="représentant légal"):
        book(pending, tutor)
    assert not Booking.objects.exists()
    assert not Slot.objects.exists()


def test_a_pupil_never_holds_two_overlapping_bookings(tutor, pupil):
    book(pupil, tutor)
    other_tutor = factories.UserFactory()
    AvailabilityRuleFactory(owner=other_tutor, starts_on=datetime.date(2027, 1, 1), start_time=datetime.time(14, 30))
    with pytest.raises(ValidationError, match="déjà un rendez-vous"):
        book(pupil, other_tutor, starts_at=WEDNESDAY_2PM + datetime.timedelta(minutes=30))
    with pytest.raises(ValidationError, match="déjà un rendez-vous"):
        book(pupil, tutor)
    assert Booking.objects.count() == 1
    assert Slot.objects.count() == 1


def test_caps_are_enforced_at_booking(tutor, pupil):
    services.availability_settings_update(user=tutor, max_per_day=1)
    book(pupil, tutor)
    with pytest.raises(ValidationError):
        book(factories.EnrolmentFactory().pupil, tutor, starts_at=WEDNESDAY_2PM + datetime.timedelta(minutes=45))
    book(factories.EnrolmentFactory().pupil, tutor)  # joining the booked group slot is fine


def test_one_to_one_slot_takes_one_pupil(tutor, pupil):
    HonourabilityAttestationFactory(user=tutor)
    AvailabilityRuleFactory(
        owner=tutor, one_to_one=True, rrule="FREQ=WEEKLY;BYDAY=TH", starts_on=datetime.date(2027, 1, 1)
    )
    thursday = WEDNESDAY_2PM + datetime.timedelta(days=1)
    booking = book(pupil, tutor, starts_at=thursday)
    assert (booking.slot.format, booking.slot.seats) == ("one_to_one", 1)
    with pytest.raises(ValidationError, match="complet"):
        book(factories.EnrolmentFactory().pupil, tutor, starts_at=thursday)


# --- Cancel, reschedule, mark -----------------------------------------------------------------------------------


def test_the_pupil_cancels_before_the_cutoff_and_the_seat_frees(
    tutor, pupil, told, django_capture_on_commit_callbacks
):
    booking = book(pupil, tutor)
    told.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, by=pupil, reason="  Rendez-vous chez le dentiste ", now=NOW)
    assert (booking.status, booking.cancel_reason, booking.cancelled_by_id, booking.sequence) == (
        "cancelled", "Rendez-vous chez le dentiste", pupil.pk, 1,
    )  # fmt: skip
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    slot = Slot.objects.get()
    assert (slot.seats_taken, slot.status) == (0, "open")
    assert told == [("cancelled", booking.pk), ("signal", "cancelled", booking.pk)]
    # The slot can be booked again, by her too.
    assert book(pupil, tutor).slot_id == slot.pk


def test_cancel_refusals(tutor, pupil, settings):
    booking = book(pupil, tutor)
    with pytest.raises(ValidationError, match="motif"):
        services.booking_cancel(booking=booking, by=pupil, reason="  ", now=NOW)
    with pytest.raises(ValidationError, match="24 heures"):
        services.booking_cancel(
            booking=booking, by=pupil, reason="Malade", now=WEDNESDAY_2PM - datetime.timedelta(hours=2)
        )
    with pytest.raises(ValidationError, match="24 heures"):
        services.booking_cancel(
            booking=booking, by=tutor, reason="Malade", now=WEDNESDAY_2PM - datetime.timedelta(hours=2)
        )
    settings.SCHEDULING_CANCEL_CUTOFF_HOURS = 1
    with pytest.raises(ValidationError, match="déjà commencé"):
        services.booking_cancel(booking=booking, by=pupil, reason="Malade", now=WEDNESDAY_2PM)
    booking.refresh_from_db()
    assert booking.status == "booked"
    services.booking_cancel(
        booking=booking, by=pupil, reason="Malade", now=WEDNESDAY_2PM - datetime.timedelta(hours=2)
    )
    with pytest.raises(ValidationError, match="ne peut plus être annulé"):
        services.booking_cancel(booking=booking, by=pupil, reason="Encore", now=NOW)


def test_platform_staff_may_cancel_after_the_cutoff(tutor, pupil):
    booking = book(pupil, tutor)
    staff = factories.UserFactory(staff=True)
    services.booking_cancel(
        booking=booking, by=staff, reason="Tuteur malade", now=WEDNESDAY_2PM - datetime.timedelta(hours=1)
    )
    assert booking.status == "cancelled"


def test_a_slot_emptied_by_its_tutor_closes(tutor, pupil):
    booking = book(pupil, tutor)
    services.booking_cancel(booking=booking, by=tutor, reason="Empêchement", now=NOW)
    assert Slot.objects.get().status == "cancelled"
    assert selectors.find_open_slot(tutor=tutor, starts_at=WEDNESDAY_2PM, now=NOW) is None
    with pytest.raises(ValidationError):
        book(pupil, tutor)


def test_reschedule_moves_to_another_open_slot(tutor, pupil, told, django_capture_on_commit_callbacks):
    booking = book(pupil, tutor, message="CV")
    told.clear()
    later = WEDNESDAY_2PM + datetime.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        new = services.booking_reschedule(
            booking=booking, by=pupil, starts_at=later, reason="Contrôle de maths", now=NOW
        )
    assert (new.starts_at, new.topic, new.message, new.status, new.rescheduled_from_id) == (
        later, "cv", "CV", "booked", booking.pk,
    )  # fmt: skip
    assert new.uid != booking.uid
    assert (booking.status, booking.cancel_reason) == ("cancelled", "Contrôle de maths")
    assert told == [
        ("rescheduled", booking.pk, new.pk),
        ("signal", "cancelled", booking.pk),
        ("signal", "rescheduled", new.pk),
    ]
    assert [b.pk for b in selectors.bookings_of_pupil(pupil, now=NOW)] == [new.pk]
    assert dict(Slot.objects.values_list("starts_at", "seats_taken")) == {WEDNESDAY_2PM: 0, later: 1}


def test_a_failed_reschedule_changes_nothing(tutor, pupil):
    booking = book(pupil, tutor)
    with pytest.raises(ValidationError, match="pas ou plus proposé"):
        services.booking_reschedule(
            booking=booking, by=pupil, starts_at=WEDNESDAY_2PM + datetime.timedelta(minutes=5), reason="Autre", now=NOW
        )
    with pytest.raises(ValidationError, match="autre horaire"):
        services.booking_reschedule(booking=booking, by=pupil, starts_at=WEDNESDAY_2PM, reason="Autre", now=NOW)
    with pytest.raises(ValidationError, match="24 heures"):
        services.booking_reschedule(
            booking=booking,
            by=pupil,
            starts_at=WEDNESDAY_2PM + datetime.timedelta(days=7),
            reason="Autre",
            now=WEDNESDAY_2PM - datetime.timedelta(hours=1),
        )
    booking.refresh_from_db()
    assert (booking.status, booking.sequence) == ("booked", 0)
    assert Booking.objects.count() == 1
    assert Slot.objects.get().seats_taken == 1


def test_the_tutor_marks_attendance_once_started(tutor, pupil):
    booking = book(pupil, tutor)
    with pytest.raises(ValidationError, match="une fois le rendez-vous commencé"):
        services.booking_mark(booking=booking, by=tutor, attended=False, now=NOW)
    services.booking_mark(booking=booking, by=tutor, attended=False, now=WEDNESDAY_2PM)
    assert booking.status == "no_show"
    services.booking_mark(booking=booking, by=tutor, attended=True, now=WEDNESDAY_2PM)
    booking.refresh_from_db()
    assert booking.status == "attended"
    other = book(factories.EnrolmentFactory().pupil, tutor)
    services.booking_cancel(booking=other, by=tutor, reason="Empêchement", now=NOW)
    with pytest.raises(ValidationError, match="annulé"):
        services.booking_mark(booking=other, by=tutor, attended=True, now=WEDNESDAY_2PM)


# --- Selectors of bookings --------------------------------------------------------------------------------------


def test_bookings_lists_and_supervisors(tutor, pupil):
    booking = book(pupil, tutor)
    assert list(selectors.bookings_of_pupil(pupil, now=NOW)) == [booking]
    assert list(selectors.bookings_of_pupil(pupil, upcoming=False, now=NOW)) == []
    assert list(
        selectors.bookings_of_pupil(pupil, upcoming=False, now=WEDNESDAY_2PM + datetime.timedelta(hours=1))
    ) == [booking]
    assert list(selectors.bookings_of_tutor(tutor, start=NOW, end=NOW + datetime.timedelta(days=7))) == [booking]
    assert list(selectors.bookings_of_tutor(tutor, start=WEDNESDAY_2PM + datetime.timedelta(minutes=1))) == []
    assert list(
        selectors.tutoring_bookings_of_pupils([pupil.pk], start=NOW, end=WEDNESDAY_2PM + datetime.timedelta(minutes=1))
    ) == [booking]

    school_class = pupil.enrolments.get().school_class
    teacher = factories.SchoolStaffFactory(school=school_class.school).user
    unconfirmed = factories.SchoolStaffFactory(school=school_class.school, pending=True).user
    school_class.teachers.add(teacher, unconfirmed)  # only confirmed staff of the school watch over her
    association = factories.AssociationFactory()
    factories.AssociationMembershipFactory(user=tutor, association=association, role="tutor")
    staff = factories.AssociationMembershipFactory(association=association).user
    factories.AssociationMembershipFactory(association=association, pending=True)
    factories.AssociationMembershipFactory()  # another association's staff
    assert selectors.booking_supervisors(booking) == {teacher, staff}

    # Permissions follow.
    outsider = factories.UserFactory()
    platform = factories.UserFactory(staff=True)
    assert [permissions.can_view_booking(u, booking) for u in (pupil, tutor, teacher, staff, platform, outsider)] == [
        True, True, True, True, True, False,
    ]  # fmt: skip
    assert [permissions.can_cancel_booking(u, booking) for u in (pupil, tutor, teacher, staff, platform)] == [
        True, True, False, False, True,
    ]  # fmt: skip
    assert [permissions.can_mark_booking(u, booking) for u in (pupil, tutor, platform)] == [False, True, True]
    assert permissions.can_reschedule_booking(pupil, booking)


def test_tutor_and_pupil_predicates(tutor, pupil):
    affiliated = factories.AssociationMembershipFactory(role="tutor").user
    pending = factories.AssociationMembershipFactory(role="tutor", pending=True).user
    assert [permissions.is_tutor(u) for u in (tutor, affiliated, pending, pupil)] == [True, True, False, False]
    assert permissions.can_offer_tutoring(tutor)
    assert permissions.can_book_tutoring(pupil)
    assert not permissions.can_book_tutoring(tutor)
    assert permissions.can_manage_availability(tutor, tutor)
    assert not permissions.can_manage_availability(pupil, tutor)


# --- Settings, rules, exceptions, attestations ------------------------------------------------------------------


def test_settings_update(db):
    user = factories.UserFactory(time_zone="Indian/Reunion")
    settings = services.availability_settings_update(user=user, min_notice_hours=48, max_per_week=5)
    assert (settings.time_zone, settings.min_notice_hours, settings.max_per_week) == ("Indian/Reunion", 48, 5)
    with pytest.raises(ValidationError) as error:
        services.availability_settings_update(
            user=user, time_zone="Europe/London", horizon_days=0, min_notice_hours=999, max_per_day=0, school_zone="Z"
        )
    assert set(error.value.message_dict) == {
        "time_zone",
        "horizon_days",
        "min_notice_hours",
        "max_per_day",
        "school_zone",
    }
    with pytest.raises(ValidationError, match="par semaine"):
        services.availability_settings_update(user=user, max_per_day=6)
    with pytest.raises(ValidationError) as error:
        services.availability_settings_update(user=user, association=factories.AssociationFactory())
    assert "association" in error.value.message_dict
    membership = factories.AssociationMembershipFactory(user=user, role="tutor")
    assert (
        services.availability_settings_update(user=user, association=membership.association).association
        == membership.association
    )
    settings.refresh_from_db()
    assert settings.max_per_day is None


def _rule_fields(**overrides):
    fields = {
        "rrule": "FREQ=WEEKLY;BYDAY=MO,TH",
        "starts_on": datetime.date(2027, 3, 1),
        "start_time": datetime.time(17),
        "end_time": datetime.time(18, 30),
        "slot_minutes": 45,
        "format": "group",
        "group_size": 4,
        "topics": ["homework"],
    }
    return {**fields, **overrides}


def test_rule_create_update_delete(tutor):
    rule = services.rule_create(owner=tutor, **_rule_fields(rrule="freq=weekly;byday=th,mo"))
    assert (rule.rrule, rule.time_zone) == ("FREQ=WEEKLY;BYDAY=MO,TH", "Europe/Paris")
    with pytest.raises(ValidationError, match="chevauche"):
        services.rule_create(owner=tutor, **_rule_fields(start_time=datetime.time(18), end_time=datetime.time(19)))
    with pytest.raises(ValidationError, match="chevauche"):
        services.rule_update(rule=rule, rrule="FREQ=WEEKLY;BYDAY=WE", start_time=datetime.time(15))
    rule.refresh_from_db()
    assert rule.rrule == "FREQ=WEEKLY;BYDAY=MO,TH"
    updated = services.rule_update(rule=rule, end_time=datetime.time(19))
    assert updated.end_time == datetime.time(19)
    # Another purpose may overlap.
    services.rule_create(
        owner=tutor, purpose="sessions", topics=[], **{k: v for k, v in _rule_fields().items() if k != "topics"}
    )
    with pytest.raises(ValidationError) as error:
        services.rule_create(owner=tutor, **_rule_fields(rrule="FREQ=MONTHLY", end_time=datetime.time(16)))
    assert {"rrule", "end_time"} <= set(error.value.message_dict)
    assert AvailabilityRule.objects.filter(owner=tutor).count() == 3
    services.rule_delete(rule=updated)
    assert AvailabilityRule.objects.filter(owner=tutor).count() == 2


def test_one_to_one_rules_need_an_attestation(tutor):
    with pytest.raises(ValidationError) as error:
        services.rule_create(owner=tutor, **_rule_fields(format="one_to_one", group_size=1))
    assert "attestation" in error.value.message_dict["format"][0]
    services.attestation_record(
        user=tutor,
        issued_on=datetime.date.today() - datetime.timedelta(days=10),  # noqa: DTZ011
        expires_on=datetime.date.today() + datetime.timedelta(days=300),  # noqa: DTZ011
        recorded_by=factories.UserFactory(staff=True),
    )
    assert services.rule_create(owner=tutor, **_rule_fields(format="one_to_one", group_size=1)).format == "one_to_one"


def test_attestation_record_checks_dates(tutor):
    today = datetime.date.today()  # noqa: DTZ011
    staff = factories.UserFactory(staff=True)
    cases = [
        (
            {"issued_on": today + datetime.timedelta(days=1), "expires_on": today + datetime.timedelta(days=30)},
            "issued_on",
        ),
        ({"issued_on": today, "expires_on": today}, "expires_on"),
        (
            {"issued_on": today - datetime.timedelta(days=400), "expires_on": today - datetime.timedelta(days=1)},
            "expires_on",
        ),
        ({"issued_on": None, "expires_on": None}, "issued_on"),
    ]
    for dates, field in cases:
        with pytest.raises(ValidationError) as error:
            services.attestation_record(user=tutor, recorded_by=staff, **dates)
        assert field in error.value.message_dict
    assert not HonourabilityAttestation.objects.exists()
    attestation = services.attestation_record(
        user=tutor, issued_on=today, expires_on=today + datetime.timedelta(days=3 * 365), recorded_by=staff
    )
    assert attestation.recorded_by == staff
    assert selectors.current_attestation(tutor) == attestation


def test_exceptions(tutor, pupil):
    day_off = services.exception_create(owner=tutor, kind="unavailable", date=datetime.date(2027, 3, 3))
    assert selectors.find_open_slot(tutor=tutor, starts_at=WEDNESDAY_2PM, now=NOW) is None
    extra = services.exception_create(
        owner=tutor, kind="extra", date=datetime.date(2027, 3, 6), start_time=datetime.time(10),
        end_time=datetime.time(11), slot_minutes=60, group_size=2, topics=["orientation"],
    )  # fmt: skip
    saturday = datetime.datetime(2027, 3, 6, 10, tzinfo=PARIS).astimezone(UTC)
    booking = book(pupil, tutor, starts_at=saturday, topic="orientation")
    assert (booking.slot.seats, booking.slot.rule_id) == (2, None)
    with pytest.raises(ValidationError) as error:
        services.exception_create(owner=tutor, kind="extra", date=datetime.date(2027, 3, 7))
    assert "start_time" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.exception_create(
            owner=tutor, kind="extra", date=datetime.date(2027, 3, 7), start_time=datetime.time(10),
            end_time=datetime.time(11), format="one_to_one", topics=["cv"],
        )  # fmt: skip
    services.exception_delete(exception=day_off)
    assert selectors.find_open_slot(tutor=tutor, starts_at=WEDNESDAY_2PM, now=NOW) is not None
    assert list(AvailabilityException.objects.all()) == [extra]
