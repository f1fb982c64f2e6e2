"""Scheduling pages: safeguarding — honourability attestations of tutors (routes at the end).

Association staff (of an association the tutor is affiliated to) and platform staff record a tutor's attestation
d'honorabilité after seeing it, and follow which tutors have a valid one, one that expires within 30 days, an
expired one or none; a tutor sees his own status. Without a valid attestation a tutor offers group slots only
(`scheduling.selectors.has_valid_attestation`); the write is `scheduling.services.attestation_record`."""

import dataclasses
import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from backend.accounts.enums import MembershipStatus
from backend.accounts.models import User
from backend.organisations.enums import AssociationRole
from backend.organisations.models import Association
from backend.ui.forms import DsfrForm
from scheduling import permissions, services
from scheduling.models import HonourabilityAttestation

EXPIRING_WITHIN_DAYS = 30
# An attestation is checked when it is seen: one issued long ago or valid for decades is a typing mistake.
MAX_AGE_DAYS = 365 * 5
MAX_VALIDITY_DAYS = 365 * 10

STATUS_VALID = "valid"
STATUS_EXPIRING = "expiring"
STATUS_EXPIRED = "expired"
STATUS_NONE = "none"
STATUS_LABELS = {
    STATUS_VALID: gettext_lazy("Valide"),
    STATUS_EXPIRING: gettext_lazy("Expire dans moins de 30 jours"),
    STATUS_EXPIRED: gettext_lazy("Expirée"),
    STATUS_NONE: gettext_lazy("Aucune attestation"),
}
# DSFR badge colours: success, warning, error, neutral (each with a text, never colour alone).
STATUS_BADGES = {
    STATUS_VALID: "fr-badge--success",
    STATUS_EXPIRING: "fr-badge--warning",
    STATUS_EXPIRED: "fr-badge--error",
    STATUS_NONE: "fr-badge--info",
}


# --- Who is concerned, who may record ------------------------------------------------------------------------


def _tutor_filter() -> Q:
    return Q(tutor_profile__isnull=False) | Q(
        association_memberships__role=AssociationRole.TUTOR,
        association_memberships__status=MembershipStatus.CONFIRMED,
    )


# --- Reads ---------------------------------------------------------------------------------------------------


def attestation_status(expires_on: datetime.date | None, *, today: datetime.date) -> str:
    """`expires_on` is the last day the attestation is valid."""
    if expires_on is None:
        return STATUS_NONE
    if expires_on < today:
        return STATUS_EXPIRED
    if expires_on <= today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS):
        return STATUS_EXPIRING
    return STATUS_VALID


@dataclasses.dataclass
class TutorRow:
    tutor: User
    expires_on: datetime.date | None
    status: str
    associations: list[str]

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def badge(self):
        return STATUS_BADGES[self.status]


def followed_tutors(viewer, *, today: datetime.date) -> list[TutorRow]:
    """The tutors `viewer` follows (all of them for platform staff; the tutors of her associations otherwise),
    with the expiry date of their latest attestation already issued, sorted by urgency then name."""
    tutors = User.objects.filter(_tutor_filter())
    if not viewer.is_staff:
        tutors = tutors.filter(
            association_memberships__role=AssociationRole.TUTOR,
            association_memberships__status=MembershipStatus.CONFIRMED,
            association_memberships__association_id__in=permissions.staffed_association_ids(viewer),
        )
    tutors = (
        User.objects.filter(pk__in=tutors.values("pk"))
        .annotate(
            latest_expiry=Max(
                "honourability_attestations__expires_on",
                filter=Q(honourability_attestations__issued_on__lte=today),
            )
        )
        # display_name asks whether the person is a pupil: one join instead of one query per tutor.
        .select_related("pupil_profile")
        .prefetch_related("association_memberships__association")
        .order_by("last_name", "first_name", "pk")
    )
    rows = []
    for tutor in tutors:
        associations = sorted(
            membership.association.name
            for membership in tutor.association_memberships.all()
            if membership.role == AssociationRole.TUTOR and membership.status == MembershipStatus.CONFIRMED
        )
        status = attestation_status(tutor.latest_expiry, today=today)
        rows.append(TutorRow(tutor, tutor.latest_expiry, status, associations))
    urgency = [STATUS_EXPIRED, STATUS_NONE, STATUS_EXPIRING, STATUS_VALID]
    rows.sort(key=lambda row: urgency.index(row.status))
    return rows


def attestations_of(tutor):
    return (
        HonourabilityAttestation.objects.filter(user=tutor)
        .select_related("recorded_by__pupil_profile")
        .order_by("-expires_on")
    )


# --- Form and write --------------------------------------------------------------------------------------------


class AttestationForm(DsfrForm):
    issued_on = forms.DateField(
        label=gettext_lazy("Délivrée le"),
        help_text=gettext_lazy("Format attendu : JJ/MM/AAAA"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Valable jusqu'au"),
        help_text=gettext_lazy("Dernier jour de validité. Format attendu : JJ/MM/AAAA"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    seen = forms.BooleanField(
        label=gettext_lazy("J'ai vu l'attestation originale et vérifié qu'elle concerne cette personne"),
    )

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_issued_on(self):
        issued_on = self.cleaned_data["issued_on"]
        if issued_on > self.today:
            raise ValidationError(_("La date de délivrance ne peut pas être dans le futur."))
        if issued_on < self.today - datetime.timedelta(days=MAX_AGE_DAYS):
            raise ValidationError(_("Cette attestation a plus de cinq ans : demandez-en une plus récente."))
        return issued_on

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        if expires_on < self.today:
            raise ValidationError(_("Cette attestation a déjà expiré : elle ne peut pas être enregistrée."))
        return expires_on

    def clean(self):
        cleaned = super().clean()
        issued_on, expires_on = cleaned.get("issued_on"), cleaned.get("expires_on")
        if issued_on and expires_on:
            if expires_on <= issued_on:
                self.add_error("expires_on", _("La fin de validité doit suivre la date de délivrance."))
            elif expires_on > issued_on + datetime.timedelta(days=MAX_VALIDITY_DAYS):
                self.add_error(
                    "expires_on", _("Une attestation n'est pas valable plus de dix ans : vérifiez la date.")
                )
        return cleaned


# --- Views -----------------------------------------------------------------------------------------------------


def tutors(request):
    """The tutors the viewer follows, with their attestation status; a filter by status."""
    if not permissions.can_follow_attestations(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    rows = followed_tutors(request.user, today=today)
    counts = {status: sum(1 for row in rows if row.status == status) for status in STATUS_LABELS}
    chosen = request.GET.get("statut", "")
    if chosen in STATUS_LABELS:
        rows = [row for row in rows if row.status == chosen]
    else:
        chosen = ""
    filters = [
        {"value": status, "label": label, "count": counts[status], "current": status == chosen}
        for status, label in STATUS_LABELS.items()
    ]
    return render(
        request,
        "scheduling/safeguarding/tutors.html",
        {
            "rows": rows,
            "filters": filters,
            "chosen": chosen,
            "total": sum(counts.values()),
            "page_title": _("Attestations d'honorabilité des tuteurs"),
        },
    )


@require_http_methods(["GET", "POST"])
def record(request, user_id):
    """Record a tutor's attestation after seeing it; the page shows the ones already recorded."""
    tutor = get_object_or_404(User, pk=user_id)
    if not permissions.can_record_attestation(request.user, tutor):
        raise PermissionDenied
    today = timezone.localdate()
    form = AttestationForm(request.POST or None, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.attestation_record(
                user=tutor,
                issued_on=data["issued_on"],
                expires_on=data["expires_on"],
                recorded_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("L'attestation de %(name)s est enregistrée : valable jusqu'au %(date)s.")
                % {"name": tutor.display_name, "date": data["expires_on"].strftime("%d/%m/%Y")},
            )
            return redirect("scheduling:safeguarding_tutors")
    history = list(attestations_of(tutor))
    latest = max((a.expires_on for a in history if a.issued_on <= today), default=None)
    current = attestation_status(latest, today=today)
    return render(
        request,
        "scheduling/safeguarding/record.html",
        {
            "tutor": tutor,
            "form": form,
            "history": history,
            "status_label": STATUS_LABELS[current],
            "badge": STATUS_BADGES[current],
            "page_title": _("Attestation d'honorabilité de %(name)s") % {"name": tutor.display_name},
        },
    )


def mine(request):
    """A tutor's own status: whether he may offer one-to-one slots, and until when."""
    if not permissions.is_tutor(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    history = list(attestations_of(request.user))
    latest = max((a.expires_on for a in history if a.issued_on <= today), default=None)
    current = attestation_status(latest, today=today)
    associations = (
        Association.objects.filter(
            memberships__user=request.user,
            memberships__role=AssociationRole.TUTOR,
            memberships__status=MembershipStatus.CONFIRMED,
        )
        .order_by("name")
        .values_list("name", flat=True)
    )
    return render(
        request,
        "scheduling/safeguarding/mine.html",
        {
            "history": history,
            "status": current,
            "status_label": STATUS_LABELS[current],
            "badge": STATUS_BADGES[current],
            "expires_on": latest,
            "associations": list(associations),
            "page_title": _("Mon attestation d'honorabilité"),
        },
    )


urlpatterns = [
    path("honorabilite/", tutors, name="safeguarding_tutors"),
    path("honorabilite/tuteurs/<int:user_id>/", record, name="safeguarding_record"),
    path("honorabilite/mon-attestation/", mine, name="safeguarding_mine"),
]
