"""What each role's home page shows: real content from the apps' selectors, one function per role."""

from django.db.models import Count, Q
from django.utils import timezone

from backend.accounts.enums import ConsentStatus, MembershipStatus
from backend.accounts.models import User
from backend.offers import agreements, application_selectors
from backend.offers import selectors as offer_selectors
from backend.offers.enums import ApplicationStatus, OfferStatus
from backend.offers.models import Application, Offer
from backend.organisations.enums import AssociationRole, OrganisationRole
from backend.organisations.models import Association, AssociationMembership, HostOrganisation, OrganisationMembership
from backend.schools import selectors as school_selectors
from backend.schools.enums import Priority, StaffRole
from backend.schools.models import School, SchoolClass, SchoolStaff
from scheduling import selectors as scheduling_selectors
from scheduling import session_selectors
from scheduling.enums import BookingStatus


def pending_requests(user) -> dict:
    return {
        "schools": SchoolStaff.objects.filter(user=user, status=MembershipStatus.PENDING).select_related("school"),
        "organisations": OrganisationMembership.objects.filter(
            user=user, status=MembershipStatus.PENDING
        ).select_related("organisation"),
        "associations": AssociationMembership.objects.filter(
            user=user, status=MembershipStatus.PENDING
        ).select_related("association"),
    }


def pupil_home(user) -> dict:
    enrolment = school_selectors.current_enrolment(user)
    teachers = enrolment.school_class.teachers.order_by("last_name") if enrolment else []
    applications = application_selectors.pupil_applications(user)
    return {
        "enrolment": enrolment,
        "teachers": teachers,
        "profile": user.pupil_profile,
        "applications": applications,
        "to_confirm": [a for a in applications if a.status == ApplicationStatus.ACCEPTED],
        "confirmed": [a for a in applications if a.status == ApplicationStatus.CONFIRMED],
        "waiting": sum(a.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.READ) for a in applications),
        "unread_changes": sum(a.has_unread_change for a in applications),
        **pupil_tutoring(user),
    }


def pupil_tutoring(user) -> dict:
    """Her next tutoring appointments (cancelled ones included, so that she sees them)."""
    return {"tutoring_upcoming": list(scheduling_selectors.bookings_of_pupil(user, upcoming=True)[:3])}


def agreements_waiting(user) -> int:
    """Internship agreements that wait for one of her signatures (or, at school, for the family's copy)."""
    return agreements.visible_agreements(user).filter(agreements.waiting_for(user)).count()


def teacher_home(user) -> dict:
    classes = school_selectors.classes_with_counts(school_selectors.taught_classes(user))
    return {
        "classes": classes,
        "schools": school_selectors.confirmed_schools(user),
        "agreements_waiting": agreements_waiting(user),
    }


def school_head_home(user) -> dict:
    schools = []
    for school in school_selectors.confirmed_schools(user, role=StaffRole.HEAD):
        classes = school_selectors.classes_with_counts(school.classes.filter(archived_at__isnull=True))
        schools.append(
            {
                "school": school,
                "classes": classes,
                "pending_staff": school.staff.filter(status=MembershipStatus.PENDING).count(),
                "teachers": school.staff.filter(role=StaffRole.TEACHER, status=MembershipStatus.CONFIRMED).count(),
                "consent_pending": sum(c.consent_pending_count for c in classes),
                "pupils": sum(c.pupil_count for c in classes),
            }
        )
    return {"headed_schools": schools, "agreements_waiting": agreements_waiting(user)}


def _memberships(queryset):
    return queryset.filter(status=MembershipStatus.CONFIRMED)


def organisation_home(user) -> dict:
    memberships = _memberships(user.organisation_memberships).select_related("organisation__commune")
    organisations = []
    for membership in memberships:
        organisation = membership.organisation
        organisations.append(
            {
                "organisation": organisation,
                "role": membership.get_role_display(),
                "can_manage": membership.role == OrganisationRole.EMPLOYER,
                "members": organisation.memberships.filter(status=MembershipStatus.CONFIRMED).count(),
                "pending": organisation.memberships.filter(status=MembershipStatus.PENDING).count(),
            }
        )
    can_post_offers = any(item["can_manage"] for item in organisations)
    return {
        "organisations": organisations,
        "can_post_offers": can_post_offers,
        "agreements_waiting": agreements_waiting(user) if can_post_offers else 0,
        **offer_figures(user),
    }


def offer_figures(user) -> dict:
    """What an offer manager needs at a glance: her offers by state and applications waiting for an answer."""
    offers = Offer.objects.filter(
        Q(organisation__in=offer_selectors.employer_organisations(user).values("pk"))
        | Q(association__in=offer_selectors.staffed_associations(user).values("pk"))
    )
    by_status = dict(offers.values_list("status").annotate(n=Count("pk")).order_by())
    return {
        "offer_counts": {
            "published": by_status.get(OfferStatus.PUBLISHED, 0),
            "submitted": by_status.get(OfferStatus.SUBMITTED, 0),
            "draft": by_status.get(OfferStatus.DRAFT, 0),
        },
        "applications_to_answer": Application.objects.filter(
            offer__in=offers.values("pk"), status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.READ)
        ).count(),
    }


def association_home(user) -> dict:
    staffed = AssociationMembership.objects.filter(
        user=user, role=AssociationRole.STAFF, status=MembershipStatus.CONFIRMED
    ).values("association")
    # Filtering on the person's membership first would make the counts below count only that membership.
    associations = Association.objects.filter(pk__in=staffed).annotate(
        member_count=Count("memberships", filter=Q(memberships__status=MembershipStatus.CONFIRMED), distinct=True),
        pending_count=Count("memberships", filter=Q(memberships__status=MembershipStatus.PENDING), distinct=True),
    )
    priority_schools = (
        School.objects.filter(~Q(priority=Priority.NONE) | Q(qpv=True))
        .select_related("commune")
        .annotate(class_count=Count("classes", filter=Q(classes__archived_at__isnull=True)))
        .order_by("commune__departement_code", "name")
    )
    return {
        **offer_figures(user),
        **session_selectors.association_figures(user),
        "associations": associations,
        "priority_schools": priority_schools[:25],
        "priority_school_count": priority_schools.count(),
    }


def tutor_home(user) -> dict:
    upcoming = scheduling_selectors.bookings_of_tutor(user, start=timezone.now(), include_cancelled=False).filter(
        status=BookingStatus.BOOKED
    )
    return {
        "tutor_profile": user.tutor_profile,
        "associations": _memberships(user.association_memberships.filter(role=AssociationRole.TUTOR)).select_related(
            "association"
        ),
        "tutoring_upcoming": list(upcoming[:5]),
        "tutoring_rule_count": scheduling_selectors.rules_of(user).count(),
        "has_attestation": scheduling_selectors.has_valid_attestation(user),
    }


def platform_staff_home(user) -> dict:
    return {
        "counts": {
            "users": User.objects.filter(is_active=True).count(),
            "pupils": User.objects.filter(pupil_profile__isnull=False).count(),
            "schools": School.objects.count(),
            "classes": SchoolClass.objects.filter(archived_at__isnull=True).count(),
            "organisations": HostOrganisation.objects.count(),
            "associations": Association.objects.count(),
            "consent_pending": User.objects.filter(pupil_profile__consent_status=ConsentStatus.PENDING).count(),
        },
        "offers_to_review": offer_selectors.offers_to_review().count(),
        "open_reports": offer_selectors.open_reports().count(),
        "pending_heads": SchoolStaff.objects.filter(role=StaffRole.HEAD, status=MembershipStatus.PENDING)
        .select_related("user", "school")
        .order_by("created_at"),
        "pending_associations": AssociationMembership.objects.filter(status=MembershipStatus.PENDING)
        .select_related("user", "association")
        .order_by("created_at"),
    }
