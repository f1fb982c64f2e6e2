from django.contrib import admin

from backend.accounts.memberships import confirm_selected
from backend.organisations.models import Association, AssociationMembership, HostOrganisation, OrganisationMembership


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
