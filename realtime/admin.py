"""The Django admin of live rooms, for platform staff: read-only. Messages and moderation go through
`realtime.services` (sequence numbers, the moderation log), which the admin would bypass."""

from django.contrib import admin

from backend.ui.admin import ReadOnlyAdmin
from realtime.models import FilteredWord, Message, ModerationAction, Room


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
    raw_id_fields = ["room", "actor", "target_user", "target_message"]


@admin.register(FilteredWord)
class FilteredWordAdmin(admin.ModelAdmin):
    """The one list staff edit here: words masked in pupils' messages."""

    list_display = ["word", "note", "created_at"]
    search_fields = ["word", "note"]
