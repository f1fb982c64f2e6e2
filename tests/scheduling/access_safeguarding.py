"""Access rules for the scheduling safeguarding URLs (merged into tests/test_permissions.py)."""

from tests.access import Access

FOLLOWERS = {"association_staff", "platform_staff"}

ACCESS: dict = {
    "scheduling:safeguarding_tutors": Access(FOLLOWERS),
    # Staff of an association the tutor is affiliated to, and platform staff.
    "scheduling:safeguarding_record": Access(FOLLOWERS, kwargs=lambda w: {"user_id": w["safeguarding_tutor"].pk}),
    "scheduling:safeguarding_mine": Access({"tutor"}),
}
