"""Request rates. DRF's throttles read their rates once, when first imported; these read them on each
request, so that a changed setting (or a test's override_settings) takes effect at once.

The counters live in the default cache: Redis when REDIS_URL is set, so that every daphne process shares
them; the in-process cache otherwise (embedded mode, a single process).
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


class _RatesFromSettings:
    @property
    def THROTTLE_RATES(self):
        return api_settings.DEFAULT_THROTTLE_RATES


class AnonThrottle(_RatesFromSettings, AnonRateThrottle):
    """Anonymous callers, per address (scope "anon")."""


class UserThrottle(_RatesFromSettings, UserRateThrottle):
    """Signed-in callers, per account (scope "user")."""


class TokenObtainThrottle(_RatesFromSettings, SimpleRateThrottle):
    """Attempts to obtain a token, per address (scope "auth_token").

    It complements django-axes, which locks one identifier tried from one address: this one slows an
    address that tries many identifiers.
    """

    scope = "auth_token"
    default_rate = "10/minute"

    def get_rate(self):
        return self.THROTTLE_RATES.get(self.scope, self.default_rate)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
