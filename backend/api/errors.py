"""Every API error is one JSON object: {"code": ..., "detail": ...}.

`code` is a stable word for programs (DRF's codes such as "not_authenticated", "permission_denied",
"not_found", "method_not_allowed", "throttled", and ours such as "invalid_credentials"); `detail` is a
sentence for people, in the caller's language. Validation errors have the code "invalid" and add
"fields": the messages per field, "non_field_errors" for those about the request as a whole.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.signals import got_request_exception
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

# Django's own channel for server errors, so that they reach whatever already watches it.
logger = logging.getLogger("django.request")

INVALID = "invalid"
SERVER_ERROR = "server_error"


# The body of every error response, for the OpenAPI document; the responses themselves are built by
# `error_body`.
class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text=_(
            "Code stable, à lire par les programmes : invalid, not_authenticated, authentication_failed, "
            "permission_denied, not_found, method_not_allowed, throttled, invalid_credentials, locked_out…"
        )
    )
    detail = serializers.CharField(help_text=_("Explication pour les personnes, dans la langue demandée."))

    def get_fields(self):
        # "fields" would shadow Serializer.fields if it were declared as a class attribute.
        fields = super().get_fields()
        fields["fields"] = serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text=_(
                "Seulement pour le code « invalid » : les messages par champ ; « non_field_errors » pour "
                "ceux qui concernent la requête entière."
            ),
        )
        return fields


def error_body(code: str, detail, **extra) -> dict:
    return {"code": code, "detail": str(detail), **extra}


def error_response(code: str, detail, *, status_code: int, headers: dict | None = None) -> Response:
    """An error answered directly by a view, shaped like those of the exception handler.

    A view returns it instead of raising when the request's writes must be kept: raising makes DRF roll
    back the request's transaction (ATOMIC_REQUESTS), which would erase, say, a recorded login failure.
    """
    return Response(error_body(code, detail), status=status_code, headers=headers)


def _field_errors(detail) -> dict:
    if isinstance(detail, dict):
        return detail
    if not isinstance(detail, list):
        detail = [detail]
    return {api_settings.NON_FIELD_ERRORS_KEY: detail}


def exception_handler(exc, context):
    # DRF would turn Django's Http404 into a NotFound carrying Django's English message, which names the
    # model ("No School matches the given query."); the generic message says enough.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return _unexpected_error(exc, context)

    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            INVALID, gettext("Les données envoyées ne sont pas valides."), fields=_field_errors(exc.detail)
        )
        return response

    detail = exc.detail
    if isinstance(detail, list | dict):  # an exception raised with structured details: keep the shape
        code, text = exc.default_code, exc.default_detail
    else:
        code, text = getattr(detail, "code", None) or exc.default_code, detail
    response.data = error_body(code, text)
    return response


def _unexpected_error(exc, context):
    """A bug: answer in the API's shape, but let it be seen as a server error everywhere else."""
    if settings.DEBUG:
        return None  # Django's debug page is more useful to the developer
    request = context.get("request")
    django_request = getattr(request, "_request", request)
    logger.error(
        "Internal Server Error: %s",
        getattr(django_request, "path", "?"),
        exc_info=exc,
        extra={"status_code": status.HTTP_500_INTERNAL_SERVER_ERROR, "request": django_request},
    )
    # Error reporters and Django's test client listen to this signal, as for any view that raises.
    got_request_exception.send(sender=None, request=django_request)
    set_rollback()
    return error_response(
        SERVER_ERROR,
        gettext("Une erreur inattendue s'est produite de notre côté ; elle a été enregistrée."),
        status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
