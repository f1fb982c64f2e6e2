from django.contrib import admin

from backend.retention.models import ArchivedPupil, Rollover
from backend.ui.admin import ReadOnlyAdmin


@admin.register(Rollover)
class RolloverAdmin(ReadOnlyAdmin):
    """Written by `services.rollover_school_year` only: the row is what refuses a second run."""

    list_display = ("school_year", "ran_at", "ran_by", "classes_archived", "enrolments_ended", "pupils_archived")
    list_select_related = ("ran_by",)


@admin.register(ArchivedPupil)
class ArchivedPupilAdmin(ReadOnlyAdmin):
    list_display = ("user", "archived_at", "rollover", "anonymised_at")
    list_filter = ("rollover", ("anonymised_at", admin.EmptyFieldListFilter))
    list_select_related = ("user__pupil_profile", "rollover")
    raw_id_fields = ("user",)
