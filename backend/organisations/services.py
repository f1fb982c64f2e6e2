from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.enums import MembershipStatus
from backend.organisations.models import (
    Association,
    AssociationMembership,
    HostOrganisation,
    OrganisationMembership,
)
from backend.organisations.validators import normalise_siret


class OrganisationError(Exception):
    """A rule refused the operation; the message is meant for the person."""


@transaction.atomic
def organisation_join_or_create(
    *, user, siret: str, role: str, name: str, kind: str, sector: str, address: str = "", commune=None
) -> OrganisationMembership:
    """Joins the organisation with this SIRET (an employer of it confirms), or creates it with the person as
    its first, confirmed member."""
    if user.is_pupil:
        raise OrganisationError(_("Un compte d'élève ne peut pas rejoindre une structure d'accueil."))
    organisation = HostOrganisation.objects.select_for_update().filter(siret=normalise_siret(siret)).first()
    if organisation is None:
        organisation = HostOrganisation.objects.create(
            siret=siret, name=name.strip(), kind=kind, sector=sector, address=address.strip(), commune=commune
        )
        return OrganisationMembership.objects.create(
            user=user,
            organisation=organisation,
            role=role,
            status=MembershipStatus.CONFIRMED,
            confirmed_at=timezone.now(),
        )
    if OrganisationMembership.objects.filter(user=user, organisation=organisation).exists():
        raise OrganisationError(_("Vous êtes déjà membre de cette structure ou votre demande est en attente."))
    return OrganisationMembership.objects.create(user=user, organisation=organisation, role=role)


@transaction.atomic
def association_join_request(*, user, association: Association, role: str) -> AssociationMembership:
    if user.is_pupil:
        raise OrganisationError(_("Un compte d'élève ne peut pas rejoindre une association partenaire."))
    membership, created = AssociationMembership.objects.get_or_create(
        user=user, association=association, defaults={"role": role}
    )
    if not created:
        raise OrganisationError(_("Vous êtes déjà membre de cette association ou votre demande est en attente."))
    return membership


@transaction.atomic
def membership_refuse(*, membership) -> None:
    if membership.status == MembershipStatus.CONFIRMED:
        raise OrganisationError(_("Cette personne est déjà membre."))
    membership.delete()
