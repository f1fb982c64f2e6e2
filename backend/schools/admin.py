from django.contrib import admin

from backend.accounts.memberships import confirm_selected
from backend.schools.models import Enrolment, School, SchoolClass, SchoolStaff


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["uai", "name", "kind", "commune", "academie", "priority", "qpv", "has_segpa", "cite_educative"]
    list_filter = ["kind", "priority", "qpv", "has_segpa", "cite_educative", "academie"]
    search_fields = ["uai", "name", "commune__name"]
    raw_id_fields = ["commune"]


@admin.register(SchoolStaff)
class SchoolStaffAdmin(admin.ModelAdmin):
    list_display = ["user", "school", "role", "status", "created_at", "confirmed_at"]
    list_filter = ["role", "status"]
    search_fields = ["user__email", "user__last_name", "school__name", "school__uai"]
    raw_id_fields = ["user", "school", "confirmed_by"]
    actions = [confirm_selected]


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    raw_id_fields = ["pupil"]


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "level", "school_year", "join_code_enabled", "archived_at"]
    list_filter = ["level", "school_year", "join_code_enabled"]
    search_fields = ["name", "school__name", "school__uai"]
    raw_id_fields = ["school", "teachers", "created_by"]
    readonly_fields = ["join_code"]
    inlines = [EnrolmentInline]
