"""The Django admin of live rooms, for platform staff: read-only. Messages and moderation go through
`realtime.services` (sequence numbers, the moderation log), which the admin would bypass."""

from django.contrib import admin

from backend.ui.admin import ReadOnlyAdmin
from realtime.models import FilteredWord, Message, ModerationAction, Poll, Question, Report, Room


@admin.register(Room)
class RoomAdmin(ReadOnlyAdmin):
    list_display = ["id", "session", "booking", "created_at", "locked_at", "next_seq"]
    list_select_related = ["session", "booking__pupil", "booking__slot__tutor"]
    raw_id_fields = ["session", "booking", "locked_by"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["room", "seq", "author", "created_at", "deleted_at", "masked"]
    list_filter = ["deleted_at"]
    list_select_related = ["author__pupil_profile"]
    raw_id_fields = ["room", "author", "deleted_by"]
    search_fields = ["body"]


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ["room", "action", "actor", "target_user", "target_message", "created_at"]
    list_filter = ["action"]
    list_select_related = ["actor", "target_user", "target_message"]
    raw_id_fields = ["room", "actor", "target_user", "target_message", "target_question"]


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ["room", "author", "status", "created_at", "decided_by"]
    list_filter = ["status"]
    list_select_related = ["author__pupil_profile", "decided_by"]
    raw_id_fields = ["room", "author", "decided_by"]


@admin.register(Poll)
class PollAdmin(ReadOnlyAdmin):
    list_display = ["room", "question", "created_by", "created_at", "closed_at"]
    raw_id_fields = ["room", "created_by"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["message", "reporter", "reason", "created_at", "resolution", "resolved_by"]
    list_filter = ["resolution"]
    list_select_related = ["message", "reporter", "resolved_by"]
    raw_id_fields = ["message", "reporter", "resolved_by"]


@admin.register(FilteredWord)
class FilteredWordAdmin(admin.ModelAdmin):
    """The one list staff edit here: words masked in pupils' messages."""

    list_display = ["word", "note", "created_at"]
    search_fields = ["word", "note"]
