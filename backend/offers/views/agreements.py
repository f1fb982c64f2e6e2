"""Internship agreements: the list of the agreements a person sees (those waiting for her first), one agreement's
page with its signatures, and signing. Rules and writes in `backend.offers.agreements`."""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from backend.offers import agreements as services
from backend.offers.enums import AgreementParty, AgreementStatus
from backend.offers.models import Agreement
from backend.offers.views.catalogue import schedule_rows
from backend.schools.enums import StaffRole
from backend.schools.selectors import confirmed_schools, taught_classes

# The list's filters, by their French URL value.
FILTERS = {
    "a-signer": gettext_lazy("À signer par moi"),
    "en-cours": gettext_lazy("En attente de signatures"),
    "signees": gettext_lazy("Signées"),
    "annulees": gettext_lazy("Annulées"),
    "toutes": gettext_lazy("Toutes"),
}
PAGE_SIZE = 50


def _filtered(user, state: str):
    agreements = services.visible_agreements(user)
    if state == "a-signer":
        return agreements.filter(services.waiting_for(user))
    statuses = {"en-cours": AgreementStatus.TO_SIGN, "signees": AgreementStatus.SIGNED}
    if state in statuses:
        return agreements.filter(status=statuses[state])
    if state == "annulees":
        return agreements.filter(status=AgreementStatus.CANCELLED)
    return agreements


class _NameRule:
    """Her full name for the adults of her school who follow her (the teachers of her class, the school's heads:
    they hold the signed paper copy) and platform staff; first name and initial for everyone else, as everywhere.
    Read once per page (two queries), whatever the number of agreements."""

    def __init__(self, user):
        self.user = user
        self.everyone = user.is_staff
        self.classes = set() if self.everyone else set(taught_classes(user).values_list("pk", flat=True))
        self.schools = (
            set() if self.everyone else {school.pk for school in confirmed_schools(user, role=StaffRole.HEAD)}
        )

    def __call__(self, agreement) -> str:
        pupil = agreement.application.pupil
        if (
            self.everyone
            or pupil.pk == self.user.pk
            or agreement.school_class_id in self.classes
            or (agreement.school_class is not None and agreement.school_class.school_id in self.schools)
        ):
            return pupil.get_full_name()
        return pupil.display_name


@require_GET
def agreement_list(request):
    user = request.user
    waiting = services.visible_agreements(user).filter(services.waiting_for(user)).exists()
    default = "a-signer" if waiting else "en-cours"
    state = request.GET.get("etat") or default
    if state not in FILTERS:
        messages.error(request, _("Ce filtre n'existe pas : voici les conventions en attente de signatures."))
        state = default
    queryset = services.with_related(_filtered(user, state)).order_by("-created_at", "-pk")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    name_of = _NameRule(user)
    rows = [(agreement, name_of(agreement)) for agreement in page.object_list]
    return render(
        request,
        "offers/agreements/list.html",
        {
            "rows": rows,
            "page_obj": page,
            "filters": [(value, label, value == state) for value, label in FILTERS.items()],
            "state": state,
            "state_label": FILTERS[state],
            "waiting": waiting,
            "page_title": _("Conventions de stage"),
        },
    )


def _agreement(request, pk):
    agreement = services.with_related(Agreement.objects.filter(pk=pk)).first()
    if agreement is None or not services.can_view(request.user, agreement):
        raise Http404
    return agreement


@require_GET
def agreement_detail(request, pk):
    agreement = _agreement(request, pk)
    offer = agreement.application.offer
    rows, week_total = schedule_rows(offer.schedule)
    signatures = [
        {
            "party": party,
            "label": party.label,
            "at": getattr(agreement, services.SIGNED_AT[party]),
            "by": getattr(agreement, services.SIGNED_BY[party]),
        }
        for party in AgreementParty
    ]
    week = agreement.application.week
    return render(
        request,
        "offers/agreements/detail.html",
        {
            "agreement": agreement,
            "application": agreement.application,
            "offer": offer,
            "week": week,
            "week_end": week.week_start + datetime.timedelta(days=4) if week else None,
            "pupil_name": _NameRule(request.user)(agreement),
            "schedule_rows": rows,
            "schedule_total": week_total,
            "signatures": signatures,
            "to_sign": [
                (party, AgreementParty(party).label) for party in services.parties_to_sign(request.user, agreement)
            ],
            "page_title": _("Convention de stage"),
        },
    )


@require_POST
def agreement_sign(request, pk):
    agreement = _agreement(request, pk)
    party = request.POST.get("party", "")
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Cochez la case pour confirmer la signature."))
        return redirect("offers:agreement_detail", pk=agreement.pk)
    try:
        services.agreement_sign(agreement=agreement, party=party, by=request.user)
    except services.AgreementError as error:
        messages.error(request, str(error))
    else:
        agreement.refresh_from_db(fields=["status"])
        if agreement.status == AgreementStatus.SIGNED:
            messages.success(request, _("Signature enregistrée : la convention est signée par toutes les parties."))
        else:
            messages.success(request, _("Signature enregistrée."))
    return redirect("offers:agreement_detail", pk=agreement.pk)


urlpatterns = [
    path("conventions/", agreement_list, name="agreements"),
    path("conventions/<int:pk>/", agreement_detail, name="agreement_detail"),
    path("conventions/<int:pk>/signer/", agreement_sign, name="agreement_sign"),
]
