"""Reads behind the API. Candidates to move into their apps' selectors once the web pages need them too."""

from django.db.models import Prefetch, QuerySet

from backend.accounts.enums import MembershipStatus
from backend.accounts.models import User
from backend.organisations.models import AssociationMembership, OrganisationMembership
from backend.schools.models import Enrolment, School, SchoolClass, SchoolStaff
from backend.schools.selectors import classes_with_counts, visible_classes


def _current_class_ids(pupil) -> QuerySet:
    return Enrolment.objects.filter(pupil=pupil, left_at__isnull=True).values("school_class")


def visible_schools(user) -> QuerySet[School]:
    """Schools a user may read: the whole directory for adults, the school of her current class for a pupil.

    The directory (UAI, name, commune, académie, priority-education status) is public administrative
    data, published openly by the ministry of education; every adult on the platform needs it: employers
    reserve offers for priority schools, associations plan sessions with schools, staff join theirs. A pupil
    has no such need, so she sees only her own school (closed by default where minors are concerned).
    """
    schools = School.objects.select_related("commune")
    if not user.is_authenticated:
        return schools.none()
    if user.is_pupil:
        return schools.filter(classes__in=_current_class_ids(user))
    return schools


def own_schools(user) -> QuerySet[School]:
    """The schools a user belongs to: confirmed staff memberships, or a pupil's current school."""
    if not user.is_authenticated:
        return School.objects.none()
    if user.is_pupil:
        return School.objects.filter(classes__in=_current_class_ids(user))
    return School.objects.filter(staff__user=user, staff__status=MembershipStatus.CONFIRMED)


def readable_classes(user) -> QuerySet[SchoolClass]:
    """Classes a user may read: `visible_classes` (taught, headed, all for staff), or a pupil's current class.

    Each comes with its school, its current pupil count and its teachers, ready to serialise.
    """
    if not user.is_authenticated:
        return SchoolClass.objects.none()
    ids = _current_class_ids(user) if user.is_pupil else visible_classes(user).values("pk")
    teachers = User.objects.select_related("pupil_profile").order_by("last_name", "first_name", "pk")
    return (
        classes_with_counts(SchoolClass.objects.filter(pk__in=ids))
        .prefetch_related(Prefetch("teachers", queryset=teachers))
        .order_by("-school_year", "school__name", "name", "pk")
    )


def user_memberships(user) -> dict:
    """Every membership of a user, pending ones included: what she sees of herself."""
    return {
        "school_memberships": SchoolStaff.objects.filter(user=user)
        .select_related("school")
        .order_by("school__name", "pk"),
        "organisation_memberships": OrganisationMembership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name", "pk"),
        "association_memberships": AssociationMembership.objects.filter(user=user)
        .select_related("association")
        .order_by("association__name", "pk"),
    }
