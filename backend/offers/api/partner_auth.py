"""Who calls the partner API: an association, through one of its tokens (`Authorization: Bearer <token>`).

- `PartnerTokenAuthentication` finds the token (backend.organisations.tokens) and makes the caller a
  `PartnerCaller`: an association, not a person.
- `IsPartner` lets only such callers in. Nobody else is a partner, signed in on the site or not: without a
  token, 401 (with the `WWW-Authenticate: Bearer` challenge); a person signed in on the site through her
  session, 403 `partner_token_required` (the site's session never opens the partner API).
- `PartnerThrottle` limits each token to the "partner" rate of REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from backend.api.throttling import _RatesFromSettings
from backend.organisations.models import PartnerToken
from backend.organisations.tokens import partner_token_authenticate

KEYWORD = "Bearer"


class PartnerCaller:
    """The caller of the partner API: an association through one of its tokens. Not a person: no account,
    no roles, never platform staff."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    is_pupil = False
    pk = id = None

    def __init__(self, token: PartnerToken):
        self.token = token
        self.association = token.association

    def __str__(self):
        return f"{self.association} ({self.token.prefix}…)"


class PartnerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`; sets request.user to a PartnerCaller and request.auth to the token."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("En-tête Authorization invalide : écrivez « Authorization: Bearer <jeton> ».")
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            secret = ""
        token = partner_token_authenticate(secret=secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Jeton inconnu ou révoqué."))
        return PartnerCaller(token), token

    def authenticate_header(self, request):
        return f'{KEYWORD} realm="api"'


def note_site_session(request) -> None:
    """Notes whether a person is signed in on the site, before DRF's authentication replaces Django's
    request.user with the API's caller. For the views' `initial`."""
    site_user = getattr(request._request, "user", None)
    request.signed_in_on_site = bool(getattr(site_user, "is_authenticated", False))


class IsPartner(BasePermission):
    """A partner token, nothing else (the view calls `note_site_session` first)."""

    def has_permission(self, request, view):
        if isinstance(request.auth, PartnerToken):
            return True
        if getattr(request, "signed_in_on_site", False):
            raise exceptions.PermissionDenied(
                _(
                    "L'API partenaire s'utilise avec un jeton de l'association "
                    "(« Authorization: Bearer <jeton> »), pas avec une session du site."
                ),
                code="partner_token_required",
            )
        return False  # DRF answers 401 with the Bearer challenge


class PartnerThrottle(_RatesFromSettings, SimpleRateThrottle):
    """Requests per partner token (scope "partner")."""

    scope = "partner"
    default_rate = "120/minute"

    def get_rate(self):
        return self.THROTTLE_RATES.get(self.scope, self.default_rate)

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, PartnerToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class PartnerTokenScheme(OpenApiAuthenticationExtension):
    target_class = PartnerTokenAuthentication
    name = "partnerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "pas_…",
            "description": str(
                _(
                    "Jeton d'une association partenaire, créé par son équipe sur sa page « API partenaire » "
                    "et montré une seule fois : « Authorization: Bearer pas_… »."
                )
            ),
        }
