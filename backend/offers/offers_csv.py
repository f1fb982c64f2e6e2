"""The CSV export of offers: which offers a person may export, and their lines.

The file follows the other exports (backend/offers/exports.py): UTF-8 with a byte-order mark, `;` between
cells, no cell a spreadsheet would run as a formula. It is streamed: an export of every offer by platform
staff never sits whole in memory. Under ASGI (production) the lines come from an asynchronous iterator, as
Django wants; under WSGI (tests, tools) from an ordinary one.

The lines are written after the view has returned, maybe in another thread, where neither the person's
language nor her time zone is active: every label and the time zone are fixed when the export is prepared.
"""

import csv
import datetime
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.enums import MembershipStatus
from backend.offers.enums import OfferFormat, OfferStatus, Track
from backend.offers.exports import BOM, csv_safe
from backend.offers.models import Offer, OfferWeek
from backend.offers.taxonomy import domains
from backend.organisations.enums import AssociationRole, OrganisationRole, Sector
from backend.organisations.models import AssociationMembership, OrganisationMembership

CHUNK_SIZE = 500
DATETIME_FORMAT = "%Y-%m-%d %H:%M"


def exportable_offers(user) -> QuerySet[Offer]:
    """Every offer for platform staff; otherwise the offers of the organisations where the person is a confirmed
    employer and those posted by the associations where she is confirmed staff."""
    offers = Offer.objects.all()
    if not user.is_staff:
        organisations = OrganisationMembership.objects.filter(
            user=user, role=OrganisationRole.EMPLOYER, status=MembershipStatus.CONFIRMED
        ).values("organisation_id")
        associations = AssociationMembership.objects.filter(
            user=user, role=AssociationRole.STAFF, status=MembershipStatus.CONFIRMED
        ).values("association_id")
        offers = offers.filter(Q(organisation_id__in=organisations) | Q(association_id__in=associations))
    return (
        offers.select_related("organisation", "commune")
        .prefetch_related(Prefetch("weeks", queryset=OfferWeek.objects.order_by("week_start")))
        .order_by("-created_at", "-pk")
    )


class _Echo:
    """csv.writer writes a line into it and gets the line back."""

    def write(self, value: str) -> str:
        return value


@dataclass
class OfferCsv:
    """Labels and time zone fixed at preparation; then `lines()` or `alines()` write the file."""

    offers: QuerySet
    time_zone: datetime.tzinfo = field(default_factory=timezone.get_current_timezone)

    def __post_init__(self):
        self.header = [
            _("Numéro"),
            _("Identifiant chez le partenaire"),
            _("Titre"),
            _("Structure d'accueil"),
            _("SIRET"),
            _("Secteur"),
            _("Domaine professionnel"),
            _("Métier"),
            _("Type de stage"),
            _("Format"),
            _("Commune"),
            _("Code INSEE"),
            _("Semaines (places / prises)"),
            _("État"),
            _("Créée le"),
            _("Publiée le"),
        ]
        self.sectors = {code: f"{code} — {label}" for code, label in Sector.choices}
        self.domains = {
            code: f"{code} — {_(domain.name) if domain.name else ''}" for code, domain in domains().items()
        }
        self.tracks = {code: str(label) for code, label in Track.choices}
        self.formats = {code: str(label) for code, label in OfferFormat.choices}
        self.statuses = {code: str(label) for code, label in OfferStatus.choices}
        self.hidden = _("masquée par la modération")
        self.remote = _("À distance")
        self._writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)

    def _date(self, moment: datetime.datetime | None) -> str:
        return moment.astimezone(self.time_zone).strftime(DATETIME_FORMAT) if moment else ""

    def row(self, offer: Offer) -> list[str]:
        weeks = " ; ".join(f"{week.iso_week} ({week.seats}/{week.seats_taken})" for week in offer.weeks.all())
        state = self.statuses.get(offer.status, offer.status)
        if offer.hidden_at is not None:
            state = f"{state}, {self.hidden}"
        commune = offer.commune
        return [
            offer.pk,
            offer.external_id,
            offer.title,
            offer.organisation.name,
            offer.organisation.siret,
            self.sectors.get(offer.sector, offer.sector),
            self.domains.get(offer.domain, offer.domain),
            offer.job_title,
            self.tracks.get(offer.track, offer.track),
            self.formats.get(offer.format, offer.format),
            commune.name if commune else (self.remote if offer.format == OfferFormat.REMOTE else ""),
            commune.insee_code if commune else "",
            weeks,
            state,
            self._date(offer.created_at),
            self._date(offer.published_at),
        ]

    def line(self, cells) -> str:
        return self._writer.writerow([csv_safe(cell) for cell in cells])

    def lines(self) -> Iterator[str]:
        yield BOM + self.line(self.header)
        for offer in self.offers.iterator(chunk_size=CHUNK_SIZE):
            yield self.line(self.row(offer))

    async def alines(self) -> AsyncIterator[str]:
        yield BOM + self.line(self.header)
        async for offer in self.offers.aiterator(chunk_size=CHUNK_SIZE):
            yield self.line(self.row(offer))


def offer_csv(user) -> OfferCsv:
    """The export of the offers `user` may export, in her language and time zone."""
    return OfferCsv(offers=exportable_offers(user), time_zone=timezone.get_current_timezone())
