"""Applications: a pupil applies to an offer, its managers answer, the pupil confirms; expiry and reminders.

States (see `ApplicationStatus`)::

    submitted → read → accepted → confirmed
         ↘        ↘        ↘  ↘
          declined (managers, with a reason) · withdrawn (the pupil) · expired (no answer, or no confirmation)

- An employer has 15 days to answer (reminders at 7 and 14 days); an accepted application that the pupil
  does not confirm within 7 days expires.
- Managers may accept again an accepted application with another week (its 7 days start again), or decline
  it, until the pupil confirms.
- Confirming takes a seat of the accepted week under a row lock (`select_for_update`), so that seats are never
  oversold. When the last seat is gone, confirming is refused with a message and the application **stays
  accepted**: the managers may propose another week, or decline it; unconfirmed, it expires after 7 days.
- Confirming withdraws the pupil's other pending applications that ask for the same week.
- Withdrawing a confirmed application gives its seat back.
- Confirming writes the internship agreement to sign; withdrawing a confirmed application cancels it (see
  `agreements.py`).

Pupils have no e-mail: they see every change on their applications page (`pupil_seen_at` keeps what they have
seen). Managers get an e-mail on a new application, on reminders and when an accepted or confirmed application
is withdrawn or an acceptance expires; the pupil's teachers when an application is accepted, declined,
confirmed or expires.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.enums import ConsentStatus
from backend.accounts.models import User
from backend.accounts.services import email_send_on_commit
from backend.offers import agreements, permissions
from backend.offers import application_selectors as selectors
from backend.offers import selectors as offer_selectors
from backend.offers.enums import PENDING_APPLICATION_STATUSES, ApplicationStatus, DeclineReason, OfferStatus
from backend.offers.models import Application, Offer, OfferWeek
from backend.schools.selectors import class_teachers, pupil_current_class

MOTIVATION_MIN = 20
MOTIVATION_MAX = 2000
DECLINE_DETAIL_MAX = 1000
NOTE_MAX = 2000
ANSWERABLE = (ApplicationStatus.SUBMITTED, ApplicationStatus.READ, ApplicationStatus.ACCEPTED)
WITHDRAWABLE = (*PENDING_APPLICATION_STATUSES, ApplicationStatus.CONFIRMED)


class ApplicationError(Exception):
    """A rule refused the operation; the message is meant for the person, `field` names the form field."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _link(name: str, pk: int) -> str:
    return settings.SITE_URL + reverse(name, args=[pk])


# Notifications ---------------------------------------------------------------------------------------------------


def _email(*, to: User, subject: str, template: str, context: dict) -> None:
    """One e-mail after commit, its dates written in the recipient's time zone."""
    if not to.email:
        return
    with timezone.override(to.time_zone or settings.TIME_ZONE):
        email_send_on_commit(to=to.email, subject=subject, template=template, context={**context, "recipient": to})


def _notify_managers_new(application: Application) -> None:
    for manager in offer_selectors.offer_managers(application.offer):
        _email(
            to=manager,
            subject=_("Passerelle : nouvelle candidature pour « %(title)s »") % {"title": application.offer.title},
            template="offers/email/application_new.txt",
            context={
                "application": application,
                "offer": application.offer,
                "pupil_name": application.pupil.display_name,
                "weeks": list(application.weeks.order_by("week_start")),
                "deadline": selectors.answer_deadline(application),
                "link": _link("offers:application_detail", application.pk),
            },
        )


def _notify_managers_closed(application: Application, *, reason: str) -> None:
    """An accepted or confirmed application is withdrawn, or an acceptance expired: the week has a seat again."""
    for manager in offer_selectors.offer_managers(application.offer):
        _email(
            to=manager,
            subject=_("Passerelle : une candidature pour « %(title)s » est close")
            % {"title": application.offer.title},
            template="offers/email/application_closed.txt",
            context={
                "application": application,
                "offer": application.offer,
                "pupil_name": application.pupil.display_name,
                "reason": reason,
                "link": _link("offers:offer_applications", application.offer_id),
            },
        )


def _notify_teachers(application: Application) -> None:
    """The pupil's teachers follow her applications: accepted, declined, confirmed, expired."""
    school_class = pupil_current_class(application.pupil)
    for teacher in class_teachers(school_class):
        _email(
            to=teacher,
            subject=_("Passerelle : candidature de %(name)s — %(status)s")
            % {"name": application.pupil.get_full_name(), "status": application.get_status_display()},
            template="offers/email/application_teacher_update.txt",
            context={
                "application": application,
                "offer": application.offer,
                "pupil_name": application.pupil.get_full_name(),
                "link": _link("offers:class_applications", school_class.pk),
            },
        )


def _notify_reminder(offer: Offer, applications: list[Application], *, last: bool) -> None:
    for manager in offer_selectors.offer_managers(offer):
        _email(
            to=manager,
            subject=(
                _("Passerelle : dernier rappel, des candidatures attendent votre réponse")
                if last
                else _("Passerelle : des candidatures attendent votre réponse")
            ),
            template="offers/email/application_reminder.txt",
            context={
                "offer": offer,
                "applications": [
                    {
                        "pupil_name": application.pupil.display_name,
                        "deadline": selectors.answer_deadline(application),
                        "link": _link("offers:application_detail", application.pk),
                    }
                    for application in applications
                ],
                "last": last,
                "link": _link("offers:offer_applications", offer.pk),
            },
        )


# Applying --------------------------------------------------------------------------------------------------------


def application_refusal(*, pupil: User, offer: Offer, now: datetime.datetime | None = None) -> str | None:
    """Why this pupil may not apply to this offer now, in words for her; None when she may."""
    if not getattr(pupil, "is_pupil", False):
        return _("Seuls les élèves peuvent candidater à une offre de stage.")
    if pupil.pupil_profile.consent_status == ConsentStatus.PENDING:
        return _(
            "Ton professeur doit d'abord recevoir l'accord de ton représentant légal : tu pourras candidater ensuite."
        )
    school_class = pupil_current_class(pupil)
    if school_class is None:
        return _("Rejoins d'abord ta classe avec le code de ton professeur : tu pourras candidater ensuite.")
    if not (
        offer.status == OfferStatus.PUBLISHED and offer.hidden_at is None and permissions.can_view_offer(pupil, offer)
    ):
        return _("Cette offre n'est plus ouverte aux candidatures.")
    if selectors.track_for_level(school_class.level) != offer.track:
        return _("Cette offre (« %(track)s ») ne correspond pas à ta classe (%(level)s).") % {
            "track": offer.get_track_display(),
            "level": school_class.get_level_display(),
        }
    if Application.objects.filter(offer=offer, pupil=pupil).exists():
        return _("Tu as déjà candidaté à cette offre : retrouve ta candidature dans « Mes candidatures ».")
    if not selectors.open_weeks(offer, now=now).exists():
        return _("Cette offre est complète : il ne reste plus de place pour les semaines à venir.")
    return None


def application_weeks_open_to(*, pupil: User, offer: Offer, now: datetime.datetime | None = None) -> list[OfferWeek]:
    """The weeks she may ask for: open weeks of the offer, except those of an internship she already confirmed."""
    taken = selectors.confirmed_week_starts(pupil)
    return [week for week in selectors.open_weeks(offer, now=now) if week.week_start not in taken]


@transaction.atomic
def application_submit(
    *,
    pupil: User,
    offer: Offer,
    motivation: str,
    weeks: Iterable[OfferWeek],
    now: datetime.datetime | None = None,
) -> Application:
    """A pupil applies to an offer with a motivation message and the weeks she can do.

    Only a pupil with her guardian's consent (or who needs none), in a class whose level suits the offer's
    track, for a published offer she may see, for weeks to come that still have a seat. A second application
    to the same offer is refused (the database's unique constraint says the same under a race). Her offer's
    managers are told by e-mail.
    """
    refusal = application_refusal(pupil=pupil, offer=offer, now=now)
    if refusal:
        raise ApplicationError(refusal)
    motivation = (motivation or "").strip()
    if len(motivation) < MOTIVATION_MIN:
        raise ApplicationError(
            _("Écris au moins %(min)s caractères pour expliquer pourquoi cette offre t'intéresse.")
            % {"min": MOTIVATION_MIN},
            field="motivation",
        )
    if len(motivation) > MOTIVATION_MAX:
        raise ApplicationError(
            _("Ton message est trop long : %(max)s caractères au plus.") % {"max": MOTIVATION_MAX},
            field="motivation",
        )
    wanted = {week.pk for week in weeks}
    if not wanted:
        raise ApplicationError(_("Choisis au moins une semaine."), field="weeks")
    allowed = {week.pk: week for week in application_weeks_open_to(pupil=pupil, offer=offer, now=now)}
    if not wanted <= set(allowed):
        raise ApplicationError(
            _("Une des semaines choisies n'est plus proposée ou n'a plus de place : choisis dans la liste."),
            field="weeks",
        )
    try:
        with transaction.atomic():
            application = Application.objects.create(
                offer=offer, pupil=pupil, motivation=motivation, pupil_seen_at=_now(now)
            )
    except IntegrityError:
        raise ApplicationError(
            _("Tu as déjà candidaté à cette offre : retrouve ta candidature dans « Mes candidatures »."),
        ) from None
    if now is not None:
        Application.objects.filter(pk=application.pk).update(created_at=now)
        application.created_at = now
    application.weeks.set([allowed[pk] for pk in sorted(wanted)])
    _notify_managers_new(application)
    return application


# Answering (the offer's managers) ----------------------------------------------------------------------------------


def _lock(application: Application) -> None:
    """Re-reads the application under a row lock, so that two people acting at once see each other's change."""
    application.refresh_from_db(from_queryset=Application.objects.select_for_update(of=("self",)))


def _require_manager(user: User, application: Application) -> None:
    if not permissions.can_answer_application(user, application):
        raise ApplicationError(_("Seules les personnes qui gèrent cette offre peuvent répondre aux candidatures."))


@transaction.atomic
def application_mark_read(*, application: Application, by: User, now: datetime.datetime | None = None) -> bool:
    """A manager of the offer opened the application: submitted becomes read. Platform staff looking at it as
    moderators leave it unread. True when it changed."""
    if by.is_staff or not permissions.can_answer_application(by, application):
        return False
    changed = Application.objects.filter(pk=application.pk, status=ApplicationStatus.SUBMITTED).update(
        status=ApplicationStatus.READ, read_at=_now(now), updated_at=_now(now)
    )
    if changed:
        application.status, application.read_at = ApplicationStatus.READ, _now(now)
    return bool(changed)


@transaction.atomic
def application_accept(
    *, application: Application, by: User, week: OfferWeek, now: datetime.datetime | None = None
) -> Application:
    """A manager accepts the application for one of the weeks the pupil asked for that still has a seat.

    Also from "accepted": proposing another week starts the pupil's 7 days again. The pupil's teachers are told.
    """
    _require_manager(by, application)
    _lock(application)
    if application.status not in ANSWERABLE:
        raise ApplicationError(
            _("Cette candidature est « %(status)s » : on ne peut plus l'accepter.")
            % {"status": application.get_status_display()}
        )
    if week is None or not application.weeks.filter(pk=week.pk).exists():
        raise ApplicationError(_("Choisissez une des semaines demandées par l'élève."), field="week")
    week = OfferWeek.objects.get(pk=week.pk)
    if week.week_start <= selectors.today(now):
        raise ApplicationError(_("Cette semaine est déjà commencée ou passée."), field="week")
    if week.seats_left <= 0:
        raise ApplicationError(_("Il ne reste plus de place pour cette semaine."), field="week")
    moment = _now(now)
    application.status = ApplicationStatus.ACCEPTED
    application.week = week
    application.answered_at = moment
    application.read_at = application.read_at or moment
    application.decline_reason, application.decline_detail = "", ""
    application.save(
        update_fields=["status", "week", "answered_at", "read_at", "decline_reason", "decline_detail", "updated_at"]
    )
    _notify_teachers(application)
    return application


@transaction.atomic
def application_decline(
    *,
    application: Application,
    by: User,
    reason: str,
    detail: str = "",
    now: datetime.datetime | None = None,
) -> Application:
    """A manager declines the application with a reason (and details for "other"), until the pupil confirms."""
    _require_manager(by, application)
    _lock(application)
    if application.status not in ANSWERABLE:
        raise ApplicationError(
            _("Cette candidature est « %(status)s » : on ne peut plus la refuser.")
            % {"status": application.get_status_display()}
        )
    if reason not in DeclineReason.values:
        raise ApplicationError(_("Choisissez le motif du refus."), field="reason")
    detail = (detail or "").strip()
    if reason == DeclineReason.OTHER and not detail:
        raise ApplicationError(_("Précisez la raison du refus pour l'élève."), field="detail")
    if len(detail) > DECLINE_DETAIL_MAX:
        raise ApplicationError(
            _("Les précisions sont trop longues : %(max)s caractères au plus.") % {"max": DECLINE_DETAIL_MAX},
            field="detail",
        )
    moment = _now(now)
    application.status = ApplicationStatus.DECLINED
    application.decline_reason, application.decline_detail = reason, detail
    application.answered_at = moment
    application.read_at = application.read_at or moment
    application.week = None
    application.save(
        update_fields=["status", "decline_reason", "decline_detail", "answered_at", "read_at", "week", "updated_at"]
    )
    _notify_teachers(application)
    return application


# The pupil ---------------------------------------------------------------------------------------------------------


def _require_owner(pupil: User, application: Application) -> None:
    if application.pupil_id != getattr(pupil, "pk", None):
        raise ApplicationError(_("Seul l'élève qui a candidaté peut faire cela."))


@transaction.atomic
def application_confirm(*, application: Application, pupil: User, now: datetime.datetime | None = None) -> Application:
    """The pupil confirms an acceptance within 7 days: a seat of the accepted week becomes hers.

    The week's row is locked (`select_for_update`) while its seats are counted, so concurrent confirmations
    never oversell it. When no seat is left the confirmation is refused with a message and the application
    stays accepted (the managers may propose another week). Her other pending applications asking for the
    same week are withdrawn. Her teachers are told.
    """
    _require_owner(pupil, application)
    _lock(application)
    moment = _now(now)
    if application.status != ApplicationStatus.ACCEPTED:
        raise ApplicationError(
            _("Cette candidature est « %(status)s » : il n'y a rien à confirmer.")
            % {"status": application.get_status_display()}
        )
    deadline = selectors.confirm_deadline(application)
    if deadline is not None and moment > deadline:
        raise ApplicationError(_("Le délai de 7 jours pour confirmer est dépassé."))
    week = OfferWeek.objects.select_for_update().get(pk=application.week_id)
    if week.seats_taken >= week.seats:
        raise ApplicationError(
            _(
                "Désolé, il n'y a plus de place pour la semaine du %(date)s : la structure peut te proposer une "
                "autre semaine."
            )
            % {"date": week.week_start.strftime("%d/%m/%Y")}
        )
    OfferWeek.objects.filter(pk=week.pk).update(seats_taken=F("seats_taken") + 1)
    application.status = ApplicationStatus.CONFIRMED
    application.confirmed_at = moment
    application.pupil_seen_at = moment
    application.save(update_fields=["status", "confirmed_at", "pupil_seen_at", "updated_at"])
    _withdraw_overlapping(application, week=week, moment=moment)
    agreements.agreement_create(application=application)
    _notify_teachers(application)
    return application


def _withdraw_overlapping(application: Application, *, week: OfferWeek, moment: datetime.datetime) -> None:
    """Her other pending applications for the same week are withdrawn: she cannot be in two places."""
    same_week = week.week_start
    others = (
        Application.objects.select_for_update(of=("self",))
        .filter(pupil_id=application.pupil_id, status__in=PENDING_APPLICATION_STATUSES)
        .exclude(pk=application.pk)
    )
    overlapping = others.filter(
        status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.READ), weeks__week_start=same_week
    ).values_list("pk", flat=True)
    accepted = others.filter(status=ApplicationStatus.ACCEPTED, week__week_start=same_week).values_list(
        "pk", flat=True
    )
    ids = {*overlapping, *accepted}
    if not ids:
        return
    Application.objects.filter(pk__in=ids).update(
        status=ApplicationStatus.WITHDRAWN, closed_at=moment, pupil_seen_at=moment, updated_at=moment
    )
    for other in Application.objects.filter(pk__in=ids, week__isnull=False).select_related("offer", "pupil"):
        _notify_managers_closed(other, reason="withdrawn")


@transaction.atomic
def application_withdraw(
    *, application: Application, pupil: User, now: datetime.datetime | None = None
) -> Application:
    """The pupil withdraws her application; a confirmed one gives its seat back. The managers are told when
    they had accepted it."""
    _require_owner(pupil, application)
    _lock(application)
    if application.status not in WITHDRAWABLE:
        raise ApplicationError(
            _("Cette candidature est « %(status)s » : elle ne peut plus être retirée.")
            % {"status": application.get_status_display()}
        )
    was = application.status
    if was == ApplicationStatus.CONFIRMED and application.week_id:
        week = OfferWeek.objects.select_for_update().get(pk=application.week_id)
        if week.seats_taken > 0:
            OfferWeek.objects.filter(pk=week.pk).update(seats_taken=F("seats_taken") - 1)
    moment = _now(now)
    application.status = ApplicationStatus.WITHDRAWN
    application.closed_at = moment
    application.pupil_seen_at = moment
    application.save(update_fields=["status", "closed_at", "pupil_seen_at", "updated_at"])
    if was == ApplicationStatus.CONFIRMED:
        agreements.agreement_cancel(application=application, now=moment)
    if was in (ApplicationStatus.ACCEPTED, ApplicationStatus.CONFIRMED):
        _notify_managers_closed(application, reason="withdrawn")
    return application


def applications_seen_by_pupil(
    *, pupil: User, applications: Iterable[Application], now: datetime.datetime | None = None
) -> int:
    """She saw these applications as they are now: their highlight goes."""
    ids = [application.pk for application in applications if application.pupil_id == pupil.pk]
    return Application.objects.filter(pk__in=ids).update(pupil_seen_at=_now(now))


# Teachers ----------------------------------------------------------------------------------------------------------


@transaction.atomic
def application_note_set(*, application: Application, by: User, note: str) -> Application:
    """A teacher of the pupil's class keeps a private note; never shown to the pupil nor to the employer."""
    if not permissions.can_note_application(by, application):
        raise ApplicationError(_("Seuls les enseignants de la classe de l'élève peuvent écrire cette note."))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ApplicationError(
            _("La note est trop longue : %(max)s caractères au plus.") % {"max": NOTE_MAX}, field="teacher_note"
        )
    Application.objects.filter(pk=application.pk).update(teacher_note=note)
    application.teacher_note = note
    return application


# Expiry and reminders ----------------------------------------------------------------------------------------------


@transaction.atomic
def applications_expire_and_remind(*, now: datetime.datetime | None = None) -> dict:
    """The periodic pass: set-based and idempotent (running it twice changes nothing more).

    - submitted or read for 15 days without an answer → expired (teachers told);
    - accepted and not confirmed within 7 days → expired (teachers and managers told);
    - reminders to the managers, one e-mail per offer: at 7 days, then a last one at 14 days
      (`reminders_sent` counts them, so each goes once; a pass that missed day 7 sends only the last one).

    Rows that a person is changing at that moment are skipped (`skip_locked`) rather than waited for: the next
    pass takes them, and the pass never deadlocks with a confirmation.
    """
    moment = _now(now)
    awaiting = Application.objects.filter(status__in=selectors.AWAITING_EMPLOYER)

    unanswered = list(
        awaiting.filter(created_at__lte=moment - datetime.timedelta(days=selectors.ANSWER_DAYS))
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
    )
    unconfirmed = list(
        Application.objects.filter(
            status=ApplicationStatus.ACCEPTED,
            answered_at__lte=moment - datetime.timedelta(days=selectors.CONFIRM_DAYS),
        )
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
    )
    Application.objects.filter(pk__in=[*unanswered, *unconfirmed]).update(
        status=ApplicationStatus.EXPIRED, closed_at=moment, updated_at=moment
    )

    first_day, last_day = selectors.REMINDER_DAYS
    last_reminders = list(
        awaiting.filter(created_at__lte=moment - datetime.timedelta(days=last_day), reminders_sent__lt=2)
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
    )
    Application.objects.filter(pk__in=last_reminders).update(reminders_sent=2)
    first_reminders = list(
        awaiting.filter(created_at__lte=moment - datetime.timedelta(days=first_day), reminders_sent__lt=1)
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
    )
    Application.objects.filter(pk__in=first_reminders).update(reminders_sent=1)

    related = Application.objects.select_related("offer__organisation", "offer__association", "pupil", "week")
    for application in related.filter(pk__in=unanswered):
        _notify_teachers(application)
    for application in related.filter(pk__in=unconfirmed):
        _notify_teachers(application)
        _notify_managers_closed(application, reason="expired")
    for ids, last in ((last_reminders, True), (first_reminders, False)):
        by_offer: dict[int, list[Application]] = defaultdict(list)
        offers: dict[int, Offer] = {}
        for application in related.filter(pk__in=ids).order_by("created_at"):
            by_offer[application.offer_id].append(application)
            offers[application.offer_id] = application.offer
        for offer_id, applications in by_offer.items():
            _notify_reminder(offers[offer_id], applications, last=last)
    return {
        "expired_unanswered": len(unanswered),
        "expired_unconfirmed": len(unconfirmed),
        "first_reminders": len(first_reminders),
        "last_reminders": len(last_reminders),
    }
