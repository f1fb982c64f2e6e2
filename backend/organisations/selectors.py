from backend.accounts.enums import MembershipStatus, Role
from backend.organisations.enums import AssociationRole, OrganisationRole
from backend.organisations.models import AssociationMembership, OrganisationMembership


def organisation_roles(user) -> set[Role]:
    roles = set()
    org_roles = OrganisationMembership.objects.filter(user=user, status=MembershipStatus.CONFIRMED).values_list(
        "role", flat=True
    )
    for role in set(org_roles):
        roles.add(Role.EMPLOYER if role == OrganisationRole.EMPLOYER else Role.PROFESSIONAL)
    if AssociationMembership.objects.filter(
        user=user, role=AssociationRole.STAFF, status=MembershipStatus.CONFIRMED
    ).exists():
        roles.add(Role.ASSOCIATION_STAFF)
    return roles
