"""The Django admin of offers, for platform staff. States move only through the services (the actions below),
so that every change is in the offer's history; the history and the applications are read-only here."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from backend.offers import services
from backend.offers.enums import OfferEventKind, ReportDecision
from backend.offers.models import Agreement, Application, Offer, OfferEvent, OfferReport, OfferWeek
from backend.ui.admin import ReadOnlyAdmin


class OfferWeekInline(admin.TabularInline):
    model = OfferWeek
    extra = 0
    fields = ["week_start", "seats", "seats_taken"]
    readonly_fields = ["seats_taken"]


class OfferEventInline(admin.TabularInline):
    model = OfferEvent
    extra = 0
    fields = ["created_at", "kind", "actor", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def _run(modeladmin, request, queryset, service, done):
    count = 0
    for offer in queryset:
        try:
            service(offer=offer, by=request.user)
        except services.OfferError as error:
            modeladmin.message_user(request, f"{offer} : {error}", messages.WARNING)
        else:
            count += 1
    if count:
        modeladmin.message_user(request, done % {"count": count}, messages.SUCCESS)


@admin.action(description=_("Publier les offres choisies (en attente de validation)"))
def publish_selected(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.offer_publish, _("%(count)s offre(s) publiée(s)."))


@admin.action(description=_("Masquer les offres choisies"))
def hide_selected(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.offer_hide, _("%(count)s offre(s) masquée(s)."))


@admin.action(description=_("Rétablir les offres choisies (masquées)"))
def unhide_selected(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.offer_unhide, _("%(count)s offre(s) rétablie(s)."))


@admin.action(description=_("Archiver les offres choisies"))
def archive_selected(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.offer_archive, _("%(count)s offre(s) archivée(s)."))


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "association", "status", "track", "format", "hidden_at", "created_at"]
    list_filter = ["status", "track", "format", "sector", "reservation", ("hidden_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "job_title", "organisation__name", "organisation__siret", "external_id"]
    raw_id_fields = ["organisation", "association", "created_by", "commune", "reserved_schools"]
    readonly_fields = [
        "status",
        "submitted_at",
        "published_at",
        "archived_at",
        "hidden_at",
        "moderation_note",
        "latitude",
        "longitude",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "created_at"
    inlines = [OfferWeekInline, OfferEventInline]
    actions = [publish_selected, hide_selected, unhide_selected, archive_selected]
    list_select_related = ["organisation", "association"]

    def save_model(self, request, obj, form, change):
        services.offer_coordinates_copy(obj)
        super().save_model(request, obj, form, change)
        kind = OfferEventKind.EDITED if change else OfferEventKind.CREATED
        changed = ", ".join(form.changed_data)
        OfferEvent.objects.create(offer=obj, kind=kind, actor=request.user, note=_("Administration : %s") % changed)


@admin.action(description=_("Écarter les signalements choisis"))
def dismiss_selected(modeladmin, request, queryset):
    _decide(modeladmin, request, queryset, ReportDecision.DISMISSED)


@admin.action(description=_("Masquer les offres des signalements choisis"))
def hide_reported(modeladmin, request, queryset):
    _decide(modeladmin, request, queryset, ReportDecision.HIDDEN)


def _decide(modeladmin, request, queryset, decision):
    count = 0
    for report in queryset:
        try:
            services.report_decide(report=report, by=request.user, decision=decision)
        except services.OfferError as error:
            modeladmin.message_user(request, f"{report} : {error}", messages.WARNING)
        else:
            count += 1
    if count:
        modeladmin.message_user(request, _("%(count)s signalement(s) traité(s).") % {"count": count})


@admin.register(OfferReport)
class OfferReportAdmin(admin.ModelAdmin):
    list_display = ["offer", "reason", "created_at", "decision", "decided_at"]
    list_filter = ["reason", "decision"]
    search_fields = ["offer__title", "detail"]
    raw_id_fields = ["offer", "reporter", "decided_by"]
    readonly_fields = ["offer", "reporter", "reason", "detail", "created_at", "decision", "decided_by", "decided_at"]
    actions = [dismiss_selected, hide_reported]
    list_select_related = ["offer"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OfferEvent)
class OfferEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "offer", "kind", "actor", "note"]
    list_filter = ["kind"]
    search_fields = ["offer__title", "note"]
    list_select_related = ["offer", "actor"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "pupil", "offer", "status", "week"]
    list_filter = ["status"]
    search_fields = ["offer__title", "pupil__username"]
    list_select_related = ["offer", "pupil", "week"]
    exclude = ["teacher_note"]  # the teachers' private note is theirs


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    """Signatures are given on the agreement's page by the parties themselves, never here."""

    list_display = ["created_at", "application", "school", "status", "host_signed_at", "school_signed_at"]
    list_filter = ["status"]
    search_fields = ["application__offer__title", "school__name", "school__uai"]
    list_select_related = ["application__offer", "application__pupil", "school"]
