"""The Django admin of scheduling, for platform staff.

Bookings, slots, session bookings, calendar feeds and the reminder log are read-only here: their changes go through
the services (seats, overlaps, notifications, calendar sequences), which the admin would bypass. Availability,
attestations and sessions can be corrected; school-holiday periods are data that staff keep up to date (the
ministry's calendar, imported by `manage.py import_school_holidays`)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.ui.admin import ReadOnlyAdmin
from scheduling.models import (
    AvailabilityException,
    AvailabilityRule,
    AvailabilitySettings,
    Booking,
    CalendarFeed,
    DiscoverySession,
    HonourabilityAttestation,
    ReminderSent,
    SchoolHolidayPeriod,
    SessionBooking,
    SessionRequest,
    Slot,
)


class SchoolHolidayPeriodForm(forms.ModelForm):
    class Meta:
        model = SchoolHolidayPeriod
        fields = ["zone", "school_year", "name", "starts_on", "ends_on", "source"]

    def clean(self):
        cleaned = super().clean()
        zone, starts_on, ends_on = cleaned.get("zone"), cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", gettext("Le dernier jour de vacances ne peut pas précéder le premier."))
        elif zone and starts_on and ends_on:
            overlapping = (
                SchoolHolidayPeriod.objects.filter(zone=zone, starts_on__lte=ends_on, ends_on__gte=starts_on)
                .exclude(pk=self.instance.pk)
                .first()
            )
            if overlapping:
                # Two periods of one zone never overlap: the import recognises a period edited here by its dates.
                raise forms.ValidationError(
                    gettext("Ces dates chevauchent une autre période de la même zone : « %(name)s » (%(dates)s).")
                    % {
                        "name": overlapping.name,
                        "dates": f"{overlapping.starts_on:%d/%m/%Y} – {overlapping.ends_on:%d/%m/%Y}",
                    }
                )
        return cleaned


@admin.register(SchoolHolidayPeriod)
class SchoolHolidayPeriodAdmin(admin.ModelAdmin):
    form = SchoolHolidayPeriodForm
    list_display = ["name", "zone", "school_year", "starts_on", "ends_on", "source"]
    list_filter = ["zone", "school_year"]
    search_fields = ["name", "source", "school_year"]
    date_hierarchy = "starts_on"
    ordering = ["zone", "starts_on"]


@admin.register(AvailabilitySettings)
class AvailabilitySettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "time_zone", "min_notice_hours", "horizon_days", "exclude_holidays", "school_zone"]
    list_filter = ["time_zone", "exclude_holidays", "school_zone"]
    search_fields = ["user__first_name", "user__last_name", "user__email"]
    raw_id_fields = ["user", "association"]


@admin.register(AvailabilityRule)
class AvailabilityRuleAdmin(admin.ModelAdmin):
    list_display = [
        "owner",
        "purpose",
        "rrule",
        "start_time",
        "end_time",
        "time_zone",
        "format",
        "starts_on",
        "ends_on",
    ]
    list_filter = ["purpose", "format", "time_zone"]
    search_fields = ["owner__first_name", "owner__last_name", "owner__email", "rrule"]
    raw_id_fields = ["owner"]


@admin.register(AvailabilityException)
class AvailabilityExceptionAdmin(admin.ModelAdmin):
    list_display = ["owner", "purpose", "kind", "date", "start_time", "end_time", "time_zone"]
    list_filter = ["purpose", "kind"]
    search_fields = ["owner__first_name", "owner__last_name", "owner__email", "note"]
    raw_id_fields = ["owner"]
    date_hierarchy = "date"


@admin.register(HonourabilityAttestation)
class HonourabilityAttestationAdmin(admin.ModelAdmin):
    list_display = ["user", "issued_on", "expires_on", "recorded_by", "recorded_at", "expiry_reminder_sent_at"]
    search_fields = ["user__first_name", "user__last_name", "user__email"]
    raw_id_fields = ["user", "recorded_by"]
    readonly_fields = ["recorded_at", "expiry_reminder_sent_at"]
    date_hierarchy = "expires_on"


class BookingInline(admin.TabularInline):
    model = Booking
    extra = 0
    fields = ["pupil", "topic", "status", "starts_at", "cancelled_at", "cancel_reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Slot)
class SlotAdmin(ReadOnlyAdmin):
    list_display = ["tutor", "starts_at", "ends_at", "format", "seats", "seats_taken", "status"]
    list_filter = ["status", "format"]
    search_fields = ["tutor__first_name", "tutor__last_name", "tutor__email"]
    date_hierarchy = "starts_at"
    inlines = [BookingInline]


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["pupil", "tutor", "starts_at", "topic", "status", "cancelled_at"]
    list_filter = ["status", "topic"]
    search_fields = ["pupil__first_name", "pupil__username", "slot__tutor__last_name", "slot__tutor__email"]
    date_hierarchy = "starts_at"
    list_select_related = ["pupil", "slot__tutor"]

    @admin.display(description=_("tuteur ou tutrice"), ordering="slot__tutor__last_name")
    def tutor(self, obj):
        return obj.slot.tutor


class SessionBookingInline(admin.TabularInline):
    model = SessionBooking
    extra = 0
    fields = ["school_class", "pupil", "places", "status", "created_at", "decided_at", "cancel_reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DiscoverySession)
class DiscoverySessionAdmin(admin.ModelAdmin):
    list_display = ["title", "association", "host_organisation", "starts_at", "mode", "capacity", "status"]
    list_filter = ["status", "mode", "video_provider", "capacity_unit"]
    search_fields = ["title", "association__name", "host_organisation__name"]
    raw_id_fields = ["association", "host_organisation", "professionals", "facilitators", "created_by"]
    # A session's time and state move through the services, which tell everyone taking part and bump the
    # calendar sequence.
    readonly_fields = ["starts_at", "ends_at", "duration_minutes", "status", "cancelled_at", "sequence", "uid"]
    date_hierarchy = "starts_at"
    inlines = [SessionBookingInline]


@admin.register(SessionRequest)
class SessionRequestAdmin(ReadOnlyAdmin):
    list_display = ["theme", "school_class", "association", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["theme", "association__name", "school_class__name"]


@admin.register(SessionBooking)
class SessionBookingAdmin(ReadOnlyAdmin):
    list_display = ["session", "school_class", "pupil", "places", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["session__title", "school_class__name"]
    list_select_related = ["session", "school_class", "pupil"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    # Only a hash of the secret is stored; it is not shown.
    list_display = ["user", "created_at", "revoked_at", "last_used_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__first_name", "user__last_name", "user__email"]
    exclude = ["token_hash"]


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdmin):
    list_display = ["kind", "object_id", "recipient", "offset", "sent_at"]
    list_filter = ["kind", "offset"]
    date_hierarchy = "sent_at"
