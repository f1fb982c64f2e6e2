"""Reads of offers for the people who post, manage and moderate them (the catalogue has its own reads, and
applications theirs in `application_selectors.py`)."""

from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When

from backend.accounts.enums import MembershipStatus
from backend.accounts.models import User
from backend.offers.enums import OfferStatus
from backend.offers.models import Offer, OfferEvent, OfferReport, OfferWeek
from backend.organisations.enums import AssociationRole, OrganisationRole
from backend.organisations.models import Association, HostOrganisation


def employer_organisations(user) -> QuerySet[HostOrganisation]:
    """The organisations whose offers this person posts as a confirmed employer."""
    return HostOrganisation.objects.filter(
        memberships__user=user,
        memberships__role=OrganisationRole.EMPLOYER,
        memberships__status=MembershipStatus.CONFIRMED,
    ).order_by("name")


def staffed_associations(user) -> QuerySet[Association]:
    """The associations this person posts offers for, as confirmed staff."""
    return Association.objects.filter(
        memberships__user=user,
        memberships__role=AssociationRole.STAFF,
        memberships__status=MembershipStatus.CONFIRMED,
    ).order_by("name")


def _employers_of(offer: Offer) -> Q:
    return Q(
        organisation_memberships__organisation_id=offer.organisation_id,
        organisation_memberships__role=OrganisationRole.EMPLOYER,
        organisation_memberships__status=MembershipStatus.CONFIRMED,
    )


def _association_staff_of(offer: Offer) -> Q:
    return Q(
        association_memberships__association_id=offer.association_id,
        association_memberships__role=AssociationRole.STAFF,
        association_memberships__status=MembershipStatus.CONFIRMED,
    )


def offer_managers(offer: Offer) -> list[User]:
    """Who answers the offer's applications: the organisation's confirmed employers, and the confirmed staff of
    the association that posted it."""
    managers = _employers_of(offer)
    if offer.association_id:
        managers |= _association_staff_of(offer)
    return list(User.objects.filter(managers, is_active=True).distinct().order_by("pk"))


def offer_posters(offer: Offer) -> list[User]:
    """Who hears about moderation decisions: the staff of the association that posted the offer, otherwise the
    confirmed employers of its organisation."""
    posters = _association_staff_of(offer) if offer.association_id else _employers_of(offer)
    return list(User.objects.filter(posters, is_active=True).distinct().order_by("pk"))


def association_partner_organisations(associations) -> QuerySet[HostOrganisation]:
    """Organisations these associations already posted offers for: the ones their staff choose from."""
    return HostOrganisation.objects.filter(offers__association__in=associations).distinct().order_by("name")


def _with_figures(offers: QuerySet[Offer]) -> QuerySet[Offer]:
    return (
        offers.select_related("organisation", "association", "commune")
        .annotate(application_count=Count("applications", distinct=True))
        .prefetch_related(Prefetch("weeks", queryset=OfferWeek.objects.order_by("week_start")))
    )


def offers_managed_by(user) -> QuerySet[Offer]:
    """The offers of the organisations where this person is an employer, and those the associations she staffs
    posted; with their weeks and their number of applications, archived ones last."""
    managed = Q(organisation__in=employer_organisations(user).values("pk")) | Q(
        association__in=staffed_associations(user).values("pk")
    )
    archived_last = Case(When(status=OfferStatus.ARCHIVED, then=Value(1)), default=Value(0))
    return _with_figures(Offer.objects.filter(managed)).order_by(archived_last, "-updated_at", "-pk")


def offer_for_manager(pk: int) -> Offer | None:
    return _with_figures(Offer.objects.filter(pk=pk)).first()


def offer_history(offer: Offer) -> QuerySet[OfferEvent]:
    return offer.events.select_related("actor").order_by("created_at", "pk")


def offers_to_review() -> QuerySet[Offer]:
    """Offers sent for validation, oldest first."""
    return _with_figures(Offer.objects.filter(status=OfferStatus.SUBMITTED)).order_by("submitted_at", "pk")


def open_reports() -> QuerySet[OfferReport]:
    """Reports nobody has decided on yet, oldest first, with their offer."""
    return (
        OfferReport.objects.filter(decision="")
        .select_related("offer__organisation", "reporter")
        .annotate(application_count=Count("offer__applications", distinct=True))
        .order_by("created_at", "pk")
    )


def hidden_offers() -> QuerySet[Offer]:
    return Offer.objects.filter(hidden_at__isnull=False).select_related("organisation").order_by("-hidden_at")
