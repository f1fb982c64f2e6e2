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


def is_offer_employer(user, offer) -> bool:
    """A confirmed employer of the offer's host organisation."""
    return user.organisation_memberships.filter(
        organisation_id=offer.organisation_id, role=OrganisationRole.EMPLOYER, status=MembershipStatus.CONFIRMED
    ).exists()


def is_posting_association_staff(user, offer) -> bool:
    """Confirmed staff of the association that posted the offer (if one did)."""
    return (
        bool(offer.association_id)
        and user.association_memberships.filter(
            association_id=offer.association_id, role=AssociationRole.STAFF, status=MembershipStatus.CONFIRMED
        ).exists()
    )


def can_manage_offer(user, offer) -> bool:
    """Employers of the offer's organisation, staff of the association that posted it, platform staff."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    return is_posting_association_staff(user, offer) or is_offer_employer(user, offer)


def can_view_offer(user, offer) -> bool:
    """The offer's page: published and not hidden, for whoever its reservation allows; always for its managers."""
    if offer.status == OfferStatus.PUBLISHED and offer.hidden_at is None and reservation_allows(user, offer):
        return True
    return can_manage_offer(user, offer)


# --- Posting and moderation (helper B) ----------------------------------------------------------------------


def can_post_offers(user) -> bool:
    """Confirmed employers of a host organisation and confirmed staff of a partner association post offers."""
    from backend.accounts.enums import Role
    from backend.accounts.roles import has_role

    return getattr(user, "is_authenticated", False) and has_role(user, Role.EMPLOYER, Role.ASSOCIATION_STAFF)


def can_edit_offer(user, offer) -> bool:
    """Its managers change an offer until it is archived."""
    return offer.status != OfferStatus.ARCHIVED and can_manage_offer(user, offer)


def can_moderate_offers(user) -> bool:
    """Platform staff review submitted offers and decide on reports."""
    return getattr(user, "is_authenticated", False) and user.is_staff


def can_report_offer(user, offer) -> bool:
    """Whoever may see an offer may report it, signed in or not."""
    return can_view_offer(user, offer)


# --- Applications (helper C; services in backend/offers/applications.py) -----------------------------------


def can_answer_application(user, application) -> bool:
    """The offer's managers accept or decline its applications."""
    return can_manage_offer(user, application.offer)


def can_follow_application(user, application) -> bool:
    """The teachers and heads of the pupil's current class (and platform staff) follow her applications."""
    from backend.schools.permissions import can_manage_class

    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    enrolment = current_enrolment(application.pupil)
    return enrolment is not None and can_manage_class(user, enrolment.school_class)


def can_note_application(user, application) -> bool:
    """The teacher's private note: the people who follow the pupil's class, never the pupil nor the employer."""
    return can_follow_application(user, application)


def can_view_application(user, application) -> bool:
    """The pupil herself, the offer's managers, her class's teachers and heads, platform staff."""
    if not getattr(user, "is_authenticated", False):
        return False
    if application.pupil_id == user.pk:
        return True
    return can_answer_application(user, application) or can_follow_application(user, application)


# --- Export of offers (helper D; backend/offers/offers_csv.py) ----------------------------------------------


def can_export_offers(user) -> bool:
    """Employers (their organisations' offers), association staff (their associations' offers) and platform
    staff (every offer) download the offers as CSV."""
    from backend.accounts.enums import Role
    from backend.accounts.roles import has_role

    return getattr(user, "is_authenticated", False) and (
        user.is_staff or has_role(user, Role.EMPLOYER, Role.ASSOCIATION_STAFF)
    )
