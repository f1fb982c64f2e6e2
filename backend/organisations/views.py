from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.accounts.enums import MembershipStatus
from backend.accounts.memberships import membership_confirm
from backend.organisations import forms, permissions, services, tokens
from backend.organisations.models import (
    Association,
    AssociationMembership,
    HostOrganisation,
    OrganisationMembership,
    PartnerToken,
)
from backend.ui.forms import DsfrForm


@require_http_methods(["GET", "POST"])
def organisation_join(request):
    if request.user.is_pupil:
        raise PermissionDenied
    form = forms.OrganisationJoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.organisation_join_or_create(
                user=request.user,
                siret=data["siret"],
                role=data["role"],
                name=data["name"],
                kind=data["kind"],
                sector=data["sector"],
                address=data["address"],
                commune=data.get("commune"),
            )
        except services.OrganisationError as error:
            form.add_error(None, str(error))
        else:
            if membership.status == MembershipStatus.CONFIRMED:
                messages.success(request, _("Votre structure est inscrite sur Passerelle."))
            else:
                messages.success(request, _("Votre demande est envoyée aux employeurs de cette structure."))
            return redirect("ui:home")
    return render(
        request,
        "organisations/organisation_join.html",
        {"form": form, "page_title": _("Inscrire ou rejoindre une structure d'accueil")},
    )


@require_http_methods(["GET", "POST"])
def association_join(request):
    if request.user.is_pupil:
        raise PermissionDenied
    form = forms.AssociationJoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.association_join_request(
                user=request.user, association=form.cleaned_data["association"], role=form.cleaned_data["role"]
            )
        except services.OrganisationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Votre demande est envoyée à l'équipe de l'association."))
            return redirect("ui:home")
    return render(
        request,
        "organisations/association_join.html",
        {"form": form, "page_title": _("Rejoindre une association partenaire")},
    )


def _members_page(request, *, entity, memberships, decide_url_name, title):
    pending = [m for m in memberships if m.status == MembershipStatus.PENDING]
    for membership in pending:
        membership.decide_url = reverse(decide_url_name, args=[entity.pk, membership.pk])
    return render(
        request,
        "organisations/members.html",
        {
            "entity": entity,
            "pending": pending,
            "confirmed": [m for m in memberships if m.status == MembershipStatus.CONFIRMED],
            "page_title": title,
        },
    )


def _decide(request, membership):
    decision = request.POST.get("decision")
    if decision == "confirm":
        membership_confirm(membership=membership, by=request.user)
        messages.success(request, _("%(name)s est maintenant membre.") % {"name": membership.user})
    elif decision == "refuse":
        try:
            services.membership_refuse(membership=membership)
        except services.OrganisationError as error:
            messages.error(request, str(error))
        else:
            messages.info(request, _("La demande de %(name)s est refusée.") % {"name": membership.user})
    else:
        messages.error(request, _("Choisissez de confirmer ou de refuser la demande."))


def _managed_organisation(request, pk):
    organisation = get_object_or_404(HostOrganisation, pk=pk)
    if not permissions.can_manage_organisation(request.user, organisation):
        raise PermissionDenied
    return organisation


def organisation_members(request, pk):
    organisation = _managed_organisation(request, pk)
    memberships = organisation.memberships.select_related("user").order_by("user__last_name")
    return _members_page(
        request,
        entity=organisation,
        memberships=memberships,
        decide_url_name="organisations:organisation_decide",
        title=_("Membres de %(name)s") % {"name": organisation.name},
    )


@require_POST
def organisation_decide(request, pk, membership_id):
    organisation = _managed_organisation(request, pk)
    _decide(request, get_object_or_404(OrganisationMembership, pk=membership_id, organisation=organisation))
    return redirect("organisations:organisation_members", pk=organisation.pk)


def _managed_association(request, pk):
    association = get_object_or_404(Association, pk=pk)
    if not permissions.can_manage_association(request.user, association):
        raise PermissionDenied
    return association


def association_members(request, pk):
    association = _managed_association(request, pk)
    memberships = association.memberships.select_related("user").order_by("user__last_name")
    return _members_page(
        request,
        entity=association,
        memberships=memberships,
        decide_url_name="organisations:association_decide",
        title=_("Membres de %(name)s") % {"name": association.name},
    )


@require_POST
def association_decide(request, pk, membership_id):
    association = _managed_association(request, pk)
    _decide(request, get_object_or_404(AssociationMembership, pk=membership_id, association=association))
    return redirect("organisations:association_members", pk=association.pk)


# --- Tokens of the partner API -----------------------------------------------------------------------------


class PartnerTokenForm(DsfrForm):
    name = django_forms.CharField(
        label=_("Nom du jeton"),
        max_length=100,
        help_text=_("Pour le reconnaître ensuite : le logiciel ou le site qui l'utilisera, par exemple."),
    )


def _tokens_page(request, association, *, form, secret=None, new_token=None):
    response = render(
        request,
        "organisations/partner_tokens.html",
        {
            "association": association,
            "tokens": tokens.association_tokens(association),
            "form": form,
            "may_create": permissions.can_create_partner_token(request.user, association),
            "secret": secret,
            "new_token": new_token,
            "api_docs_url": reverse("api:docs"),
            "page_title": _("API partenaire de %(name)s") % {"name": association.name},
        },
    )
    # The page may carry a secret shown once: no copy of it in any cache.
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def partner_tokens(request, pk):
    """The association's API tokens: its staff create them (the secret is shown once), staff and platform staff
    see and revoke them."""
    association = _managed_association(request, pk)
    if request.method == "POST":
        if not permissions.can_create_partner_token(request.user, association):
            raise PermissionDenied
        form = PartnerTokenForm(request.POST)
        if form.is_valid():
            try:
                token, secret = tokens.partner_token_create(
                    association=association, name=form.cleaned_data["name"], by=request.user
                )
            except tokens.TokenError as error:
                form.add_error("name", str(error))
            else:
                return _tokens_page(request, association, form=PartnerTokenForm(), secret=secret, new_token=token)
        return _tokens_page(request, association, form=form)
    return _tokens_page(request, association, form=PartnerTokenForm())


@require_POST
def partner_token_revoke(request, pk, token_pk):
    association = _managed_association(request, pk)
    token = get_object_or_404(PartnerToken, pk=token_pk, association=association)
    was_active = token.is_active
    tokens.partner_token_revoke(token=token, by=request.user)
    if was_active:
        messages.success(
            request,
            _("Le jeton « %(name)s » (%(prefix)s…) est révoqué : il ne fonctionne plus.")
            % {"name": token.name, "prefix": token.prefix},
        )
    return redirect("organisations:partner_tokens", pk=association.pk)
