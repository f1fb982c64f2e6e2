from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

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

if settings.DEBUG:  # uploaded files; production serves them from the web server (see docker-compose.yml)
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
