"""Every API error is shaped {"code": ..., "detail": ...}; validation errors add the per-field messages."""

from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"code": "invalid", "detail": "Les données envoyées ne sont pas valides.", "fields": exc.detail}
        return response
    detail = getattr(exc, "detail", response.data)
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    response.data = {"code": code, "detail": str(detail)}
    return response
