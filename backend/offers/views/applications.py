"""Offers: applications pages — a pupil applies and follows her applications, an offer's managers answer them,
a class's teachers follow them (with a private note and a CSV export)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.offers import application_forms as forms
from backend.offers import application_selectors as selectors
from backend.offers import applications as services
from backend.offers import exports, permissions
from backend.offers.enums import ApplicationStatus
from backend.offers.models import Application, Offer
from backend.schools.models import SchoolClass
from backend.schools.permissions import can_manage_class
from backend.schools.selectors import pupil_current_class


def _pupil_only(request) -> None:
    if not request.user.is_pupil:
        raise PermissionDenied


def _application(request, pk) -> Application:
    application = selectors.application_for_page(pk)
    if application is None:
        raise Http404
    if not permissions.can_view_application(request.user, application):
        raise PermissionDenied
    return application


# The pupil ---------------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def apply(request, pk):
    """The application form, or why she may not apply."""
    _pupil_only(request)
    offer = get_object_or_404(Offer.objects.select_related("organisation", "commune"), pk=pk)
    if not permissions.can_view_offer(request.user, offer):
        raise Http404
    existing = selectors.application_of(request.user, offer)
    refusal = services.application_refusal(pupil=request.user, offer=offer)
    weeks = services.application_weeks_open_to(pupil=request.user, offer=offer) if refusal is None else []
    if refusal is None and not weeks:
        refusal = _("Tu as déjà un stage confirmé pour chacune des semaines encore proposées par cette offre.")
    form = forms.ApplicationForm(request.POST or None, weeks=weeks) if refusal is None else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            application = services.application_submit(
                pupil=request.user,
                offer=offer,
                motivation=form.cleaned_data["motivation"],
                weeks=form.cleaned_data["weeks"],
            )
        except services.ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(
                request,
                _("Ta candidature est envoyée. La structure a 15 jours pour te répondre : suis-la ici."),
            )
            return redirect("offers:application_detail", pk=application.pk)
    return render(
        request,
        "offers/applications/apply.html",
        {
            "offer": offer,
            "offer_url": selectors.offer_url(offer),
            "form": form,
            "refusal": refusal,
            "existing": existing,
            "page_title": _("Candidater : %(title)s") % {"title": offer.title},
        },
    )


def my_applications(request):
    """Her applications with their states and what to do next; changes she has not seen yet are highlighted."""
    _pupil_only(request)
    applications = selectors.pupil_applications(request.user)
    response = render(
        request,
        "offers/applications/my_applications.html",
        {
            "applications": applications,
            "to_confirm": [a for a in applications if a.status == ApplicationStatus.ACCEPTED],
            "page_title": _("Mes candidatures"),
        },
    )
    services.applications_seen_by_pupil(
        pupil=request.user, applications=[a for a in applications if a.has_unread_change]
    )
    return response


@require_POST
def application_confirm(request, pk):
    application = _application(request, pk)
    if application.pupil_id != request.user.pk:
        raise PermissionDenied
    try:
        services.application_confirm(application=application, pupil=request.user)
    except services.ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Ton stage est confirmé. Bravo ! Tes professeurs sont prévenus."))
    return redirect("offers:application_detail", pk=application.pk)


@require_POST
def application_withdraw(request, pk):
    application = _application(request, pk)
    if application.pupil_id != request.user.pk:
        raise PermissionDenied
    try:
        services.application_withdraw(application=application, pupil=request.user)
    except services.ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Ta candidature est retirée."))
    return redirect("offers:my_applications")


# One application, for each of the people who may see it -----------------------------------------------------------


def _accept_form(application, can_answer: bool) -> forms.AcceptForm | None:
    """None when there is nothing to accept: an accepted application whose pupil asked for no other week."""
    if not can_answer:
        return None
    form = forms.AcceptForm(application=application)
    return form if form.fields["week"].queryset.exists() else None


def _detail_context(request, application, *, accept_form=None, decline_form=None, note_form=None) -> dict:
    user = request.user
    is_pupil = application.pupil_id == user.pk
    is_manager = permissions.can_answer_application(user, application)
    follows = permissions.can_follow_application(user, application)
    can_answer = is_manager and application.status in services.ANSWERABLE
    selectors.decorate(application)
    school_class = pupil_current_class(application.pupil)
    return {
        "application": application,
        "offer": application.offer,
        "weeks": list(application.weeks.all()),
        "is_pupil": is_pupil,
        "is_manager": is_manager,
        "follows": follows,
        # Teachers (and staff) know the pupil's full name; the offer's managers only her first name and initial.
        "pupil_name": application.pupil.get_full_name() if follows else application.pupil.display_name,
        "school_class": school_class,
        "can_answer": can_answer,
        "accept_form": accept_form or _accept_form(application, can_answer),
        "decline_form": decline_form or (forms.DeclineForm() if can_answer else None),
        "note_form": note_form
        or (forms.NoteForm(initial={"teacher_note": application.teacher_note}) if follows else None),
        "can_confirm": is_pupil and application.status == ApplicationStatus.ACCEPTED,
        "can_withdraw": is_pupil and application.status in services.WITHDRAWABLE,
        "page_title": _("Candidature : %(title)s") % {"title": application.offer.title},
    }


def application_detail(request, pk):
    application = _application(request, pk)
    context = _detail_context(request, application)
    if context["is_manager"]:
        services.application_mark_read(application=application, by=request.user)
    response = render(request, "offers/applications/detail.html", context)
    if context["is_pupil"] and context["application"].has_unread_change:
        services.applications_seen_by_pupil(pupil=request.user, applications=[application])
    return response


def _answer_refused(request, application, form, error) -> bool:
    """A field error goes back to its form; any other refusal (the application changed meanwhile) to a message."""
    if error.field in form.fields:
        form.add_error(error.field, str(error))
        return False
    messages.error(request, str(error))
    return True


@require_POST
def application_answer(request, pk):
    """A manager accepts (with a week) or declines (with a reason) the application."""
    application = _application(request, pk)
    if not permissions.can_answer_application(request.user, application):
        raise PermissionDenied
    decision = request.POST.get("decision")
    if decision not in ("accept", "decline") or application.status not in services.ANSWERABLE:
        messages.error(
            request,
            _("Cette candidature est « %(status)s » : elle n'attend plus de réponse.")
            % {"status": application.get_status_display()}
            if decision in ("accept", "decline")
            else _("Choisissez d'accepter ou de refuser la candidature."),
        )
        return redirect("offers:application_detail", pk=application.pk)
    if decision == "accept":
        form = forms.AcceptForm(request.POST, application=application)
        if form.is_valid():
            try:
                services.application_accept(application=application, by=request.user, week=form.cleaned_data["week"])
            except services.ApplicationError as error:
                if _answer_refused(request, application, form, error):
                    return redirect("offers:application_detail", pk=application.pk)
            else:
                messages.success(
                    request,
                    _("Candidature acceptée. %(name)s a 7 jours pour confirmer.")
                    % {"name": application.pupil.display_name},
                )
                return redirect("offers:application_detail", pk=application.pk)
        context = _detail_context(request, application, accept_form=form)
    else:
        form = forms.DeclineForm(request.POST)
        if form.is_valid():
            try:
                services.application_decline(
                    application=application,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    detail=form.cleaned_data["detail"],
                )
            except services.ApplicationError as error:
                if _answer_refused(request, application, form, error):
                    return redirect("offers:application_detail", pk=application.pk)
            else:
                messages.success(request, _("Candidature refusée. L'élève voit votre réponse et son motif."))
                return redirect("offers:offer_applications", pk=application.offer_id)
        context = _detail_context(request, application, decline_form=form)
    return render(request, "offers/applications/detail.html", context)


@require_POST
def application_note(request, pk):
    """A teacher of the pupil's class saves her private note, then goes back where she was."""
    application = _application(request, pk)
    if not permissions.can_note_application(request.user, application):
        raise PermissionDenied
    form = forms.NoteForm(request.POST)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=False):
        next_url = reverse("offers:application_detail", args=[application.pk])
    if form.is_valid():
        services.application_note_set(application=application, by=request.user, note=form.cleaned_data["teacher_note"])
        messages.success(request, _("Note enregistrée pour %(name)s.") % {"name": application.pupil.get_full_name()})
        return redirect(next_url)
    context = _detail_context(request, application, note_form=form)
    return render(request, "offers/applications/detail.html", context)


# An offer's managers -----------------------------------------------------------------------------------------------


def offer_applications(request, pk):
    offer = get_object_or_404(Offer.objects.select_related("organisation", "commune"), pk=pk)
    if not permissions.can_manage_offer(request.user, offer):
        raise PermissionDenied
    return render(
        request,
        "offers/applications/offer_applications.html",
        {
            "offer": offer,
            "offer_url": selectors.offer_url(offer),
            "groups": selectors.offer_applications_by_status(offer),
            "weeks": selectors.offer_weeks_with_counts(offer),
            "page_title": _("Candidatures : %(title)s") % {"title": offer.title},
        },
    )


# A class's teachers ------------------------------------------------------------------------------------------------


def _managed_class(request, pk) -> SchoolClass:
    school_class = get_object_or_404(SchoolClass.objects.select_related("school"), pk=pk)
    if not can_manage_class(request.user, school_class):
        raise PermissionDenied
    return school_class


def class_applications(request, pk):
    school_class = _managed_class(request, pk)
    applications = selectors.class_applications(school_class)
    return render(
        request,
        "offers/applications/class_applications.html",
        {
            "school_class": school_class,
            "applications": applications,
            "without_application": selectors.pupils_without_application(school_class),
            "page_title": _("Candidatures de la classe %(name)s") % {"name": school_class.name},
        },
    )


def class_applications_csv(request, pk):
    school_class = _managed_class(request, pk)
    return exports.csv_response(
        exports.class_applications_rows(school_class),
        filename=exports.filename("candidatures", school_class.name),
    )


urlpatterns = [
    path("offres/<int:pk>/candidater/", apply, name="apply"),
    path("offres/<int:pk>/candidatures/", offer_applications, name="offer_applications"),
    path("candidatures/", my_applications, name="my_applications"),
    path("candidatures/<int:pk>/", application_detail, name="application_detail"),
    path("candidatures/<int:pk>/reponse/", application_answer, name="application_answer"),
    path("candidatures/<int:pk>/confirmer/", application_confirm, name="application_confirm"),
    path("candidatures/<int:pk>/retirer/", application_withdraw, name="application_withdraw"),
    path("candidatures/<int:pk>/note/", application_note, name="application_note"),
    path("classes/<int:pk>/candidatures/", class_applications, name="class_applications"),
    path("classes/<int:pk>/candidatures.csv", class_applications_csv, name="class_applications_csv"),
]
