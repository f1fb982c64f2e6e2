"""Who may see and do what with offers and applications. Small predicates, one rule each."""

from django.db.models import Q

from backend.accounts.enums import MembershipStatus
from backend.offers.enums import OfferStatus, Reservation
from backend.organisations.enums import AssociationRole, OrganisationRole
from backend.schools.models import School, SchoolStaff
from backend.schools.selectors import current_enrolment


def viewer_schools(user) -> list[School]:
    """The schools whose reserved offers a person may see: a pupil's current school; a teacher's or head's
    confirmed schools. Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_passerelle_offer_schools", None)
    if cached is None:
        if user.is_pupil:
            enrolment = current_enrolment(user)
            cached = [enrolment.school_class.school] if enrolment else []
        else:
            cached = [
                membership.school
                for membership in SchoolStaff.objects.filter(
                    user=user, status=MembershipStatus.CONFIRMED
                ).select_related("school__commune")
            ]
        user._passerelle_offer_schools = cached
    return cached


def school_is_priority(school: School) -> bool:
    """REP, REP+ or in a QPV: the pupils whom reserved "priority" offers are for."""
    return school.is_priority


def reservation_q(user, *, only_reserved: bool = False) -> Q:
    """Offers whose reservation lets this person see them (open offers too, unless `only_reserved`)."""
    if getattr(user, "is_staff", False) and not only_reserved:
        return Q()
    schools = viewer_schools(user)
    allowed = Q(pk__in=[]) if only_reserved else Q(reservation=Reservation.OPEN)
    if any(school_is_priority(school) for school in schools):
        allowed |= Q(reservation=Reservation.PRIORITY)
    if schools:
        allowed |= Q(reservation=Reservation.SCHOOLS, reserved_schools__in=[school.pk for school in schools])
    return allowed


def reservation_allows(user, offer) -> bool:
    if offer.reservation == Reservation.OPEN or getattr(user, "is_staff", False):
        return True
    schools = viewer_schools(user)
    if offer.reservation == Reservation.PRIORITY:
        return any(school_is_priority(school) for school in schools)
    reserved = set(offer.reserved_schools.values_list("pk", flat=True))
    return any(school.pk in reserved for school in schools)


def can_manage_offer(user, offer) -> bool:
    """Employers of the offer's organisation, staff of the association that posted it, platform staff."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    if (
        offer.association_id
        and user.association_memberships.filter(
            association_id=offer.association_id, role=AssociationRole.STAFF, status=MembershipStatus.CONFIRMED
        ).exists()
    ):
        return True
    return user.organisation_memberships.filter(
        organisation_id=offer.organisation_id, role=OrganisationRole.EMPLOYER, status=MembershipStatus.CONFIRMED
    ).exists()


def can_view_offer(user, offer) -> bool:
    """The offer's page: published and not hidden, for whoever its reservation allows; always for its managers."""
    if offer.status == OfferStatus.PUBLISHED and offer.hidden_at is None and reservation_allows(user, offer):
        return True
    return can_manage_offer(user, offer)
