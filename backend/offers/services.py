"""Writes on offers: creation, edition, weeks and seats, the lifecycle, reports and their moderation.

Every function is keyword-only and records what it did in the offer's history (`OfferEvent`), with who did it.
Authorisation is the caller's job (views ask `backend.offers.permissions`); the rules about the offer itself
(states, completeness, seats, weeks) live here, so that the pages, the admin and the partner API share them.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.services import email_send_on_commit
from backend.offers import selectors, taxonomy
from backend.offers.enums import OfferEventKind, OfferFormat, OfferStatus, ReportDecision, ReportReason, Track
from backend.offers.models import Offer, OfferEvent, OfferReport, OfferWeek
from backend.offers.rules import default_schedule, iso_week, validate_schedule
from backend.organisations.models import HostOrganisation
from backend.organisations.validators import normalise_siret

logger = logging.getLogger(__name__)


class OfferError(Exception):
    """A rule refused the operation. `messages` are sentences for the person, already translated."""

    def __init__(self, messages: str | list[str]):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(str(message) for message in self.messages))


# --- The lifecycle: one table of allowed moves --------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    event: str


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(frozenset({OfferStatus.DRAFT}), OfferStatus.SUBMITTED, OfferEventKind.SUBMITTED),
    "publish": Transition(frozenset({OfferStatus.SUBMITTED}), OfferStatus.PUBLISHED, OfferEventKind.PUBLISHED),
    "reject": Transition(frozenset({OfferStatus.SUBMITTED}), OfferStatus.DRAFT, OfferEventKind.REJECTED),
    "unpublish": Transition(frozenset({OfferStatus.PUBLISHED}), OfferStatus.UNPUBLISHED, OfferEventKind.UNPUBLISHED),
    "republish": Transition(frozenset({OfferStatus.UNPUBLISHED}), OfferStatus.PUBLISHED, OfferEventKind.PUBLISHED),
    "archive": Transition(
        frozenset({OfferStatus.PUBLISHED, OfferStatus.UNPUBLISHED}), OfferStatus.ARCHIVED, OfferEventKind.ARCHIVED
    ),
}
# What the managers of an offer may do from its page; publishing and rejecting belong to the moderation.
MANAGER_ACTIONS = ("submit", "unpublish", "republish", "archive")


def allowed_actions(offer: Offer) -> list[str]:
    """The moves the table allows from the offer's state, in the table's order."""
    return [name for name, move in TRANSITIONS.items() if offer.status in move.sources]


def _refused_move(offer: Offer, action: str) -> OfferError:
    messages = {
        "submit": _("Seul un brouillon peut être envoyé pour validation (cette offre est : %(status)s)."),
        "publish": _("Seule une offre en attente de validation peut être publiée (cette offre est : %(status)s)."),
        "reject": _(
            "Seule une offre en attente de validation peut être renvoyée en brouillon (cette offre est : %(status)s)."
        ),
        "unpublish": _("Seule une offre publiée peut être dépubliée (cette offre est : %(status)s)."),
        "republish": _("Seule une offre dépubliée peut être republiée (cette offre est : %(status)s)."),
        "archive": _("Seule une offre publiée ou dépubliée peut être archivée (cette offre est : %(status)s)."),
    }
    return OfferError(messages[action] % {"status": offer.get_status_display().lower()})


def _locked(offer: Offer) -> Offer:
    """The offer's row, locked for the transaction, so that two moves on one offer do not interleave."""
    return Offer.objects.select_for_update().get(pk=offer.pk)


def _log(offer: Offer, kind: str, by, note: str = "") -> OfferEvent:
    actor = by if getattr(by, "is_authenticated", False) else None
    return OfferEvent.objects.create(offer=offer, kind=kind, actor=actor, note=note)


def _move(*, offer: Offer, by, action: str, note: str = "", **changes) -> Offer:
    move = TRANSITIONS[action]
    locked = _locked(offer)
    if locked.status not in move.sources:
        raise _refused_move(locked, action)
    locked.status = move.target
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", "updated_at", *changes])
    _log(locked, move.event, by, note)
    # The caller's object reflects the new state.
    offer.status = locked.status
    offer.updated_at = locked.updated_at
    for name, value in changes.items():
        setattr(offer, name, value)
    return offer


# --- Creating and editing ------------------------------------------------------------------------------------

# Fields a person (or a partner) may set on an offer; states and dates move only through the transitions.
EDITABLE_FIELDS = {
    "title",
    "description",
    "sector",
    "domain",
    "job_title",
    "rome_code",
    "track",
    "specialties",
    "format",
    "address",
    "commune",
    "group_size",
    "reservation",
    "reserved_schools",
    "disability_friendly",
    "schedule",
    "external_id",
}


def _apply_fields(offer: Offer, fields: dict) -> dict:
    """Sets the fields on the offer; returns the many-to-many values to set after saving."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Not editable on an offer: {', '.join(sorted(unknown))}")
    many = {}
    for name, value in fields.items():
        if name == "reserved_schools":
            many[name] = list(value)
        elif name == "specialties":
            offer.specialties = [str(item).strip() for item in (value or []) if str(item).strip()]
        elif isinstance(value, str) and name != "schedule":
            setattr(offer, name, value.strip())
        else:
            setattr(offer, name, value)
    return many


def offer_coordinates_copy(offer: Offer) -> None:
    """Coordinates come from the commune; a remote offer has none (it matches any place)."""
    if offer.format == OfferFormat.REMOTE or offer.commune is None:
        offer.latitude = offer.longitude = None
    else:
        offer.latitude, offer.longitude = offer.commune.latitude, offer.commune.longitude


def _validate(offer: Offer) -> None:
    """Field checks every saved offer passes, draft or not: ValidationError keyed by field."""
    errors: dict[str, list] = {}
    try:
        offer.full_clean(exclude=["organisation", "association", "created_by", "commune", "schedule"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if offer.domain and "domain" not in errors:
        try:
            taxonomy.validate_domain(offer.domain, offer.sector or None)
        except ValidationError as error:
            errors.setdefault("domain", []).extend(error.messages)
    if not isinstance(offer.schedule, dict):
        errors.setdefault("schedule", []).append(_("L'emploi du temps n'a pas la bonne forme."))
    if errors:
        raise ValidationError(errors)


def offer_create(*, by, organisation: HostOrganisation, association=None, **fields) -> Offer:
    """A new draft offer of `organisation` (posted by `association` when given).

    `fields` are the offer's editable fields (see EDITABLE_FIELDS); a 3e observation track and the default
    schedule stand in for what is not given yet. Raises ValidationError for field values that cannot be saved.
    """
    fields.setdefault("track", Track.OBSERVATION_3E)
    fields.setdefault("schedule", default_schedule())
    with transaction.atomic():
        offer = Offer(
            organisation=organisation,
            association=association,
            created_by=by if getattr(by, "is_authenticated", False) else None,
            status=OfferStatus.DRAFT,
        )
        many = _apply_fields(offer, fields)
        offer_coordinates_copy(offer)
        _validate(offer)
        offer.save()
        for name, values in many.items():
            getattr(offer, name).set(values)
        _log(offer, OfferEventKind.CREATED, by)
    return offer


def offer_update(*, offer: Offer, by, **fields) -> Offer:
    """Changes an offer's fields. A published offer stays published; an archived offer cannot change.

    Logs an "edited" event when something changed. Raises OfferError for an archived offer and ValidationError
    for values that cannot be saved.
    """
    with transaction.atomic():
        locked = _locked(offer)
        if locked.status == OfferStatus.ARCHIVED:
            raise OfferError(
                _("Une offre archivée ne peut plus être modifiée : dupliquez-la pour en créer une autre.")
            )
        before = {name: getattr(locked, name) for name in fields if name != "reserved_schools"}
        many = _apply_fields(locked, fields)
        offer_coordinates_copy(locked)
        _validate(locked)
        changed = [name for name, value in before.items() if getattr(locked, name) != value]
        if "reserved_schools" in many:
            schools_before = set(locked.reserved_schools.values_list("pk", flat=True))
            if {school.pk for school in many["reserved_schools"]} != schools_before:
                changed.append("reserved_schools")
        if changed:
            locked.save()
            for name, values in many.items():
                getattr(locked, name).set(values)
            names = ", ".join(str(Offer._meta.get_field(name).verbose_name) for name in changed)
            _log(locked, OfferEventKind.EDITED, by, _("Champs modifiés : %(fields)s.") % {"fields": names})
    offer.refresh_from_db()
    return offer


MAX_SEATS = 32767  # the column's limit


def _week_is_past(week_start: datetime.date, today: datetime.date) -> bool:
    """A week that has begun can no longer be offered or changed."""
    return week_start <= today


def offer_weeks_set(*, offer: Offer, by, weeks: list[tuple[datetime.date, int]]) -> list[OfferWeek]:
    """Sets the weeks to come and their seats: `weeks` lists every future week the offer keeps.

    Weeks must be Mondays, in the future, each listed once, with zero seats or more (0 closes a week) and never
    fewer seats than pupils already confirmed for it. A future week left out is removed if nobody applied for
    it; past weeks are history and stay as they are. Raises ValidationError with every problem; writes nothing
    then. Returns the offer's weeks.
    """
    today = timezone.localdate()
    errors: list[str] = []
    wanted: dict[datetime.date, int] = {}
    for week_start, seats in weeks:
        if not isinstance(week_start, datetime.date) or isinstance(week_start, datetime.datetime):
            errors.append(_("« %(value)s » n'est pas une date.") % {"value": week_start})
            continue
        label = iso_week(week_start)
        if week_start.isoweekday() != 1:
            errors.append(
                _("Le %(date)s n'est pas un lundi : une semaine de stage commence le lundi.")
                % {"date": week_start.strftime("%d/%m/%Y")}
            )
            continue
        if _week_is_past(week_start, today):
            errors.append(
                _("La semaine %(week)s est commencée ou passée : proposez des semaines à venir.") % {"week": label}
            )
            continue
        try:
            seats = int(seats)
        except (TypeError, ValueError):
            errors.append(_("La semaine %(week)s : indiquez un nombre de places.") % {"week": label})
            continue
        if seats < 0:
            errors.append(_("La semaine %(week)s : le nombre de places ne peut pas être négatif.") % {"week": label})
            continue
        if seats > MAX_SEATS:
            errors.append(_("La semaine %(week)s : ce nombre de places est trop grand.") % {"week": label})
            continue
        if week_start in wanted:
            errors.append(_("La semaine %(week)s est indiquée deux fois.") % {"week": label})
            continue
        wanted[week_start] = seats
    with transaction.atomic():
        _locked(offer)
        existing = {week.week_start: week for week in OfferWeek.objects.select_for_update().filter(offer=offer)}
        for week_start, seats in wanted.items():
            week = existing.get(week_start)
            if week is not None and seats < week.seats_taken:
                errors.append(
                    _(
                        "La semaine %(week)s : %(taken)s élève(s) y ont déjà une place confirmée, "
                        "indiquez au moins %(taken)s place(s)."
                    )
                    % {"week": iso_week(week_start), "taken": week.seats_taken}
                )
        removed = [week for start, week in existing.items() if start not in wanted and not _week_is_past(start, today)]
        with_applications = set(
            OfferWeek.objects.filter(pk__in=[week.pk for week in removed], applications__isnull=False).values_list(
                "pk", flat=True
            )
        )
        for week in removed:
            if week.seats_taken or week.pk in with_applications:
                errors.append(
                    _(
                        "La semaine %(week)s a déjà des candidatures : gardez-la et fermez-la plutôt en indiquant "
                        "%(taken)s place(s)."
                    )
                    % {"week": week.iso_week, "taken": week.seats_taken}
                )
        if errors:
            raise ValidationError(errors, code="invalid_weeks")
        changes = []
        for week_start, seats in sorted(wanted.items()):
            week = existing.get(week_start)
            if week is None:
                OfferWeek.objects.create(offer=offer, week_start=week_start, seats=seats)
                changes.append(
                    _("%(week)s : %(seats)s place(s) (ajoutée)") % {"week": iso_week(week_start), "seats": seats}
                )
            elif week.seats != seats:
                week.seats = seats
                week.save(update_fields=["seats"])
                changes.append(_("%(week)s : %(seats)s place(s)") % {"week": week.iso_week, "seats": seats})
        if removed:
            OfferWeek.objects.filter(pk__in=[week.pk for week in removed]).delete()
            changes.extend(_("%(week)s retirée") % {"week": week.iso_week} for week in removed)
        if changes:
            _log(offer, OfferEventKind.EDITED, by, _("Semaines : %(changes)s.") % {"changes": " ; ".join(changes)})
    return list(offer.weeks.all())


def offer_duplicate(*, offer: Offer, by) -> Offer:
    """A new draft copying the offer: same fields and reserved schools, its future weeks with their seats and
    no seat taken; past weeks and applications are not copied."""
    today = timezone.localdate()
    with transaction.atomic():
        copy = Offer(
            organisation=offer.organisation,
            association=offer.association,
            created_by=by if getattr(by, "is_authenticated", False) else None,
            status=OfferStatus.DRAFT,
        )
        for name in EDITABLE_FIELDS - {"reserved_schools", "external_id"}:
            setattr(copy, name, getattr(offer, name))
        copy.specialties = list(offer.specialties or [])
        copy.schedule = dict(offer.schedule or {})
        offer_coordinates_copy(copy)
        copy.save()
        copy.reserved_schools.set(offer.reserved_schools.all())
        OfferWeek.objects.bulk_create(
            OfferWeek(offer=copy, week_start=week.week_start, seats=week.seats)
            for week in offer.weeks.filter(week_start__gt=today)
        )
        _log(copy, OfferEventKind.CREATED, by, _("Copie de l'offre n° %(pk)s.") % {"pk": offer.pk})
    return copy


# --- Moves ---------------------------------------------------------------------------------------------------


def offer_completeness_errors(offer: Offer) -> list[str]:
    """What an offer lacks before it can be sent for validation, in words the employer can act on."""
    errors: list[str] = []
    try:
        validate_schedule(offer.schedule, offer.track)
    except ValidationError as error:
        errors.extend(error.messages)
    today = timezone.localdate()
    if not any(week.week_start > today and week.seats_left > 0 for week in offer.weeks.all()):
        errors.append(_("Proposez au moins une semaine à venir avec des places."))
    if offer.format != OfferFormat.REMOTE and offer.commune_id is None:
        errors.append(_("Indiquez la commune du stage (sauf pour une offre à distance)."))
    try:
        taxonomy.validate_domain(offer.domain, offer.sector)
    except ValidationError as error:
        errors.extend(error.messages)
    if offer.track == Track.PFMP and not offer.specialties:
        errors.append(_("Indiquez les spécialités de lycée professionnel auxquelles la PFMP convient."))
    if not (offer.title and offer.description and offer.job_title):
        errors.append(_("Indiquez le titre, le métier et la description de l'offre."))
    return errors


@transaction.atomic
def offer_submit(*, offer: Offer, by) -> Offer:
    """Draft → submitted, once the offer is complete; platform staff then review it."""
    locked = _locked(offer)
    if locked.status not in TRANSITIONS["submit"].sources:
        raise _refused_move(locked, "submit")
    errors = offer_completeness_errors(locked)
    if errors:
        raise OfferError(errors)
    return _move(offer=offer, by=by, action="submit", submitted_at=timezone.now())


@transaction.atomic
def offer_publish(*, offer: Offer, by, note: str = "") -> Offer:
    """Submitted → published, by platform staff. The offer's managers are told by e-mail."""
    _move(offer=offer, by=by, action="publish", note=note.strip(), published_at=timezone.now(), moderation_note="")
    _notify_managers(offer, kind="published", subject=_("Passerelle : votre offre « %(title)s » est publiée"))
    return offer


@transaction.atomic
def offer_reject(*, offer: Offer, by, note: str) -> Offer:
    """Submitted → back to draft, by platform staff, with a message telling the managers what to change."""
    note = (note or "").strip()
    if not note:
        raise OfferError(_("Expliquez à la structure ce qu'elle doit modifier avant de renvoyer l'offre."))
    _move(offer=offer, by=by, action="reject", note=note, moderation_note=note)
    _notify_managers(
        offer, kind="rejected", subject=_("Passerelle : votre offre « %(title)s » est à modifier"), note=note
    )
    return offer


@transaction.atomic
def offer_unpublish(*, offer: Offer, by) -> Offer:
    """Published → unpublished: out of the catalogue until republished."""
    return _move(offer=offer, by=by, action="unpublish")


@transaction.atomic
def offer_republish(*, offer: Offer, by) -> Offer:
    """Unpublished → published again."""
    return _move(offer=offer, by=by, action="republish", published_at=timezone.now())


@transaction.atomic
def offer_archive(*, offer: Offer, by, note: str = "") -> Offer:
    """Published or unpublished → archived: history, read-only."""
    return _move(offer=offer, by=by, action="archive", note=note, archived_at=timezone.now())


def offer_transition(*, offer: Offer, by, action: str, note: str = "") -> Offer:
    """Runs a move by its name in TRANSITIONS (the managers' page posts the name)."""
    if action == "submit":
        return offer_submit(offer=offer, by=by)
    if action == "publish":
        return offer_publish(offer=offer, by=by, note=note)
    if action == "reject":
        return offer_reject(offer=offer, by=by, note=note)
    if action == "unpublish":
        return offer_unpublish(offer=offer, by=by)
    if action == "republish":
        return offer_republish(offer=offer, by=by)
    if action == "archive":
        return offer_archive(offer=offer, by=by, note=note)
    raise OfferError(_("Cette action n'existe pas."))


def offers_archive_past(*, now: datetime.datetime | None = None) -> int:
    """Archives the published and unpublished offers whose weeks have all ended; returns how many.

    Set-based and idempotent (the periodic job runs it daily): a second run finds nothing more to do.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    # A week has ended once its Sunday is behind us.
    still_running = OfferWeek.objects.filter(offer=OuterRef("pk"), week_start__gte=today - datetime.timedelta(days=6))
    with transaction.atomic():
        ids = list(
            Offer.objects.select_for_update()
            .filter(status__in=TRANSITIONS["archive"].sources)
            .filter(Exists(OfferWeek.objects.filter(offer=OuterRef("pk"))))
            .exclude(Exists(still_running))
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        Offer.objects.filter(pk__in=ids).update(status=OfferStatus.ARCHIVED, archived_at=now, updated_at=now)
        OfferEvent.objects.bulk_create(
            OfferEvent(
                offer_id=pk,
                kind=OfferEventKind.ARCHIVED,
                note=_("Archivée automatiquement : ses semaines sont passées."),
            )
            for pk in ids
        )
    return len(ids)


# --- Reports and moderation ----------------------------------------------------------------------------------


def offer_report(*, offer: Offer, reporter, reason: str, detail: str = "") -> OfferReport:
    """Anyone reports an offer (`reporter` None when not signed in); platform staff then decide."""
    report = OfferReport(
        offer=offer,
        reporter=reporter if getattr(reporter, "is_authenticated", False) else None,
        reason=reason,
        detail=(detail or "").strip(),
    )
    report.full_clean(exclude=["offer", "reporter", "decided_by"])
    if report.reason == ReportReason.OTHER and not report.detail:
        raise ValidationError({"detail": _("Précisez la raison de votre signalement.")})
    with transaction.atomic():
        report.save()
        _log(offer, OfferEventKind.REPORTED, reporter, report.get_reason_display())
    return report


@transaction.atomic
def report_decide(*, report: OfferReport, by, decision: str) -> OfferReport:
    """Platform staff close a report: dismiss it, hide the offer (which closes every open report of it), or
    delete the offer — only when nobody applied to it; otherwise hide it."""
    report = OfferReport.objects.select_for_update().select_related("offer").get(pk=report.pk)
    if report.decision:
        raise OfferError(_("Ce signalement est déjà traité."))
    if decision not in ReportDecision.values:
        raise OfferError(_("Choisissez d'écarter le signalement, de masquer l'offre ou de la supprimer."))
    offer = _locked(report.offer)
    now = timezone.now()
    if decision == ReportDecision.DISMISSED:
        report.decision, report.decided_by, report.decided_at = decision, by, now
        report.save(update_fields=["decision", "decided_by", "decided_at"])
        _log(offer, OfferEventKind.REPORT_DISMISSED, by, report.get_reason_display())
    elif decision == ReportDecision.HIDDEN:
        if offer.hidden_at is None:
            offer_hide(offer=offer, by=by, note=report.get_reason_display())
        else:  # reported again while already hidden: close what is open
            OfferReport.objects.filter(offer=offer, decision="").update(
                decision=decision, decided_by=by, decided_at=now
            )
            _log(offer, OfferEventKind.HIDDEN, by, report.get_reason_display())
        report.refresh_from_db()
    else:
        if offer.applications.exists():
            raise OfferError(
                _(
                    "Des élèves ont candidaté à cette offre : elle ne peut pas être supprimée. "
                    "Masquez-la plutôt, elle sortira du catalogue."
                )
            )
        report.decision, report.decided_by, report.decided_at = decision, by, now
        logger.info("Offer %s deleted by %s after report %s", offer.pk, getattr(by, "pk", None), report.pk)
        offer.delete()  # its reports and history go with it
    return report


@transaction.atomic
def offer_hide(*, offer: Offer, by, note: str = "") -> Offer:
    """Hidden by the moderation: out of the catalogue whatever its state; every open report of it is closed."""
    locked = _locked(offer)
    if locked.hidden_at is not None:
        raise OfferError(_("Cette offre est déjà masquée."))
    now = timezone.now()
    locked.hidden_at = offer.hidden_at = now
    locked.save(update_fields=["hidden_at", "updated_at"])
    OfferReport.objects.filter(offer=locked, decision="").update(
        decision=ReportDecision.HIDDEN, decided_by=by, decided_at=now
    )
    _log(locked, OfferEventKind.HIDDEN, by, note)
    _notify_managers(locked, kind="hidden", subject=_("Passerelle : votre offre « %(title)s » est masquée"), note=note)
    return offer


@transaction.atomic
def offer_unhide(*, offer: Offer, by, note: str = "") -> Offer:
    """Back in the catalogue (if its state lets it be there) after the moderation hid it."""
    locked = _locked(offer)
    if locked.hidden_at is None:
        raise OfferError(_("Cette offre n'est pas masquée."))
    locked.hidden_at = offer.hidden_at = None
    locked.save(update_fields=["hidden_at", "updated_at"])
    _log(locked, OfferEventKind.UNHIDDEN, by, note)
    return offer


# --- Host organisations posted for by an association ---------------------------------------------------------


def host_organisation_for_association(
    *, siret: str, name: str, kind: str, sector: str, address: str = "", commune=None
) -> HostOrganisation:
    """The host organisation with this SIRET, or a new one, for an association that posts on its behalf.

    Nobody becomes a member of it: its employers may join it later through the usual request."""
    siret = normalise_siret(siret)
    organisation = HostOrganisation.objects.filter(siret=siret).first()
    if organisation is not None:
        return organisation
    organisation = HostOrganisation(
        siret=siret, name=name.strip(), kind=kind, sector=sector, address=(address or "").strip(), commune=commune
    )
    organisation.full_clean(exclude=["commune"])
    organisation.save()
    return organisation


# --- E-mails -------------------------------------------------------------------------------------------------


def offer_manager_emails(offer: Offer) -> list[str]:
    """The addresses of the offer's posters (`selectors.offer_posters`). Pupils have no e-mail and are never
    managers."""
    return sorted({person.email for person in selectors.offer_posters(offer) if person.email})


def _notify_managers(offer: Offer, *, kind: str, subject: str, note: str = "") -> None:
    link = settings.SITE_URL + reverse("offers:manage", args=[offer.pk])
    for email in offer_manager_emails(offer):
        email_send_on_commit(
            to=email,
            subject=subject % {"title": offer.title},
            template=f"offers/email/offer_{kind}.txt",
            context={"offer": offer, "note": note, "link": link},
        )
