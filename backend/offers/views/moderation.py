"""Offers: moderation pages — anyone reports an offer; platform staff review submitted offers and decide on
reports (dismiss, hide, delete), and can show a hidden offer again. Every decision is in the offer's history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.offers import forms, permissions, selectors, services
from backend.offers.enums import ReportDecision
from backend.offers.models import Offer, OfferReport
from backend.offers.views.posting import offer_public_url

REPORTS_PER_HOUR = 10


def _staff_only(request) -> None:
    if not permissions.can_moderate_offers(request.user):
        raise PermissionDenied


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def _report_allowed(request) -> bool:
    """At most REPORTS_PER_HOUR reports an hour from one address: counts the attempt."""
    key = f"offers:reports:{_client_address(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count <= REPORTS_PER_HOUR


@login_not_required
@require_http_methods(["GET", "POST"])
def report(request, pk):
    """Anyone who may see an offer reports it, with a reason."""
    offer = get_object_or_404(Offer.objects.select_related("organisation"), pk=pk)
    if not permissions.can_report_offer(request.user, offer):
        raise Http404
    form = forms.ReportForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if not _report_allowed(request):
            form.add_error(None, _("Trop de signalements envoyés depuis votre connexion : réessayez dans une heure."))
            status = 429
        else:
            data = form.cleaned_data
            try:
                services.offer_report(offer=offer, reporter=request.user, reason=data["reason"], detail=data["detail"])
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("Merci : l'équipe de la plateforme va examiner votre signalement."))
                return redirect(offer_public_url(offer))
    return render(
        request,
        "offers/moderation/report.html",
        {
            "offer": offer,
            "form": form,
            "public_url": offer_public_url(offer),
            "page_title": _("Signaler l'offre « %(title)s »") % {"title": offer.title},
        },
        status=status,
    )


def moderation(request):
    """What waits for platform staff: offers sent for validation and open reports."""
    _staff_only(request)
    to_review = list(selectors.offers_to_review())
    reports = list(selectors.open_reports())
    hidden = list(selectors.hidden_offers()[:50])
    for offer in to_review:
        offer.form = forms.ModerationForm(auto_id=f"id_moderation_{offer.pk}_%s")
    return render(
        request,
        "offers/moderation/queue.html",
        {
            "to_review": to_review,
            "reports": reports,
            "hidden": hidden,
            "decisions": ReportDecision.choices,
            "page_title": _("Modération des offres"),
        },
    )


@require_POST
def moderate(request, pk):
    """Publish a submitted offer, or send it back to draft with a message."""
    _staff_only(request)
    offer = get_object_or_404(Offer, pk=pk)
    form = forms.ModerationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("offers:moderation")
    action, note = form.cleaned_data["action"], form.cleaned_data["note"]
    try:
        if action == "publish":
            services.offer_publish(offer=offer, by=request.user, note=note)
        else:
            services.offer_reject(offer=offer, by=request.user, note=note)
    except services.OfferError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if action == "publish":
            messages.success(request, _("L'offre « %(title)s » est publiée.") % {"title": offer.title})
        else:
            messages.success(request, _("L'offre « %(title)s » est renvoyée en brouillon.") % {"title": offer.title})
    return redirect("offers:moderation")


@require_POST
def report_decide(request, pk):
    _staff_only(request)
    report = get_object_or_404(OfferReport.objects.select_related("offer"), pk=pk)
    form = forms.ReportDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez d'écarter le signalement, de masquer l'offre ou de la supprimer."))
        return redirect("offers:moderation")
    decision, title = form.cleaned_data["decision"], report.offer.title
    try:
        services.report_decide(report=report, by=request.user, decision=decision)
    except services.OfferError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        done = {
            ReportDecision.DISMISSED: _("Le signalement de l'offre « %(title)s » est écarté."),
            ReportDecision.HIDDEN: _("L'offre « %(title)s » est masquée : elle sort du catalogue."),
            ReportDecision.DELETED: _("L'offre « %(title)s » est supprimée."),
        }
        messages.success(request, done[decision] % {"title": title})
    return redirect("offers:moderation")


@require_POST
def unhide(request, pk):
    """Show again an offer the moderation hid."""
    _staff_only(request)
    offer = get_object_or_404(Offer, pk=pk)
    try:
        services.offer_unhide(offer=offer, by=request.user, note=request.POST.get("note", "")[:2000])
    except services.OfferError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("L'offre « %(title)s » n'est plus masquée.") % {"title": offer.title})
    return redirect("offers:moderation")


urlpatterns = [
    path("moderation/offres/", moderation, name="moderation"),
    path("moderation/offres/<int:pk>/", moderate, name="moderate"),
    path("moderation/offres/<int:pk>/retablir/", unhide, name="unhide"),
    path("moderation/signalements/<int:pk>/", report_decide, name="report_decide"),
    path("offres/<int:pk>/signaler/", report, name="report"),
]
