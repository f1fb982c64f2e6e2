"""Access rules for the school head's follow-up page (merged into tests/test_permissions.py)."""

from tests.access import Access

ACCESS: dict = {
    # The world school's confirmed head and platform staff; a 404 for everyone else.
    "follow_up:school_follow_up": Access(
        {"school_head", "platform_staff"}, denied=404, kwargs=lambda w: {"uai": w["school"].uai}
    ),
}
