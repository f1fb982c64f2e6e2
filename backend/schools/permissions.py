"""Who may do what with schools and classes. Views and API views ask these, nothing else decides."""

from backend.accounts.enums import MembershipStatus
from backend.schools.enums import StaffRole
from backend.schools.models import School, SchoolClass, SchoolStaff


def is_confirmed_staff(user, school: School, *, role: StaffRole | None = None) -> bool:
    memberships = SchoolStaff.objects.filter(user=user, school=school, status=MembershipStatus.CONFIRMED)
    if role:
        memberships = memberships.filter(role=role)
    return memberships.exists()


def can_create_class(user, school: School) -> bool:
    return user.is_authenticated and is_confirmed_staff(user, school)


def can_manage_class(user, school_class: SchoolClass) -> bool:
    """The class's confirmed teachers, the school's confirmed heads, and platform staff."""
    if not user.is_authenticated:
        return False
    if user.is_staff or is_confirmed_staff(user, school_class.school, role=StaffRole.HEAD):
        return True
    return school_class.teachers.filter(pk=user.pk).exists() and is_confirmed_staff(user, school_class.school)


def can_confirm_staff(user, school: School) -> bool:
    return user.is_authenticated and (user.is_staff or is_confirmed_staff(user, school, role=StaffRole.HEAD))
