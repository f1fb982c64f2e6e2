"""Writes of the partner API: an association creates, updates and removes its offers by their external id.

Built on the offer services (backend.offers.services), so that an offer pushed by a partner follows the same
rules and leaves the same history as one posted on the site. What differs, and why:

- Partner offers are published at once, without the moderation's review: associations are vetted partners
  of the programme. The moderation can still hide them (then the API may no longer change them) and staff can
  archive them.
- PUT is idempotent: the same payload twice changes nothing the second time (no write, no event).
- The caller is an association, not a person: events have no actor, and their note says "API partenaire".
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.offers import services
from backend.offers.enums import OfferEventKind, OfferStatus
from backend.offers.models import Offer, OfferEvent
from backend.organisations.models import Association, HostOrganisation


class PartnerConflict(Exception):
    """The stored offer cannot take this request (archived, hidden…): a 409 for the API."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(message)


def _api_note(text: str = "") -> str:
    note = _("API partenaire")
    return f"{note} : {text}" if text else note


def partner_conflict(offer: Offer) -> PartnerConflict | None:
    """Why the API may no longer change this offer, if it may not."""
    if offer.hidden_at is not None:
        return PartnerConflict(
            "offer_hidden",
            _(
                "La modération a masqué cette offre : elle ne peut plus être modifiée par l'API. "
                "Écrivez à l'équipe de Passerelle."
            ),
        )
    if offer.status == OfferStatus.ARCHIVED:
        return PartnerConflict(
            "offer_archived",
            _(
                "Cette offre est archivée : elle ne peut plus être modifiée. Publiez l'offre suivante sous un "
                "autre identifiant."
            ),
        )
    return None


def _organisation(data: dict, *, sector: str) -> HostOrganisation:
    """The host organisation with this SIRET, created if Passerelle does not know it yet. Two partners creating
    the same one at once: the second finds the first's."""
    try:
        with transaction.atomic():
            return services.host_organisation_for_association(
                siret=data["siret"], name=data["name"], kind=data["kind"], sector=sector
            )
    except IntegrityError:
        return HostOrganisation.objects.get(siret=data["siret"])


def _publish_now(offer: Offer, *, created: bool) -> None:
    now = timezone.now()
    offer.status, offer.published_at, offer.moderation_note = OfferStatus.PUBLISHED, now, ""
    offer.save(update_fields=["status", "published_at", "moderation_note", "updated_at"])
    OfferEvent.objects.create(
        offer=offer,
        kind=OfferEventKind.PUBLISHED,
        note=_api_note(_("publiée dès sa réception, l'association étant un partenaire vérifié."))
        if created
        else _api_note(),
    )


def _set_status(offer: Offer, wanted: str, *, created: bool) -> None:
    """Brings the offer to the status the partner asks for: published, or out of the catalogue."""
    if wanted == OfferStatus.PUBLISHED:
        if offer.status == OfferStatus.UNPUBLISHED:
            services.offer_republish(offer=offer, by=None)
        elif offer.status in (OfferStatus.DRAFT, OfferStatus.SUBMITTED):
            _publish_now(offer, created=created)
    elif offer.status == OfferStatus.PUBLISHED:
        services.offer_unpublish(offer=offer, by=None)
    elif created:
        # A new offer the partner keeps out of the catalogue for now: it reads as unpublished, as asked.
        offer.status = OfferStatus.UNPUBLISHED
        offer.save(update_fields=["status", "updated_at"])
    # A draft or a submitted offer (the moderation sent it back) is out of the catalogue already.


def partner_offer_upsert(*, association: Association, external_id: str, data: dict) -> tuple[Offer, bool]:
    """Creates or replaces the association's offer `external_id` with `data` (validated by
    PartnerOfferInputSerializer). Returns the offer and whether it was created.

    Raises PartnerConflict when the stored offer may not change (archived, hidden by the moderation, or moved
    to another organisation after pupils applied), and django's ValidationError when a rule checked under lock
    refuses the data (seats taken meanwhile…). Writes nothing then.
    """
    fields = {
        "title": data["title"],
        "description": data["description"],
        "sector": data["sector"],
        "domain": data["domain"],
        "job_title": data["job_title"],
        "rome_code": data["rome_code"],
        "track": data["track"],
        "specialties": data["specialties"],
        "format": data["format"],
        "address": data["address"],
        "commune": data["commune"],
        "group_size": data["group_size"],
        "reservation": data["reservation"],
        "reserved_schools": data["schools"],
        "disability_friendly": data["disability_friendly"],
        "schedule": data["schedule"],
    }
    today = timezone.localdate()
    with transaction.atomic():
        # One writer per association at a time: two PUTs of a new external id cannot both create it.
        Association.objects.select_for_update().filter(pk=association.pk).exists()
        offer = Offer.objects.select_for_update().filter(association=association, external_id=external_id).first()
        if offer is not None:
            conflict = partner_conflict(offer)
            if conflict:
                raise conflict
        organisation = _organisation(data["organisation"], sector=data["sector"])
        weeks = _future_weeks(data["weeks"], today)
        created = offer is None
        if created:
            offer = services.offer_create(
                by=None, organisation=organisation, association=association, external_id=external_id, **fields
            )
        else:
            if offer.organisation_id != organisation.pk:
                _move_to(offer, organisation)
            services.offer_update(offer=offer, by=None, **fields)
        services.offer_weeks_set(offer=offer, by=None, weeks=weeks)
        _set_status(offer, data["status"], created=created)
    return offer, created


def _future_weeks(weeks: list[tuple[datetime.date, int]], today: datetime.date) -> list[tuple[datetime.date, int]]:
    """The weeks to set: those to come. Weeks that have begun are history, kept as stored (the serializer
    refused any change to them)."""
    return [(monday, seats) for monday, seats in weeks if monday > today]


def _move_to(offer: Offer, organisation: HostOrganisation) -> None:
    if offer.applications.exists():
        raise PartnerConflict(
            "organisation_change",
            _(
                "Des élèves ont candidaté à cette offre auprès de %(name)s : elle ne peut pas changer de "
                "structure d'accueil. Archivez-la et publiez-en une autre."
            )
            % {"name": offer.organisation.name},
        )
    previous = offer.organisation
    offer.organisation = organisation
    offer.save(update_fields=["organisation", "updated_at"])
    OfferEvent.objects.create(
        offer=offer,
        kind=OfferEventKind.EDITED,
        note=_api_note(
            _("structure d'accueil %(before)s → %(after)s.") % {"before": previous.name, "after": organisation.name}
        ),
    )


def partner_offer_delete(*, offer: Offer) -> bool:
    """Removes a partner's offer: deleted when nobody applied to it and the moderation has no record of it;
    otherwise archived (out of the catalogue, kept for the pupils' and the moderation's history). Returns True
    when deleted. Deleting an archived offer again changes nothing."""
    with transaction.atomic():
        locked = Offer.objects.select_for_update().get(pk=offer.pk)
        keep = locked.hidden_at is not None or locked.applications.exists() or locked.reports.exists()
        if not keep:
            locked.delete()
            return True
        if locked.status == OfferStatus.ARCHIVED:
            return False
        note = _api_note(_("retirée par l'association."))
        if locked.status in services.TRANSITIONS["archive"].sources:
            services.offer_archive(offer=locked, by=None, note=note)
        else:
            now = timezone.now()
            locked.status, locked.archived_at = OfferStatus.ARCHIVED, now
            locked.save(update_fields=["status", "archived_at", "updated_at"])
            OfferEvent.objects.create(offer=locked, kind=OfferEventKind.ARCHIVED, note=note)
        return False
