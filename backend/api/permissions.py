"""What a reader may see of a class beyond its public facts.

`ClassAccess` answers, for a whole list of classes and without a query per class, the same question as
`backend.schools.permissions.can_manage_class` (tests/api/test_classes.py checks that they agree): the
roster is for the class's teachers, its school's heads and platform staff. The join code is narrower:
only those who hand it to pupils, the class's teachers and the school's heads.
"""

from dataclasses import dataclass

from backend.accounts.enums import MembershipStatus
from backend.schools.enums import StaffRole
from backend.schools.models import SchoolStaff


@dataclass(frozen=True)
class ClassAccess:
    user_id: int | None
    is_platform_staff: bool
    headed_school_ids: frozenset[int]
    staff_school_ids: frozenset[int]

    def manages(self, school_class) -> bool:
        """Heads of the class's school, and its teachers while confirmed in that school."""
        if school_class.school_id in self.headed_school_ids:
            return True
        return school_class.school_id in self.staff_school_ids and any(
            teacher.pk == self.user_id for teacher in school_class.teachers.all()
        )

    def may_see_join_code(self, school_class) -> bool:
        return self.manages(school_class)

    def may_see_roster(self, school_class) -> bool:
        return self.is_platform_staff or self.manages(school_class)


def class_access(user) -> ClassAccess:
    if not user.is_authenticated or user.is_pupil:
        return ClassAccess(
            user_id=None, is_platform_staff=False, headed_school_ids=frozenset(), staff_school_ids=frozenset()
        )
    memberships = list(
        SchoolStaff.objects.filter(user=user, status=MembershipStatus.CONFIRMED).values_list("school_id", "role")
    )
    return ClassAccess(
        user_id=user.pk,
        is_platform_staff=user.is_staff,
        headed_school_ids=frozenset(school for school, role in memberships if role == StaffRole.HEAD),
        staff_school_ids=frozenset(school for school, _role in memberships),
    )
