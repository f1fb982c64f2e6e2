"""Access rules for the scheduling calendar URLs (merged into tests/test_permissions.py)."""

from tests.access import Access  # noqa: F401

ACCESS: dict = {}
