"""The library in Django's admin, for platform staff: looking, searching, fixing a title. States move through
the services (the API), so that the publication rule is never bypassed: they are read-only here."""

from django.contrib import admin

from media.models import Caption, Thumbnail, UploadSession, Video, VideoEvent, VideoFile


class VideoFileInline(admin.StackedInline):
    model = VideoFile
    can_delete = False
    readonly_fields = [field.name for field in VideoFile._meta.fields if field.name != "id"]
    extra = 0


class CaptionInline(admin.TabularInline):
    model = Caption
    fields = ["language", "label", "cue_count", "source_format", "updated_at"]
    readonly_fields = fields
    extra = 0


class ThumbnailInline(admin.TabularInline):
    model = Thumbnail
    readonly_fields = ["width", "height", "format", "storage_name", "size"]
    extra = 0
    can_delete = False


class VideoEventInline(admin.TabularInline):
    model = VideoEvent
    readonly_fields = ["kind", "actor", "note", "created_at"]
    extra = 0
    can_delete = False


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = ["title", "maker", "sector", "state", "processing_status", "published_at"]
    list_filter = ["state", "processing_status", "sector", "level"]
    search_fields = ["title", "job_title", "rome_code"]
    readonly_fields = [
        "uuid",
        "host_organisation",
        "association",
        "created_by",
        "state",
        "processing_status",
        "processing_failure",
        "duration",
        "poster",
        "poster_uploaded",
        "submitted_at",
        "published_at",
        "withdrawn_at",
    ]
    inlines = [VideoFileInline, CaptionInline, ThumbnailInline, VideoEventInline]

    def has_add_permission(self, request):
        return False


@admin.register(UploadSession)
class UploadSessionAdmin(admin.ModelAdmin):
    list_display = ["filename", "video", "owner", "bytes_received", "declared_size", "status", "expires_at"]
    list_filter = ["status"]
    readonly_fields = [field.name for field in UploadSession._meta.fields]

    def has_add_permission(self, request):
        return False
