"""Access rules for the scheduling tutoring URLs (merged into tests/test_permissions.py)."""

from tests.access import Access  # noqa: F401

ACCESS: dict = {}
