"""Reminders 24 h and 1 h ahead, the teachers' digest and the attestation-expiry reminder, with a controlled clock:
each sent exactly once, even run twice or by two workers at once; never for what is cancelled."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection

from backend import periodic
from backend.celery import app
from scheduling import reminders, tasks
from scheduling.enums import BookingStatus, ReminderOffset, SessionBookingStatus
from scheduling.models import Booking, HonourabilityAttestation, ReminderSent, SessionBooking
from tests import factories
from tests.scheduling.calendar_support import PUPIL_SURNAME, make_people
from tests.scheduling.factories import HonourabilityAttestationFactory, SeatedBookingFactory, SlotFactory

UTC = datetime.UTC
START = datetime.datetime(2027, 10, 31, 9, 0, tzinfo=UTC)  # 13:00 in La Réunion, where the teacher lives
HOUR = datetime.timedelta(hours=1)


def addresses() -> list[str]:
    return sorted(message.to[0] for message in mail.outbox)


@pytest.fixture
def people(db):
    return make_people(starts_at=START)


def test_the_due_offset():
    assert reminders.due_offset(START, START - 25 * HOUR) is None
    assert reminders.due_offset(START, START - 24 * HOUR) == ReminderOffset.DAY
    assert reminders.due_offset(START, START - 61 * datetime.timedelta(minutes=1)) == ReminderOffset.DAY
    assert reminders.due_offset(START, START - HOUR) == ReminderOffset.HOUR
    assert reminders.due_offset(START, START) is None


def test_a_booking_is_reminded_a_day_then_an_hour_before_each_once(people):
    # A day and an hour before: too early for the tutor; the teacher's digest of that day lists it for tomorrow.
    assert reminders.reminders_send(now=START - 25 * HOUR) == {"bookings": 0, "sessions": 0, "digests": 1}
    assert addresses() == [people.teacher.email]

    day_before = START - 23 * HOUR
    assert reminders.reminders_send(now=day_before) == {"bookings": 1, "sessions": 0, "digests": 0}
    assert addresses() == sorted([people.tutor.email, people.teacher.email])
    reminder = next(message for message in mail.outbox if message.to == [people.tutor.email])
    assert "Léa S." in reminder.body
    assert "10:00" in reminder.body  # Paris, the day winter time comes back
    digest = next(message for message in mail.outbox if message.to == [people.teacher.email])
    assert "Léa S." in digest.body
    assert "13:00" in digest.body  # La Réunion
    assert "Demain" in digest.body
    assert PUPIL_SURNAME not in digest.body + reminder.body

    # Run again at once, or a little later: nothing more.
    assert reminders.reminders_send(now=day_before) == {"bookings": 0, "sessions": 0, "digests": 0}
    assert reminders.reminders_send(now=day_before + 2 * HOUR)["bookings"] == 0
    assert len(mail.outbox) == 2

    mail.outbox.clear()
    assert reminders.reminders_send(now=START - 50 * datetime.timedelta(minutes=1))["bookings"] == 1
    assert reminders.reminders_send(now=START - 10 * datetime.timedelta(minutes=1))["bookings"] == 0
    hour_reminders = [message for message in mail.outbox if message.to == [people.tutor.email]]
    assert len(hour_reminders) == 1
    assert "Dans une heure" in hour_reminders[0].body
    assert set(
        ReminderSent.objects.filter(kind="booking", object_id=people.booking.pk).values_list("offset", flat=True)
    ) == {"24h", "1h"}


def test_a_cancelled_booking_is_never_reminded(people):
    Booking.objects.filter(pk=people.booking.pk).update(status=BookingStatus.CANCELLED)
    assert reminders.reminders_send(now=START - 23 * HOUR) == {"bookings": 0, "sessions": 0, "digests": 0}
    assert reminders.reminders_send(now=START - HOUR) == {"bookings": 0, "sessions": 0, "digests": 0}
    assert not mail.outbox


def test_a_booking_made_after_a_reminder_s_moment_skips_that_reminder(people):
    Booking.objects.filter(pk=people.booking.pk).update(created_at=START - 5 * HOUR)
    assert reminders.reminders_send(now=START - 4 * HOUR)["bookings"] == 0
    assert reminders.reminders_send(now=START - HOUR)["bookings"] == 1


def test_a_session_reminds_hosts_and_teachers_of_confirmed_classes(people):
    session_start = people.session.starts_at
    waiting_class = factories.SchoolClassFactory(school=people.school)
    waiting_teacher = factories.SchoolStaffFactory(school=people.school).user
    waiting_class.teachers.add(waiting_teacher)
    SessionBooking.objects.create(
        session=people.session, school_class=waiting_class, status=SessionBookingStatus.PENDING
    )
    assert reminders.reminders_send(now=session_start - 20 * HOUR)["sessions"] == 3
    assert addresses() == sorted([people.professional.email, people.facilitator.email, people.teacher.email])
    teacher_message = next(message for message in mail.outbox if message.to == [people.teacher.email])
    assert people.session.video_url in teacher_message.body
    assert "3e B" in teacher_message.body
    assert reminders.reminders_send(now=session_start - 20 * HOUR)["sessions"] == 0


def test_the_digest_waits_for_seven_in_the_teacher_s_zone_and_goes_once_a_day(people):
    # 2027-10-30 02:00 UTC is 06:00 in La Réunion: too early.
    early = datetime.datetime(2027, 10, 30, 2, 0, tzinfo=UTC)
    assert reminders.reminders_send(now=early)["digests"] == 0
    assert reminders.reminders_send(now=early + HOUR)["digests"] == 1
    assert reminders.reminders_send(now=early + 5 * HOUR)["digests"] == 0
    # The next day from 07:00, the appointment is today's.
    assert reminders.reminders_send(now=early + 24 * HOUR)["digests"] == 0
    assert reminders.reminders_send(now=early + 25 * HOUR)["digests"] == 1
    digest = [message for message in mail.outbox if message.to == [people.teacher.email]][-1]
    assert "Aujourd'hui" in digest.body
    assert ReminderSent.objects.filter(kind="digest", recipient=people.teacher).count() == 2


def test_a_failed_send_leaves_no_trace_and_the_next_pass_sends_it(people, monkeypatch):
    original = EmailMultiAlternatives.send

    def broken(self, *args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", broken)
    with pytest.raises(OSError, match="SMTP down"):
        reminders.reminders_send(now=START - 23 * HOUR)
    assert not ReminderSent.objects.exists()
    monkeypatch.setattr(EmailMultiAlternatives, "send", original)
    assert reminders.reminders_send(now=START - 23 * HOUR)["bookings"] == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once():
    # Two workers exist only in production, on PostgreSQL; the embedded mode's beat runs the job in one process
    # (and an in-memory SQLite test database locks its tables instead of waiting).
    if connection.vendor != "postgresql":
        pytest.skip("two concurrent workers need PostgreSQL (set DATABASE_URL)")
    people = make_people(starts_at=START)
    for _n in range(4):  # more bookings, more chances to collide
        tutor = factories.TutorProfileFactory().user
        slot = SlotFactory(tutor=tutor, starts_at=START, ends_at=START + datetime.timedelta(minutes=45))
        SeatedBookingFactory(slot=slot, pupil=factories.EnrolmentFactory(school_class=people.school_class).pupil)
    now = START - 23 * HOUR
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(reminders.reminders_send(now=now))
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(result["bookings"] for result in results) == 5
    assert sum(result["digests"] for result in results) == 1
    tutor_mails = [message for message in mail.outbox if message.to[0] != people.teacher.email]
    assert len(tutor_mails) == 5
    assert len({message.to[0] for message in tutor_mails}) == 5
    assert ReminderSent.objects.count() == 6


@pytest.mark.django_db
def test_the_attestation_expiry_reminder_goes_once_to_the_tutor_and_his_association(people):
    today = datetime.date(2027, 6, 1)
    now = datetime.datetime(2027, 6, 1, 8, 15, tzinfo=UTC)
    attestation = HonourabilityAttestationFactory(
        user=people.tutor, issued_on=datetime.date(2024, 6, 20), expires_on=today + datetime.timedelta(days=20)
    )
    far = HonourabilityAttestationFactory(expires_on=today + datetime.timedelta(days=200))
    HonourabilityAttestationFactory(expires_on=today - datetime.timedelta(days=1))  # already expired
    assert reminders.attestations_expiry_remind(now=now) == 1
    assert addresses() == sorted([people.tutor.email, people.staff.email, people.facilitator.email])
    tutor_message = next(message for message in mail.outbox if message.to == [people.tutor.email])
    assert "21 juin 2027" in tutor_message.body
    attestation.refresh_from_db()
    assert attestation.expiry_reminder_sent_at == now
    assert reminders.attestations_expiry_remind(now=now + 24 * HOUR) == 0
    assert len(mail.outbox) == 3
    assert not HonourabilityAttestation.objects.get(pk=far.pk).expiry_reminder_sent_at


@pytest.mark.django_db
def test_a_renewed_attestation_silences_the_old_one(people):
    today = datetime.date(2027, 6, 1)
    HonourabilityAttestationFactory(
        user=people.tutor, issued_on=datetime.date(2024, 6, 20), expires_on=today + datetime.timedelta(days=20)
    )
    HonourabilityAttestationFactory(
        user=people.tutor, issued_on=datetime.date(2027, 5, 1), expires_on=datetime.date(2030, 5, 1)
    )
    assert reminders.attestations_expiry_remind(now=datetime.datetime(2027, 6, 1, 8, 0, tzinfo=UTC)) == 0
    assert not mail.outbox


@pytest.mark.django_db
def test_the_tasks_run_the_passes_and_beat_runs_them_every_five_minutes(people):
    assert tasks.reminders_send_task.delay().get() == {"bookings": 0, "sessions": 0, "digests": 0}
    assert tasks.attestations_expiry_remind_task.delay().get() == 0
    app.loader.import_default_modules()
    jobs = {job.task: job for job in periodic.JOBS}
    assert jobs["scheduling.tasks.reminders_send_task"].minute == "*/5"
    assert "scheduling.tasks.attestations_expiry_remind_task" in jobs
    for name in jobs:
        assert name in app.tasks
    assert tasks.reminders_send_task.acks_late
