from django.contrib import admin

from backend.follow_up.models import AssociationTarget, FeedbackAnswer, FeedbackInvitation, Nudge, TerritoryReferent
from backend.ui.admin import ReadOnlyAdmin


@admin.register(FeedbackAnswer)
class FeedbackAnswerAdmin(ReadOnlyAdmin):
    """Answers are written by `services.answer_submit` only (eligibility, one per person and event)."""

    list_display = ("created_at", "kind", "respondent_role", "satisfaction", "helped_choose", "association", "sector")
    list_filter = ("kind", "respondent_role", "satisfaction", "helped_choose", "school_priority", "school_qpv")
    date_hierarchy = "created_at"
    list_select_related = ("association",)
    raw_id_fields = ("respondent", "session", "tutoring_booking", "application", "school", "school_class")


@admin.register(FeedbackInvitation)
class FeedbackInvitationAdmin(ReadOnlyAdmin):
    list_display = ("sent_at", "kind", "object_id", "user")
    list_filter = ("kind",)
    list_select_related = ("user__pupil_profile",)
    raw_id_fields = ("user",)


@admin.register(Nudge)
class NudgeAdmin(ReadOnlyAdmin):
    """Nudges are written by `class_follow_up.nudge_send` only (her teacher, once a day per message)."""

    list_display = ("created_at", "kind", "pupil", "school_class", "sent_by", "seen_at")
    list_filter = ("kind",)
    date_hierarchy = "created_at"
    list_select_related = ("pupil__pupil_profile", "school_class__school", "sent_by__pupil_profile")
    raw_id_fields = ("pupil", "school_class", "sent_by")


@admin.register(TerritoryReferent)
class TerritoryReferentAdmin(admin.ModelAdmin):
    """Platform staff grant (add) and revoke (delete) the prefecture referent role, one département per row."""

    list_display = ("user", "departement_code", "granted_by", "granted_at")
    list_filter = ("departement_code",)
    search_fields = ("user__email", "user__last_name", "departement_code")
    autocomplete_fields = ("user",)
    readonly_fields = ("granted_by", "granted_at")
    list_select_related = ("user", "granted_by")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(AssociationTarget)
class AssociationTargetAdmin(admin.ModelAdmin):
    """Staff of the associations set their targets on their dashboard; platform staff may correct them here."""

    list_display = ("association", "school_year", "sessions", "pupils", "priority_pupils_share", "professionals")
    list_filter = ("school_year",)
    list_select_related = ("association",)
    search_fields = ("association__name",)
    raw_id_fields = ("association",)
    readonly_fields = ("updated_by", "updated_at")

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
