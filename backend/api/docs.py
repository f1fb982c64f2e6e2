"""The OpenAPI document, its reference page (an accessible page of the site) and Swagger UI's console.

Both are public: Passerelle is an open-source public service and its API contract is no secret.

Swagger UI comes from drf-spectacular-sidecar's static files, so the page works offline and loads nothing
from another site. It obeys the strict Content-Security-Policy of the rest of the site: the page has no
inline script or style; its settings travel in data attributes and a separate script reads them.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.views.decorators.http import require_safe
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer

from backend.api.throttling import AnonThrottle

SWAGGER_UI_DIST = "drf_spectacular_sidecar/swagger-ui-dist"


class SchemaView(SpectacularAPIView):
    """OpenAPI 3, in YAML by default, in JSON with ?format=json or `Accept: application/vnd.oai.openapi+json`."""

    # A stale token or session must not stand between anyone and a public document.
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonThrottle]

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        # The document's own renderers would write the error in YAML: errors are JSON everywhere.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


DOCS_PAGE = """<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="{favicon}">
<link rel="stylesheet" href="{stylesheet}">
</head>
<body>
<main id="swagger-ui" data-schema-url="{schema_url}" data-csrf-header="{csrf_header}" data-csrf-token="{csrf_token}">
</main>
<script src="{bundle}"></script>
<script src="{init_script}"></script>
</body>
</html>
"""

INIT_SCRIPT = """"use strict";
// Starts Swagger UI. Its settings come from the page's data attributes: the page has no inline script.
(function () {
  const root = document.getElementById("swagger-ui");
  const { schemaUrl, csrfHeader, csrfToken } = root.dataset;
  window.ui = SwaggerUIBundle({
    url: schemaUrl,
    domNode: root,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    // The online validator badge is an image from another site: not offline, and refused by the CSP.
    validatorUrl: null,
    requestInterceptor: (request) => {
      // "Try it out" runs with the browser's session, whose writes need Django's CSRF token.
      const method = (request.method || "GET").toUpperCase();
      if (!["GET", "HEAD", "OPTIONS"].includes(method)) {
        request.headers[csrfHeader] = csrfToken;
      }
      return request;
    },
  });
})();
"""


def _csrf_header_name() -> str:
    name = settings.CSRF_HEADER_NAME
    return name.removeprefix("HTTP_").replace("_", "-")


@login_not_required
@require_safe
def docs_page(request):
    html = format_html(
        DOCS_PAGE,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        title=translation.gettext("Passerelle — documentation de l'API"),
        favicon=static(f"{SWAGGER_UI_DIST}/favicon-32x32.png"),
        stylesheet=static(f"{SWAGGER_UI_DIST}/swagger-ui.css"),
        bundle=static(f"{SWAGGER_UI_DIST}/swagger-ui-bundle.js"),
        init_script=reverse("api:docs-script"),
        schema_url=reverse("api:schema") + "?format=json",
        csrf_header=_csrf_header_name(),
        csrf_token=get_token(request),
    )
    return HttpResponse(html)


@login_not_required
@require_safe
def docs_script(request):
    response = HttpResponse(INIT_SCRIPT, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response


HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def _operations(schema: dict) -> list[dict]:
    """The schema's operations, in path order, reduced to what a reader needs."""
    operations = []
    for path, item in schema.get("paths", {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            operations.append(
                {
                    "id": operation.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "public": operation.get("security") == [{}],
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "where": parameter.get("in", ""),
                            "required": parameter.get("required", False),
                            "description": parameter.get("description", ""),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "responses": [
                        {"status": status, "description": response.get("description", "")}
                        for status, response in sorted(operation.get("responses", {}).items())
                    ],
                }
            )
    return operations


@login_not_required
@require_safe
def reference_page(request):
    """The API reference as an ordinary page of the site (DSFR, accessible), built from the same OpenAPI
    document; Swagger UI's interactive console stays available for developers."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return render(
        request,
        "api/reference.html",
        {
            "operations": _operations(schema),
            "version": schema.get("info", {}).get("version", ""),
            "page_title": translation.gettext("Documentation de l'API"),
        },
    )
