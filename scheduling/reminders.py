"""Reminders: 24 hours and 1 hour before each tutoring booking and each discovery session, to everyone taking
part; pupils without e-mail through one daily digest to each of their teachers; the attestation-expiry reminder.

Exactly once: each reminder inserts its `ReminderSent` row (unique on kind, object, recipient, offset) and sends
its e-mail in one transaction. A second worker inserting the same row waits for the first one's transaction,
then fails on the unique constraint and sends nothing; if the sending fails, the row goes with the rollback and
the next pass (or the task's retry) sends it. The booking or session is locked and checked in that transaction
too, so that a cancellation that lands meanwhile is never reminded.

Which reminder: a pass at `now` reminds what starts within the next hour (offset "1h") or, failing that, within
the next 24 hours ("24h"). A booking made after a reminder's moment does not get that reminder: its confirmation
has just been sent. The periodic task runs every 5 minutes (backend/periodic.py).
"""

import datetime
import logging
import zoneinfo
from collections import defaultdict
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.enums import MembershipStatus
from backend.accounts.models import User
from backend.schools.models import Enrolment, SchoolClass
from scheduling import calendar_selectors as people
from scheduling import notifications
from scheduling.enums import BookingStatus, ReminderOffset, SessionBookingStatus, SessionStatus
from scheduling.models import Booking, DiscoverySession, HonourabilityAttestation, ReminderSent, SessionBooking

logger = logging.getLogger(__name__)

OFFSETS = {ReminderOffset.HOUR: datetime.timedelta(hours=1), ReminderOffset.DAY: datetime.timedelta(hours=24)}
DIGEST_HOUR = 7  # teachers get their pupils' digest from 7:00 in their own time zone
ATTESTATION_NOTICE_DAYS = 30

KIND_BOOKING = "booking"
KIND_SESSION = "session"
KIND_DIGEST = "digest"


def due_offset(starts_at: datetime.datetime, now: datetime.datetime) -> ReminderOffset | None:
    """The reminder due at `now` for something starting at `starts_at`: "1h", "24h" or none."""
    remaining = starts_at - now
    if remaining <= datetime.timedelta(0):
        return None
    if remaining <= OFFSETS[ReminderOffset.HOUR]:
        return ReminderOffset.HOUR
    if remaining <= OFFSETS[ReminderOffset.DAY]:
        return ReminderOffset.DAY
    return None


def _send_once(*, kind: str, object_id: int, recipient: User, offset: str, still_due, build) -> bool:
    """Inserts the reminder's row and sends its e-mail in one transaction; False if it was sent already or is no
    longer due."""
    try:
        with transaction.atomic():
            if not still_due():
                return False
            ReminderSent.objects.create(kind=kind, object_id=object_id, recipient=recipient, offset=offset)
            build().send()
    except IntegrityError:
        return False
    return True


def _already_sent(kind: str, object_ids) -> set[tuple[int, int, str]]:
    return set(
        ReminderSent.objects.filter(kind=kind, object_id__in=list(object_ids)).values_list(
            "object_id", "recipient_id", "offset"
        )
    )


def _message(recipient: User, *, subject: str, template: str, context: dict):
    text, html = notifications.render(recipient, template=template, context=context)
    return notifications.email_message(subject=subject, text=text, html=html, to=[recipient.email], attachments=[])


def _booking_still_booked(pk: int):
    return lambda: (
        Booking.objects.select_for_update().filter(pk=pk, status=BookingStatus.BOOKED).values_list("pk").first()
        is not None
    )


def _session_still_on(pk: int):
    return lambda: (
        DiscoverySession.objects.select_for_update()
        .filter(pk=pk, status=SessionStatus.PUBLISHED)
        .values_list("pk")
        .first()
        is not None
    )


def _subject(offset: str, title: str) -> str:
    if offset == ReminderOffset.HOUR:
        return _("Passerelle : dans une heure, %(title)s") % {"title": title}
    return _("Passerelle : demain, %(title)s") % {"title": title}


def _booking_reminders(now: datetime.datetime) -> int:
    sent = 0
    bookings = list(
        Booking.objects.filter(
            status=BookingStatus.BOOKED, starts_at__gt=now, starts_at__lte=now + OFFSETS[ReminderOffset.DAY]
        ).select_related("slot__tutor", "pupil__pupil_profile")
    )
    done = _already_sent(KIND_BOOKING, (booking.pk for booking in bookings))
    for booking in bookings:
        offset = due_offset(booking.starts_at, now)
        if offset is None or booking.created_at > booking.starts_at - OFFSETS[offset]:
            continue
        recipients = [(booking.slot.tutor, "tutor")]
        if booking.pupil.email:
            recipients.append((booking.pupil, "pupil"))
        topic = people.topic_label(booking.topic)
        for recipient, role in recipients:
            if not recipient.email or not recipient.is_active or (booking.pk, recipient.pk, offset) in done:
                continue
            context = {
                "kind": KIND_BOOKING,
                "offset": offset,
                "role": role,
                "booking": booking,
                "topic": topic,
                "tutor_name": booking.slot.tutor.display_name,
                "pupil_name": booking.pupil.display_name,
                "link": people.page_url(people.TUTORING_PAGES, booking.pk),
            }
            sent += _send_once(
                kind=KIND_BOOKING,
                object_id=booking.pk,
                recipient=recipient,
                offset=offset,
                still_due=_booking_still_booked(booking.pk),
                build=partial(
                    _message,
                    recipient,
                    subject=_subject(offset, _("rendez-vous de tutorat (%(topic)s)") % {"topic": topic}),
                    template="reminder",
                    context=context,
                ),
            )
    return sent


def _session_recipients(session: DiscoverySession) -> list[tuple[User, str, SessionBooking | None]]:
    recipients: list[tuple[User, str, SessionBooking | None]] = [
        (person, "host", None) for person in people.session_hosts(session)
    ]
    confirmed = session.bookings.filter(status=SessionBookingStatus.CONFIRMED).select_related(
        "school_class__school", "pupil__pupil_profile", "booked_by"
    )
    for session_booking in confirmed:
        if session_booking.pupil_id and session_booking.pupil.email:
            recipients.append((session_booking.pupil, "pupil", session_booking))
        if session_booking.school_class_id:
            recipients += [
                (teacher, "taker", session_booking) for teacher in people.session_booking_teachers(session_booking)
            ]
    seen, unique = set(), []
    for person, role, session_booking in recipients:
        if person.pk not in seen:
            seen.add(person.pk)
            unique.append((person, role, session_booking))
    return unique


def _session_reminders(now: datetime.datetime) -> int:
    sent = 0
    sessions = list(
        DiscoverySession.objects.filter(
            status=SessionStatus.PUBLISHED, starts_at__gt=now, starts_at__lte=now + OFFSETS[ReminderOffset.DAY]
        ).select_related("association", "host_organisation")
    )
    done = _already_sent(KIND_SESSION, (session.pk for session in sessions))
    for session in sessions:
        offset = due_offset(session.starts_at, now)
        if offset is None:
            continue
        for recipient, role, session_booking in _session_recipients(session):
            if not recipient.email or not recipient.is_active or (session.pk, recipient.pk, offset) in done:
                continue
            context = {
                "kind": KIND_SESSION,
                "offset": offset,
                "role": role,
                "session": session,
                "session_booking": session_booking,
                "party": session_booking.school_class.name if session_booking and session_booking.school_class else "",
                "link": people.page_url(people.SESSION_PAGES, session.pk),
            }
            sent += _send_once(
                kind=KIND_SESSION,
                object_id=session.pk,
                recipient=recipient,
                offset=offset,
                still_due=_session_still_on(session.pk),
                build=partial(
                    _message,
                    recipient,
                    subject=_subject(offset, _("séquence « %(title)s »") % {"title": session.title}),
                    template="reminder",
                    context=context,
                ),
            )
    return sent


# Teachers' digests ------------------------------------------------------------------------------------------------


def _teachers_of_pupils(pupil_ids) -> dict[int, list[User]]:
    """pupil id → the confirmed teachers of her current class, in two queries."""
    class_of = dict(
        Enrolment.objects.filter(pupil_id__in=list(pupil_ids), left_at__isnull=True).values_list(
            "pupil_id", "school_class_id"
        )
    )
    teachers_of_class: dict[int, list[User]] = defaultdict(list)
    links = SchoolClass.teachers.through.objects.filter(schoolclass_id__in=set(class_of.values())).select_related(
        "user", "schoolclass"
    )
    for link in links:
        confirmed = link.user.school_memberships.filter(
            school_id=link.schoolclass.school_id, status=MembershipStatus.CONFIRMED
        ).exists()
        if confirmed and link.user.is_active and link.user.email:
            teachers_of_class[link.schoolclass_id].append(link.user)
    return {pupil_id: teachers_of_class.get(class_id, []) for pupil_id, class_id in class_of.items()}


def digest_items(now: datetime.datetime) -> list[dict]:
    """The appointments of pupils without e-mail in the next 48 hours: tutoring bookings and sessions they booked
    themselves (a class's session reaches its teachers directly)."""
    end = now + datetime.timedelta(hours=48)
    items = []
    bookings = Booking.objects.filter(
        status=BookingStatus.BOOKED, starts_at__gt=now, starts_at__lte=end, pupil__email=""
    ).select_related("slot__tutor", "pupil__pupil_profile")
    for booking in bookings:
        items.append(
            {
                "pupil": booking.pupil,
                "pupil_name": booking.pupil.display_name,
                "starts_at": booking.starts_at,
                "ends_at": booking.ends_at,
                "what": _("Tutorat : %(topic)s avec %(name)s")
                % {"topic": people.topic_label(booking.topic), "name": booking.slot.tutor.display_name},
            }
        )
    session_bookings = SessionBooking.objects.filter(
        status=SessionBookingStatus.CONFIRMED,
        pupil__isnull=False,
        pupil__email="",
        session__status=SessionStatus.PUBLISHED,
        session__starts_at__gt=now,
        session__starts_at__lte=end,
    ).select_related("session", "pupil__pupil_profile")
    for session_booking in session_bookings:
        items.append(
            {
                "pupil": session_booking.pupil,
                "pupil_name": session_booking.pupil.display_name,
                "starts_at": session_booking.session.starts_at,
                "ends_at": session_booking.session.ends_at,
                "what": _("Séquence de découverte : %(title)s") % {"title": session_booking.session.title},
            }
        )
    return sorted(items, key=lambda item: (item["starts_at"], item["pupil_name"]))


def _digests(now: datetime.datetime) -> int:
    items = digest_items(now)
    if not items:
        return 0
    teachers_of = _teachers_of_pupils({item["pupil"].pk for item in items})
    by_teacher: dict[int, tuple[User, list[dict]]] = {}
    for item in items:
        for teacher in teachers_of.get(item["pupil"].pk, []):
            by_teacher.setdefault(teacher.pk, (teacher, []))[1].append(item)
    sent = 0
    for teacher, teacher_items in by_teacher.values():
        local_now = now.astimezone(datetime.UTC).astimezone(_zone(teacher))
        if local_now.hour < DIGEST_HOUR:
            continue
        today = local_now.date()
        tomorrow = today + datetime.timedelta(days=1)
        today_items = [item for item in teacher_items if item["starts_at"].astimezone(_zone(teacher)).date() == today]
        tomorrow_items = [
            item for item in teacher_items if item["starts_at"].astimezone(_zone(teacher)).date() == tomorrow
        ]
        if not today_items and not tomorrow_items:
            continue
        context = {"today": today, "tomorrow": tomorrow, "today_items": today_items, "tomorrow_items": tomorrow_items}
        sent += _send_once(
            kind=KIND_DIGEST,
            object_id=int(today.strftime("%Y%m%d")),
            recipient=teacher,
            offset=ReminderOffset.DAY,
            still_due=lambda: True,
            build=partial(
                _message,
                teacher,
                subject=_("Passerelle : les rendez-vous de vos élèves aujourd'hui et demain"),
                template="digest",
                context=context,
            ),
        )
    return sent


def _zone(user: User) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(user.time_zone or settings.TIME_ZONE)


def reminders_send(*, now: datetime.datetime | None = None) -> dict:
    """The periodic pass: every reminder and digest due at `now` that has not been sent yet. Safe to run twice, or
    in two workers at once."""
    now = now or timezone.now()
    return {
        "bookings": _booking_reminders(now),
        "sessions": _session_reminders(now),
        "digests": _digests(now),
    }


# Attestations d'honorabilité ---------------------------------------------------------------------------------------


def attestations_expiry_remind(*, now: datetime.datetime | None = None) -> int:
    """Tells each tutor whose latest attestation expires within 30 days, and his association's staff, once: the
    attestation's `expiry_reminder_sent_at` is set in the transaction that sends the e-mails."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    newer = HonourabilityAttestation.objects.filter(user=OuterRef("user"), expires_on__gt=OuterRef("expires_on"))
    due = HonourabilityAttestation.objects.filter(
        expiry_reminder_sent_at__isnull=True,
        expires_on__gte=today,
        expires_on__lte=today + datetime.timedelta(days=ATTESTATION_NOTICE_DAYS),
    ).exclude(Exists(newer))
    reminded = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            attestation = (
                HonourabilityAttestation.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("user")
                .filter(pk=pk, expiry_reminder_sent_at__isnull=True)
                .first()
            )
            if attestation is None:
                continue
            tutor = attestation.user
            recipients = [(tutor, "tutor")] + [
                (staff, "staff") for staff in people.tutor_association_staff(tutor) if staff.pk != tutor.pk
            ]
            for recipient, role in recipients:
                if not recipient.email or not recipient.is_active:
                    continue
                _message(
                    recipient,
                    subject=_("Passerelle : une attestation d'honorabilité expire bientôt"),
                    template="attestation_expiry",
                    context={
                        "attestation": attestation,
                        "role": role,
                        "tutor_name": tutor.display_name,
                        "link": people.page_url(("scheduling:safeguarding_mine", "scheduling:calendar"))
                        if role == "tutor"
                        else people.page_url(("scheduling:safeguarding_tutors", "scheduling:calendar")),
                    },
                ).send()
            attestation.expiry_reminder_sent_at = now
            attestation.save(update_fields=["expiry_reminder_sent_at"])
            reminded += 1
    return reminded
