from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from backend.accounts.memberships import confirm_selected
from backend.organisations.models import (
    Association,
    AssociationMembership,
    HostOrganisation,
    OrganisationMembership,
    PartnerToken,
)
from backend.organisations.tokens import partner_token_revoke


class OrganisationMembershipInline(admin.TabularInline):
    model = OrganisationMembership
    extra = 0
    raw_id_fields = ["user", "confirmed_by"]


@admin.register(HostOrganisation)
class HostOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "siret", "sector", "commune"]
    list_filter = ["kind", "sector"]
    search_fields = ["name", "siret"]
    raw_id_fields = ["commune"]
    inlines = [OrganisationMembershipInline]


@admin.register(OrganisationMembership)
class OrganisationMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "status", "created_at"]
    list_filter = ["role", "status"]
    raw_id_fields = ["user", "organisation", "confirmed_by"]
    actions = [confirm_selected]


class AssociationMembershipInline(admin.TabularInline):
    model = AssociationMembership
    extra = 0
    raw_id_fields = ["user", "confirmed_by"]


@admin.register(Association)
class AssociationAdmin(admin.ModelAdmin):
    list_display = ["name", "siret", "national_partner"]
    list_filter = ["national_partner"]
    search_fields = ["name", "siret"]
    inlines = [AssociationMembershipInline]


@admin.register(AssociationMembership)
class AssociationMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "association", "role", "status", "created_at"]
    list_filter = ["role", "status"]
    raw_id_fields = ["user", "association", "confirmed_by"]
    actions = [confirm_selected]


@admin.action(description=_("Révoquer les jetons choisis"))
def revoke_selected(modeladmin, request, queryset):
    for token in queryset.filter(revoked_at__isnull=True):
        partner_token_revoke(token=token, by=request.user)


@admin.register(PartnerToken)
class PartnerTokenAdmin(admin.ModelAdmin):
    """Tokens are made by the association's staff on their page (the secret is shown to them once); here
    platform staff see and revoke them, nothing more."""

    list_display = ["name", "prefix", "association", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "association__name"]
    readonly_fields = [
        "association",
        "name",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]
    exclude = ["key_hash"]
    actions = [revoke_selected]

    def has_add_permission(self, request):
        return False
