import re

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.i18n import set_language
from django.views.static import serve

from backend import health

admin.site.site_header = "Passerelle — administration"
admin.site.site_title = "Passerelle"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include("media.urls")),
    path("api/", include("backend.api.urls")),
    path("", include("backend.ui.urls")),
    path("", include("backend.accounts.urls")),
    path("", include("backend.schools.urls")),
    path("", include("backend.organisations.urls")),
    path("", include("backend.geo.urls")),
    path("", include("backend.offers.urls")),
    path("", include("scheduling.urls")),
    path("", include("realtime.urls")),
    path("", include("backend.follow_up.urls")),
    path("admin/", admin.site.urls),
]


@login_not_required
def uploaded_file(request, path):
    """An uploaded image from MEDIA_ROOT, read at each request (the setting may change, in tests)."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


if settings.MEDIA_SERVE:  # uploaded images in the embedded mode; production's web server serves them
    urlpatterns.append(
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>(?!protected/).+)$",
            uploaded_file,
            name="uploaded_file",
        )
    )
