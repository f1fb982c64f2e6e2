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


def can_create_partner_token(user, association: Association) -> bool:
    """Only the association's confirmed staff make its API tokens (they receive the secret); platform staff
    see and revoke them through `can_manage_association`."""
    return (
        user.is_authenticated
        and association.memberships.filter(
            user=user, role=AssociationRole.STAFF, status=MembershipStatus.CONFIRMED
        ).exists()
    )
