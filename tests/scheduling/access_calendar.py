"""Access rules for the scheduling calendar URLs (merged into tests/test_permissions.py)."""

from tests.access import EVERYONE, SIGNED_IN, Access

ACCESS: dict = {
    # Every signed-in person has her own agenda and feed.
    "scheduling:calendar": Access(SIGNED_IN),
    # The feed is read by calendar applications: the secret in the URL is the only key.
    "scheduling:feed": Access(EVERYONE, kwargs=lambda w: {"token": w["calendar_feed_token"]}),
}
