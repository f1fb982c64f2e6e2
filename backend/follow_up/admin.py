from django.contrib import admin

from backend.follow_up.models import FeedbackAnswer, FeedbackInvitation
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
