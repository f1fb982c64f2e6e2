"""Passerelle API, version 1: one view per resource, thin over the selectors."""

import axes.utils
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.shortcuts import get_object_or_404
from django.urls import Resolver404, resolve
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, authentication_classes, permission_classes, renderer_classes
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from backend.accounts.roles import user_roles
from backend.api.base import ApiListView, ApiRetrieveView, ApiView
from backend.api.errors import ErrorSerializer, error_response
from backend.api.filters import ClassFilter, SchoolFilter
from backend.api.permissions import class_access
from backend.api.selectors import readable_classes, user_memberships, visible_schools
from backend.api.serializers import (
    ClassDetailSerializer,
    ClassSerializer,
    MeSerializer,
    SchoolSerializer,
    TokenObtainSerializer,
    TokenSerializer,
)
from backend.api.throttling import AnonThrottle, TokenObtainThrottle
from backend.schools.selectors import current_enrolment
from backend.schools.validators import normalise_uai

# --- The caller ------------------------------------------------------------------------------------------------


def _pupil_summary(user) -> dict | None:
    if not user.is_pupil:
        return None
    enrolment = current_enrolment(user)
    return {
        "consent_status": user.pupil_profile.consent_status,
        "current_class": enrolment.school_class if enrolment else None,
    }


@extend_schema(
    tags=["me"],
    summary=_("Le compte connecté"),
    description=_(
        "Qui appelle : nom, rôles confirmés, fuseau horaire, et ses appartenances (établissements, "
        "structures d'accueil, associations), y compris celles en attente de confirmation."
    ),
    responses=MeSerializer,
)
class MeView(ApiView):
    def get(self, request):
        user = request.user
        profile = {
            "id": user.pk,
            "display_name": user.display_name,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": None if user.is_pupil else (user.email or None),
            "roles": [role.value for role in user_roles(user)],
            "time_zone": user.time_zone,
            "pupil": _pupil_summary(user),
            **user_memberships(user),
        }
        return Response(MeSerializer(profile).data)


# --- Schools -------------------------------------------------------------------------------------------------

SCHOOL_VISIBILITY = _(
    "Les adultes voient tout l'annuaire des établissements (données publiques de l'Éducation nationale) ; "
    "un élève ne voit que l'établissement de sa classe."
)


@extend_schema(tags=["schools"], summary=_("Les établissements"), description=SCHOOL_VISIBILITY)
class SchoolListView(ApiListView):
    serializer_class = SchoolSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = SchoolFilter

    def get_queryset(self):
        return visible_schools(self.request.user).order_by("name", "uai")


@extend_schema(tags=["schools"], summary=_("Un établissement, par son numéro UAI"), description=SCHOOL_VISIBILITY)
class SchoolDetailView(ApiRetrieveView):
    serializer_class = SchoolSerializer
    lookup_url_kwarg = "uai"

    def get_object(self):
        return get_object_or_404(visible_schools(self.request.user), uai=normalise_uai(self.kwargs["uai"]))


# --- Classes -------------------------------------------------------------------------------------------------

CLASS_VISIBILITY = _(
    "Les enseignants voient les classes qu'ils suivent dans leurs établissements confirmés, la direction "
    "toutes les classes de son établissement, l'équipe de la plateforme toutes, un élève la sienne. "
    "Le code pour rejoindre une classe n'est donné qu'à ses enseignants et à la direction."
)


class _ClassViewMixin:
    def get_queryset(self):
        return readable_classes(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "access": class_access(self.request.user)}


@extend_schema(tags=["classes"], summary=_("Les classes"), description=CLASS_VISIBILITY)
class ClassListView(_ClassViewMixin, ApiListView):
    serializer_class = ClassSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ClassFilter


@extend_schema(
    tags=["classes"],
    summary=_("Une classe"),
    description=str(CLASS_VISIBILITY)
    + " "
    + str(_("La liste des élèves est réservée aux enseignants de la classe, à la direction et à l'équipe.")),
)
class ClassDetailView(_ClassViewMixin, ApiRetrieveView):
    serializer_class = ClassDetailSerializer


# --- Tokens ----------------------------------------------------------------------------------------------------


class AuthTokenView(ApiView):
    """POST gives the caller's token for an e-mail and a password; DELETE revokes the caller's token."""

    def _obtaining(self) -> bool:
        return getattr(self.request, "method", None) == "POST"

    def get_authenticators(self):
        # Whoever is signed in, or whatever stale token is sent, obtaining a token depends on the credentials
        # posted, and on them only.
        return [] if self._obtaining() else super().get_authenticators()

    def get_permissions(self):
        return [AllowAny()] if self._obtaining() else super().get_permissions()

    def get_throttles(self):
        return [AnonThrottle(), TokenObtainThrottle()] if self._obtaining() else super().get_throttles()

    @extend_schema(
        tags=["auth"],
        summary=_("Obtenir un jeton d'API"),
        description=_(
            "Pour les adultes : donne le jeton du compte (le même à chaque appel, jusqu'à sa révocation). "
            "Refusé aux comptes d'élèves. Après cinq échecs pour un même identifiant depuis une même "
            "adresse, les essais sont bloqués pendant quinze minutes (code « locked_out »)."
        ),
        request=TokenObtainSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description=_(
                    "Champs manquants (code « invalid ») ou identifiants refusés (« invalid_credentials »)."
                ),
            ),
            403: OpenApiResponse(ErrorSerializer, description=_("Compte d'élève (code « pupil_token_refused »).")),
            429: OpenApiResponse(
                ErrorSerializer,
                description=_("Trop d'essais : « throttled », ou « locked_out » après des échecs répétés."),
            ),
        },
    )
    def post(self, request):
        credentials = TokenObtainSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        username = credentials.validated_data["username"].strip().lower()
        # django-axes watches this call: it needs the request, and records each failure. The failure must
        # outlive the request's transaction, so the refusals below are returned, not raised. Axes marks a
        # lockout on the request it is given: DRF's request, so that AxesMiddleware (which looks at Django's)
        # leaves this JSON answer alone instead of swapping in the site's HTML lockout page.
        user = authenticate(request=request, username=username, password=credentials.validated_data["password"])
        if getattr(request, "axes_locked_out", False):
            cool_off = get_cool_off(request)
            return error_response(
                "locked_out",
                gettext("Trop d'essais infructueux : ce compte est bloqué pour un moment depuis votre adresse."),
                status_code=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(int(cool_off.total_seconds()))} if cool_off else None,
            )
        if user is None:
            return error_response(
                "invalid_credentials",
                gettext("Adresse e-mail ou mot de passe incorrect."),
                status_code=status.HTTP_400_BAD_REQUEST,
            )
        if user.is_pupil:
            return error_response(
                "pupil_token_refused",
                gettext(
                    "Les comptes d'élèves ne peuvent pas obtenir de jeton d'API : "
                    "les élèves utilisent la plateforme depuis leur navigateur."
                ),
                status_code=status.HTTP_403_FORBIDDEN,
            )
        if settings.AXES_ENABLED and settings.AXES_RESET_ON_SUCCESS:
            axes.utils.reset(ip=request.axes_ip_address, username=username)
        update_last_login(None, user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response(TokenSerializer({"token": token.key}).data)

    @extend_schema(
        tags=["auth"],
        summary=_("Révoquer son jeton d'API"),
        description=_("Supprime le jeton du compte connecté, s'il en a un. Un nouvel appel en POST en crée un autre."),
        request=None,
        responses={204: None},
    )
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Anything else under /api/v1/ --------------------------------------------------------------------------------


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([AllowAny])
@renderer_classes([JSONRenderer])
def not_found(request, *args, **kwargs):
    """A JSON 404 for unknown API addresses, where Django would answer with an HTML page."""
    path = request.path_info
    if not path.endswith("/"):
        try:
            match = resolve(f"{path}/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "not-found":
            raise exceptions.NotFound(
                gettext("Adresse inconnue. Les adresses de l'API finissent par une barre oblique : %(path)s")
                % {"path": f"{request.path}/"}
            )
    raise exceptions.NotFound(gettext("Cette adresse n'existe pas dans l'API."))
