"""OpenAPI generation: each operation documents the errors it may answer, all with the same `Error` body."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny

from backend.api.errors import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": _("Requête invalide (code « invalid », avec le détail par champ dans « fields »)."),
    "401": _(
        "Authentification absente ou refusée (codes « not_authenticated », « authentication_failed »). "
        "La réponse porte l'en-tête WWW-Authenticate."
    ),
    "403": _("Action refusée à ce compte (code « permission_denied »)."),
    "404": _("Introuvable, ou invisible pour ce compte (code « not_found »)."),
    "429": _("Trop de requêtes (code « throttled ») : réessayez après le nombre de secondes de Retry-After."),
}

RETRY_AFTER_HEADER = {
    "schema": {"type": "integer"},
    "description": _("Nombre de secondes à attendre avant de réessayer."),
}


class ApiAutoSchema(AutoSchema):
    """Adds the error responses an operation can give, unless the view already documents that status."""

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        for status_code in self._error_statuses():
            if status_code in bodies:
                continue
            bodies[status_code] = self._get_response_for_code(
                OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status_code]),
                status_code,
                direction=direction,
            )
        if "429" in bodies:
            bodies["429"].setdefault("headers", {})["Retry-After"] = RETRY_AFTER_HEADER
        return dict(sorted(bodies.items()))

    def _error_statuses(self) -> list[str]:
        view = self.view
        statuses = []
        if self.method in ("POST", "PUT", "PATCH") or getattr(view, "filterset_class", None):
            statuses.append("400")
        if not any(isinstance(permission, AllowAny) for permission in view.get_permissions()):
            statuses += ["401", "403"]
        # A lookup in the path, or a page number beyond the last page.
        if "{" in self.path or (getattr(view, "pagination_class", None) and self._is_list_view()):
            statuses.append("404")
        if view.get_throttles():
            statuses.append("429")
        return statuses
