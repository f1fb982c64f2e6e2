from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import PupilProfile, TutorProfile, User


class PupilProfileInline(admin.StackedInline):
    model = PupilProfile
    fk_name = "user"
    extra = 0
    readonly_fields = ["consent_recorded_by", "consent_recorded_at"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["last_name", "first_name"]
    list_display = ["username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active", "time_zone"]
    search_fields = ["username", "email", "first_name", "last_name"]
    readonly_fields = ["date_joined", "last_login"]
    inlines = [PupilProfileInline]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Identité"), {"fields": ["first_name", "last_name", "email", "email_verified_at", "time_zone"]}),
        (_("Droits"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "first_name", "last_name", "password1", "password2"]}),
    ]


@admin.register(TutorProfile)
class TutorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__email", "user__last_name"]
    raw_id_fields = ["user"]
