from backend.accounts.enums import MembershipStatus
from backend.organisations.enums import AssociationRole, OrganisationRole
from backend.organisations.models import Association, HostOrganisation


def can_manage_organisation(user, organisation: HostOrganisation) -> bool:
    """Confirmed employers of the organisation (and platform staff) manage its members."""
    return user.is_authenticated and (
        user.is_staff
        or organisation.memberships.filter(
            user=user, role=OrganisationRole.EMPLOYER, status=MembershipStatus.CONFIRMED
        ).exists()
    )


def can_manage_association(user, association: Association) -> bool:
    return user.is_authenticated and (
        user.is_staff
        or association.memberships.filter(
            user=user, role=AssociationRole.STAFF, status=MembershipStatus.CONFIRMED
        ).exists()
    )
