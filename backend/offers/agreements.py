"""Internship agreements (conventions de stage): who signs, who sees, and the writes.

A confirmed application gets its agreement in the same transaction (`agreement_create`, called by
`applications.application_confirm`). Three signatures make it signed, in any order:

- the host organisation: one of its confirmed employers (association staff who posted the offer manage it, but do
  not sign for the organisation that receives the pupil);
- the school: one of the confirmed heads of the pupil's school (the school of her class when she confirmed);
- the pupil's legal representative, on paper: a head of the school or a teacher of her class records that the
  copy signed by the family came back (families have no account).

Withdrawing a confirmed internship cancels its agreement (`agreement_cancel`, called by
`applications.application_withdraw`). Signatures are never undone: a mistake is corrected by withdrawing and
confirming again. The heads and the host's employers are told by e-mail that an agreement waits for them.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.enums import MembershipStatus
from backend.accounts.models import User
from backend.accounts.services import email_send_on_commit
from backend.offers.enums import AgreementParty, AgreementStatus
from backend.offers.models import Agreement, Application
from backend.offers.permissions import is_offer_employer, is_posting_association_staff
from backend.organisations.enums import AssociationRole, OrganisationRole
from backend.schools.enums import StaffRole
from backend.schools.models import SchoolStaff
from backend.schools.permissions import is_confirmed_staff
from backend.schools.selectors import pupil_current_class

# Which moment each party's signature is stored in.
SIGNED_AT = {
    AgreementParty.HOST: "host_signed_at",
    AgreementParty.SCHOOL: "school_signed_at",
    AgreementParty.GUARDIAN: "guardian_signed_at",
}
SIGNED_BY = {
    AgreementParty.HOST: "host_signed_by",
    AgreementParty.SCHOOL: "school_signed_by",
    AgreementParty.GUARDIAN: "guardian_recorded_by",
}


class AgreementError(Exception):
    """A rule refused the operation; the message is meant for the person."""


# --- Who -----------------------------------------------------------------------------------------------------------


def _is_head(user, agreement: Agreement) -> bool:
    return agreement.school_id is not None and is_confirmed_staff(user, agreement.school_id, role=StaffRole.HEAD)


def _teaches(user, agreement: Agreement) -> bool:
    school_class = agreement.school_class
    return (
        school_class is not None
        and school_class.teachers.filter(pk=user.pk).exists()
        and is_confirmed_staff(user, school_class.school_id)
    )


def can_sign(user, agreement: Agreement, party: str) -> bool:
    """Whether this person may give this party's signature (whatever the agreement's state)."""
    if not getattr(user, "is_authenticated", False) or user.is_pupil:
        return False
    if party == AgreementParty.HOST:
        return is_offer_employer(user, agreement.application.offer)
    if party == AgreementParty.SCHOOL:
        return _is_head(user, agreement)
    if party == AgreementParty.GUARDIAN:
        return _is_head(user, agreement) or _teaches(user, agreement)
    return False


def can_view(user, agreement: Agreement) -> bool:
    """The pupil herself, whoever may sign any part of it, the association that posted the offer, platform staff."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or agreement.application.pupil_id == user.pk:
        return True
    return any(can_sign(user, agreement, party) for party in AgreementParty) or is_posting_association_staff(
        user, agreement.application.offer
    )


def parties_to_sign(user, agreement: Agreement) -> list[str]:
    """The signatures this person may still give now."""
    if agreement.status != AgreementStatus.TO_SIGN:
        return []
    return [
        party
        for party in AgreementParty
        if getattr(agreement, SIGNED_AT[party]) is None and can_sign(user, agreement, party)
    ]


def visible_agreements(user) -> QuerySet[Agreement]:
    """Every agreement this person may see, in one query: her school's as a head, her classes' as a teacher, her
    organisation's as an employer, her association's offers' as its staff, her own as a pupil; all for platform
    staff."""
    agreements = Agreement.objects.all()
    if not getattr(user, "is_authenticated", False):
        return agreements.none()
    if user.is_staff:
        return agreements
    if user.is_pupil:
        return agreements.filter(application__pupil=user)
    return agreements.filter(
        _school_q(user)
        | _employer_q(user)
        | Q(
            application__offer__association__memberships__user=user,
            application__offer__association__memberships__role=AssociationRole.STAFF,
            application__offer__association__memberships__status=MembershipStatus.CONFIRMED,
        )
    ).distinct()


def waiting_for(user) -> Q:
    """Agreements still to sign that wait for one of this person's signatures (a filter on `visible_agreements`)."""
    host = Q(host_signed_at__isnull=True) & _employer_q(user)
    school = Q(school_signed_at__isnull=True, school_id__in=_head_schools(user))
    guardian = Q(guardian_signed_at__isnull=True) & _school_q(user)
    return Q(status=AgreementStatus.TO_SIGN) & (host | school | guardian)


def _head_schools(user):
    return SchoolStaff.objects.filter(user=user, role=StaffRole.HEAD, status=MembershipStatus.CONFIRMED).values(
        "school_id"
    )


def _school_q(user) -> Q:
    """Agreements of her school as its head, or of her classes as their teacher (the ones who follow the pupil)."""
    confirmed = SchoolStaff.objects.filter(user=user, status=MembershipStatus.CONFIRMED).values("school_id")
    return Q(school_id__in=_head_schools(user)) | Q(school_class__teachers=user, school_class__school_id__in=confirmed)


def _employer_q(user) -> Q:
    """Agreements of offers of her organisation, as its confirmed employer."""
    return Q(
        application__offer__organisation__memberships__user=user,
        application__offer__organisation__memberships__role=OrganisationRole.EMPLOYER,
        application__offer__organisation__memberships__status=MembershipStatus.CONFIRMED,
    )


def with_related(queryset: QuerySet[Agreement]) -> QuerySet[Agreement]:
    return queryset.select_related(
        "application__offer__organisation",
        "application__offer__commune",
        "application__pupil__pupil_profile",
        "application__week",
        "school__commune",
        "school_class",
        "host_signed_by",
        "school_signed_by",
        "guardian_recorded_by",
    )


def agreement_counts_by_school(school_ids) -> dict[int, dict[str, int]]:
    """Per school: agreements still to sign, those waiting for the head's signature, signed ones — one query."""
    counts = (
        Agreement.objects.filter(school_id__in=list(school_ids))
        .values("school_id")
        .annotate(
            to_sign=Count("pk", filter=Q(status=AgreementStatus.TO_SIGN)),
            head_missing=Count("pk", filter=Q(status=AgreementStatus.TO_SIGN, school_signed_at__isnull=True)),
            signed=Count("pk", filter=Q(status=AgreementStatus.SIGNED)),
        )
    )
    return {row.pop("school_id"): row for row in counts}


# --- Writes --------------------------------------------------------------------------------------------------------


def _notify_created(agreement: Agreement) -> None:
    """The school's heads and the host's employers: an agreement waits for their signature."""
    application = agreement.application
    link = settings.SITE_URL + reverse("offers:agreement_detail", args=[agreement.pk])
    recipients = list(
        User.objects.filter(
            Q(
                organisation_memberships__organisation_id=application.offer.organisation_id,
                organisation_memberships__role=OrganisationRole.EMPLOYER,
                organisation_memberships__status=MembershipStatus.CONFIRMED,
            )
            | Q(
                school_memberships__school_id=agreement.school_id,
                school_memberships__role=StaffRole.HEAD,
                school_memberships__status=MembershipStatus.CONFIRMED,
            ),
            is_active=True,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    for recipient in recipients:
        with timezone.override(recipient.time_zone or settings.TIME_ZONE):
            email_send_on_commit(
                to=recipient.email,
                subject=_("Passerelle : une convention de stage à signer"),
                template="offers/email/agreement_to_sign.txt",
                context={
                    "recipient": recipient,
                    "application": application,
                    "offer": application.offer,
                    "pupil_name": application.pupil.display_name,
                    "link": link,
                },
            )


def agreement_create(*, application: Application) -> Agreement:
    """The agreement of a just-confirmed application (inside the confirmation's transaction). A second
    confirmation of the same application (after a withdrawal, it cannot happen today) would reopen it."""
    school_class = pupil_current_class(application.pupil)
    agreement, created = Agreement.objects.get_or_create(
        application=application,
        defaults={"school": school_class.school if school_class else None, "school_class": school_class},
    )
    if not created:
        return agreement
    _notify_created(agreement)
    return agreement


@transaction.atomic
def agreement_sign(*, agreement: Agreement, party: str, by: User, now: datetime.datetime | None = None) -> Agreement:
    """One party's signature (for the legal representative: the school records the signed paper copy). The row is
    locked so that two signatures at once both count and the state follows."""
    if party not in AgreementParty.values:
        raise AgreementError(_("Signataire inconnu."))
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status == AgreementStatus.CANCELLED:
        raise AgreementError(_("Cette convention est annulée : le stage a été retiré."))
    if not can_sign(by, agreement, party):
        raise AgreementError(_("Vous ne pouvez pas signer pour cette partie."))
    if getattr(agreement, SIGNED_AT[party]) is not None:
        raise AgreementError(_("Cette signature est déjà enregistrée."))
    moment = now or timezone.now()
    setattr(agreement, SIGNED_AT[party], moment)
    setattr(agreement, SIGNED_BY[party], by)
    fields = [SIGNED_AT[party], SIGNED_BY[party]]
    if all(getattr(agreement, SIGNED_AT[each]) is not None for each in AgreementParty):
        agreement.status = AgreementStatus.SIGNED
        fields.append("status")
    agreement.save(update_fields=fields)
    return agreement


def agreement_cancel(*, application: Application, now: datetime.datetime | None = None) -> int:
    """The internship was withdrawn: its agreement (if any) is cancelled. Inside the withdrawal's transaction."""
    return (
        Agreement.objects.filter(application=application)
        .exclude(status=AgreementStatus.CANCELLED)
        .update(status=AgreementStatus.CANCELLED, cancelled_at=now or timezone.now())
    )
