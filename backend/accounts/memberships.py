"""What every membership model shares (a school's staff, an organisation's or an association's members):
a `status` that goes from pending to confirmed, with who confirmed it and when. Confirming is written once,
here, for all of them; the apps that own the models call it."""

from django.contrib import admin
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.enums import MembershipStatus


@transaction.atomic
def membership_confirm(*, membership, by):
    """Confirms a pending membership; confirming one already confirmed changes nothing."""
    membership = type(membership).objects.select_for_update().get(pk=membership.pk)
    if membership.status != MembershipStatus.CONFIRMED:
        membership.status = MembershipStatus.CONFIRMED
        membership.confirmed_by = by
        membership.confirmed_at = timezone.now()
        membership.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    return membership


@admin.action(description=_("Confirmer les demandes sélectionnées"))
def confirm_selected(modeladmin, request, queryset):
    """Django admin action shared by the membership admins."""
    queryset.filter(status=MembershipStatus.PENDING).update(
        status=MembershipStatus.CONFIRMED, confirmed_by=request.user, confirmed_at=timezone.now()
    )
