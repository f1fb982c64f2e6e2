from django.db.models import Count, Q

from backend.accounts.enums import MembershipStatus, Role
from backend.schools.enums import StaffRole
from backend.schools.models import Enrolment, SchoolClass, SchoolStaff


def school_roles(user) -> set[Role]:
    staff_roles = SchoolStaff.objects.filter(user=user, status=MembershipStatus.CONFIRMED).values_list(
        "role", flat=True
    )
    return {Role.SCHOOL_HEAD if role == StaffRole.HEAD else Role.TEACHER for role in set(staff_roles)}


def confirmed_schools(user, *, role: StaffRole | None = None):
    memberships = SchoolStaff.objects.filter(user=user, status=MembershipStatus.CONFIRMED)
    if role:
        memberships = memberships.filter(role=role)
    return [membership.school for membership in memberships.select_related("school__commune")]


def current_enrolment(pupil) -> Enrolment | None:
    return (
        Enrolment.objects.filter(pupil=pupil, left_at__isnull=True)
        .select_related("school_class__school__commune")
        .first()
    )


def pupil_current_class(pupil) -> SchoolClass | None:
    enrolment = current_enrolment(pupil)
    return enrolment.school_class if enrolment else None


def class_teachers(school_class: SchoolClass | None) -> list:
    """The class's teachers who are confirmed staff of its school."""
    if school_class is None:
        return []
    return list(
        school_class.teachers.filter(
            school_memberships__school_id=school_class.school_id,
            school_memberships__status=MembershipStatus.CONFIRMED,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def pupil_teachers(pupil) -> list:
    """The adults told about what concerns a pupil (who has no e-mail): the teachers of her current class."""
    return class_teachers(pupil_current_class(pupil))


def classes_with_counts(queryset):
    return queryset.annotate(
        pupil_count=Count("enrolments", filter=Q(enrolments__left_at__isnull=True), distinct=True),
        consent_pending_count=Count(
            "enrolments",
            filter=Q(enrolments__left_at__isnull=True, enrolments__pupil__pupil_profile__consent_status="pending"),
            distinct=True,
        ),
    ).select_related("school")


def current_pupils(school_class):
    return (
        Enrolment.objects.filter(school_class=school_class, left_at__isnull=True)
        .select_related("pupil__pupil_profile")
        .order_by("pupil__first_name", "pupil__last_name")
    )


def taught_classes(user):
    """The current (not archived) classes she teaches, in a school where her membership is confirmed."""
    return SchoolClass.objects.filter(
        teachers=user,
        archived_at__isnull=True,
        school__staff__user=user,
        school__staff__status=MembershipStatus.CONFIRMED,
    ).distinct()


def visible_classes(user):
    """Classes a user may see: those she teaches, every class of a school she heads, all for staff."""
    if user.is_staff:
        return SchoolClass.objects.all()
    headed = SchoolStaff.objects.filter(user=user, role=StaffRole.HEAD, status=MembershipStatus.CONFIRMED)
    taught = Q(teachers=user) & Q(school__staff__user=user, school__staff__status=MembershipStatus.CONFIRMED)
    return SchoolClass.objects.filter(taught | Q(school__in=headed.values("school"))).distinct()
