"""Offers: posting pages — employers and association staff create offers in four steps, edit and duplicate them,
move them through their states and see their seats and history."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from backend.offers import forms, permissions, selectors, services
from backend.offers.enums import OfferEventKind, OfferStatus
from backend.offers.models import Offer


def offer_public_url(offer: Offer) -> str:
    """The offer's page in the catalogue."""
    return reverse("offers:detail", args=[offer.pk])


def _managed_offer(request, pk) -> Offer:
    offer = selectors.offer_for_manager(pk)
    if offer is None:
        raise Http404
    if not permissions.can_manage_offer(request.user, offer):
        raise PermissionDenied
    return offer


def _add_validation_error(form, error: ValidationError) -> None:
    """A service's ValidationError shown on the form's fields (or above them for fields it does not have)."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


def _error_summary(*forms_, extra: list[tuple[str, list[str]]] = ()) -> list[tuple[str, str, str]]:
    """(anchor, label, message) of every error of these forms, for the summary above the form. A form may come
    as (form, anchor) to point its non-field errors at a group of fields; `extra` adds (anchor, messages)."""
    summary = []
    for item in forms_:
        form, group_anchor = item if isinstance(item, tuple) else (item, "")
        if not form.is_bound:
            continue
        for bound in form.visible_fields():
            for message in bound.errors:
                summary.append((bound.id_for_label or f"{bound.auto_id}_0", str(bound.label), message))
        summary.extend((group_anchor, "", message) for message in form.non_field_errors())
    for anchor, messages_ in extra:
        summary.extend((anchor, "", message) for message in messages_)
    return summary


def _warn_without_coordinates(request, offer: Offer) -> None:
    if offer.commune_id and not offer.is_remote and offer.latitude is None:
        messages.warning(
            request,
            _(
                "La commune %(commune)s n'a pas de coordonnées connues : l'offre ne sera trouvée que par les "
                "recherches sans lieu."
            )
            % {"commune": offer.commune},
        )


def _step_context(offer: Offer | None, step: str) -> dict:
    index = forms.STEP_SLUGS.index(step)
    steps = [
        {
            "slug": slug,
            "title": title,
            "number": number,
            "current": slug == step,
            "url": reverse("offers:edit", args=[offer.pk, slug]) if offer else None,
        }
        for number, (slug, title) in enumerate(forms.STEPS, start=1)
    ]
    return {
        "offer": offer,
        "step": steps[index],
        "steps": steps,
        "step_count": len(steps),
        "next_step": steps[index + 1] if index + 1 < len(steps) else None,
        "previous_step": steps[index - 1] if index > 0 else None,
    }


def _render_step(request, offer, step, context, *, status=200):
    title = _("Nouvelle offre") if offer is None else _("Modifier l'offre « %(title)s »") % {"title": offer.title}
    return render(
        request,
        f"offers/posting/step_{step}.html",
        {**_step_context(offer, step), **context, "page_title": title},
        status=status,
    )


def _after_save(request, offer: Offer, step: str):
    """To the next step, or to the offer's page after the last one."""
    index = forms.STEP_SLUGS.index(step)
    if index + 1 < len(forms.STEP_SLUGS):
        return redirect("offers:edit", pk=offer.pk, step=forms.STEP_SLUGS[index + 1])
    return redirect("offers:manage", pk=offer.pk)


# --- Lists and the offer's page ------------------------------------------------------------------------------


def mine(request):
    """The offers I manage, with their state, seats left per week and number of applications."""
    if not permissions.can_post_offers(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    offers = list(selectors.offers_managed_by(request.user))
    for offer in offers:
        offer.upcoming_weeks = [week for week in offer.weeks.all() if week.week_start > today]
    return render(request, "offers/posting/mine.html", {"offers": offers, "page_title": _("Mes offres de stage")})


def manage(request, pk):
    """An offer for its managers: state, possible moves, seats per week, history."""
    offer = _managed_offer(request, pk)
    today = timezone.localdate()
    weeks = list(offer.weeks.all())
    actions = [name for name in services.allowed_actions(offer) if name in services.MANAGER_ACTIONS]
    rejection = None
    if offer.status == OfferStatus.DRAFT and offer.moderation_note:
        rejection = offer.moderation_note
    return render(
        request,
        "offers/posting/manage.html",
        {
            "offer": offer,
            "weeks": weeks,
            "today": today,
            "seats_total": sum(week.seats for week in weeks if week.week_start > today),
            "seats_left": sum(week.seats_left for week in weeks if week.week_start > today),
            "actions": actions,
            "history": selectors.offer_history(offer),
            "can_edit": permissions.can_edit_offer(request.user, offer),
            "missing": services.offer_completeness_errors(offer) if offer.status == OfferStatus.DRAFT else [],
            "rejection": rejection,
            "public_url": offer_public_url(offer) if offer.is_visible_in_catalogue else None,
            "steps": _step_context(offer, forms.STEP_SLUGS[0])["steps"],
            "page_title": offer.title,
        },
    )


TRANSITION_DONE = {
    "submit": gettext_lazy("L'offre est envoyée pour validation : l'équipe de la plateforme va la relire."),
    "unpublish": gettext_lazy("L'offre est dépubliée : elle n'apparaît plus dans le catalogue."),
    "republish": gettext_lazy("L'offre est de nouveau publiée."),
    "archive": gettext_lazy("L'offre est archivée."),
}


@require_POST
def transition(request, pk):
    """A manager moves her offer: submit, unpublish, republish or archive."""
    offer = _managed_offer(request, pk)
    action = request.POST.get("action", "")
    if action not in services.MANAGER_ACTIONS:
        messages.error(request, _("Cette action n'existe pas."))
        return redirect("offers:manage", pk=offer.pk)
    try:
        services.offer_transition(offer=offer, by=request.user, action=action)
    except services.OfferError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, str(TRANSITION_DONE[action]))
    return redirect("offers:manage", pk=offer.pk)


@require_POST
def duplicate(request, pk):
    offer = _managed_offer(request, pk)
    copy = services.offer_duplicate(offer=offer, by=request.user)
    messages.success(
        request,
        _("Une copie de l'offre est créée en brouillon : vérifiez-la, ajoutez des semaines puis envoyez-la."),
    )
    return redirect("offers:edit", pk=copy.pk, step=forms.STEP_SLUGS[0])


# --- The four steps ------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def create(request):
    """Step 1 of a new offer: the draft exists once this step is saved."""
    if not permissions.can_post_offers(request.user):
        raise PermissionDenied
    form = forms.OfferStartForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if data["organisation"] == forms.NEW_ORGANISATION:
                    new = form.new_organisation.cleaned_data
                    organisation = services.host_organisation_for_association(
                        siret=new["siret"],
                        name=new["name"],
                        kind=new["kind"],
                        sector=new["sector"],
                        address=new["address"],
                        commune=new.get("commune"),
                    )
                else:
                    organisation = data["organisation_object"]
                offer = services.offer_create(
                    by=request.user,
                    organisation=organisation,
                    association=data.get("association"),
                    **form.offer_fields(),
                )
        except ValidationError as error:
            _add_validation_error(form, error)
        else:
            messages.success(request, _("Le brouillon de l'offre est enregistré."))
            return _after_save(request, offer, "metier")
    summary = _error_summary(form, *([form.new_organisation] if form.wants_new_organisation else []))
    return _render_step(
        request,
        None,
        "metier",
        {"form": form, "new_organisation": form.new_organisation, "error_summary": summary},
    )


@require_http_methods(["GET", "POST"])
def edit(request, pk, step):
    offer = _managed_offer(request, pk)
    if step not in forms.STEP_SLUGS:
        raise Http404
    if not permissions.can_edit_offer(request.user, offer):
        messages.error(
            request, _("Une offre archivée ne peut plus être modifiée : dupliquez-la pour en créer une autre.")
        )
        return redirect("offers:manage", pk=offer.pk)
    return STEP_VIEWS[step](request, offer)


def _save(request, offer: Offer, form, fields: dict) -> bool:
    try:
        services.offer_update(offer=offer, by=request.user, **fields)
    except ValidationError as error:
        _add_validation_error(form, error)
        return False
    except services.OfferError as error:
        form.add_error(None, error.messages)
        return False
    return True


def _step_job(request, offer: Offer):
    initial = {name: getattr(offer, name) for name in forms.JobForm.base_fields}
    form = forms.JobForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _save(request, offer, form, form.offer_fields()):
        return _after_save(request, offer, "metier")
    return _render_step(request, offer, "metier", {"form": form, "error_summary": _error_summary(form)})


def _step_place(request, offer: Offer):
    initial = {
        "track": offer.track,
        "specialties": "\n".join(offer.specialties or []),
        "format": offer.format,
        "address": offer.address,
        "commune": offer.commune,
    }
    form = forms.PlaceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _save(request, offer, form, form.offer_fields()):
        _warn_without_coordinates(request, offer)
        return _after_save(request, offer, "lieu")
    return _render_step(request, offer, "lieu", {"form": form, "error_summary": _error_summary(form)})


def _week_formset_class(extra: int):
    return forms.forms.formset_factory(
        forms.WeekRowForm, formset=forms.BaseWeekFormSet, extra=extra, max_num=60, absolute_max=60
    )


def _step_weeks(request, offer: Offer):
    today = timezone.localdate()
    weeks = list(offer.weeks.all())
    upcoming = [week for week in weeks if week.week_start > today]
    past = [week for week in weeks if week.week_start <= today]
    taken = {week.iso_week: week.seats_taken for week in upcoming}
    schedule_form = forms.ScheduleForm(
        request.POST or None,
        track=offer.track,
        initial=forms.ScheduleForm.initial_from(offer.schedule, offer.group_size),
    )
    formset_class = _week_formset_class(forms.WEEK_ROWS_ADDED)
    initial_weeks = [{"week": week.iso_week, "seats": week.seats} for week in upcoming]
    weeks_errors: list[str] = []
    if request.method == "POST":
        data = request.POST
        if "add_weeks" in request.POST:
            # More empty rows, without saving: the person fills them and saves the step.
            data = request.POST.copy()
            try:
                total = int(data.get("weeks-TOTAL_FORMS", 0))
            except ValueError:
                total = 0
            data["weeks-TOTAL_FORMS"] = str(min(total + forms.WEEK_ROWS_ADDED, 60))
            schedule_form = forms.ScheduleForm(data, track=offer.track)
        formset = formset_class(data, prefix="weeks", initial=initial_weeks)
        if "add_weeks" not in request.POST and schedule_form.is_valid() and formset.is_valid():
            try:
                with transaction.atomic():
                    services.offer_update(
                        offer=offer,
                        by=request.user,
                        group_size=schedule_form.cleaned_data["group_size"],
                        schedule=schedule_form.cleaned_data["schedule"],
                    )
                    services.offer_weeks_set(offer=offer, by=request.user, weeks=formset.weeks())
            except ValidationError as error:
                weeks_errors = error.messages
            except services.OfferError as error:
                weeks_errors = error.messages
            else:
                return _after_save(request, offer, "semaines")
    else:
        formset = formset_class(prefix="weeks", initial=initial_weeks)
    for form in formset.forms:
        form.seats_taken = taken.get(form["week"].value() or "", 0)
    has_errors = request.method == "POST" and (
        bool(weeks_errors) or not schedule_form.is_valid() or not formset.is_valid()
    )
    return _render_step(
        request,
        offer,
        "semaines",
        {
            "schedule_form": schedule_form,
            "formset": formset,
            "weeks_errors": weeks_errors,
            "past_weeks": past,
            "error_summary": _error_summary(
                (schedule_form, "schedule"),
                *formset.forms,
                extra=[("weeks", [*formset.non_form_errors(), *weeks_errors])],
            )
            if has_errors and "add_weeks" not in request.POST
            else [],
        },
    )


def _step_audience(request, offer: Offer):
    initial = {
        "reservation": offer.reservation,
        "reserved_schools": list(offer.reserved_schools.select_related("commune")),
        "disability_friendly": offer.disability_friendly,
    }
    form = forms.AudienceForm(request.POST or None, initial=initial)
    submit = request.POST.get("action") == "submit" and offer.status == OfferStatus.DRAFT
    if request.method == "POST" and form.is_valid() and _save(request, offer, form, form.offer_fields()):
        if not submit:
            messages.success(request, _("Les modifications de l'offre sont enregistrées."))
            return redirect("offers:manage", pk=offer.pk)
        try:
            services.offer_submit(offer=offer, by=request.user)
        except services.OfferError as error:
            form.add_error(None, [_("Le brouillon est enregistré, mais l'offre ne peut pas encore être envoyée :")])
            form.add_error(None, error.messages)
        else:
            messages.success(request, str(TRANSITION_DONE["submit"]))
            return redirect("offers:manage", pk=offer.pk)
    return _render_step(
        request,
        offer,
        "public",
        {
            "form": form,
            "error_summary": _error_summary(form),
            "weeks": list(offer.weeks.all()),
            "today": timezone.localdate(),
            "missing": services.offer_completeness_errors(offer) if offer.status == OfferStatus.DRAFT else [],
            "schedule_rows": _schedule_rows(offer),
            "domain": _domain_name(offer),
            "rejected": offer.events.filter(kind=OfferEventKind.REJECTED).exists()
            and offer.status == OfferStatus.DRAFT,
        },
    )


def _schedule_rows(offer: Offer) -> list[tuple[str, str]]:
    from backend.offers.rules import WEEKDAYS

    rows = []
    for day, ranges in sorted((offer.schedule or {}).items()):
        try:
            name = str(WEEKDAYS[int(day)]).capitalize()
        except (KeyError, ValueError):
            continue
        rows.append((name, " ; ".join(f"{start} – {end}" for start, end in ranges)))
    return rows


def _domain_name(offer: Offer) -> str:
    from backend.offers.taxonomy import domains

    domain = domains().get(offer.domain)
    return f"{domain.code} — {domain.name}" if domain else offer.domain


STEP_VIEWS = {"metier": _step_job, "lieu": _step_place, "semaines": _step_weeks, "public": _step_audience}


urlpatterns = [
    path("offres/gestion/", mine, name="mine"),
    path("offres/nouvelle/", create, name="create"),
    path("offres/<int:pk>/modifier/<str:step>/", edit, name="edit"),
    path("offres/<int:pk>/gestion/", manage, name="manage"),
    path("offres/<int:pk>/etat/", transition, name="transition"),
    path("offres/<int:pk>/dupliquer/", duplicate, name="duplicate"),
]
