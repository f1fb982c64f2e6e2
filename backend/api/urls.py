"""The API lives under /api/v1/; its documentation at /api/docs/. See backend/api/README.md."""

from django.urls import path, re_path

from backend.api import docs, views
from backend.offers.api.urls import urlpatterns as offer_urlpatterns
from scheduling.api.urls import urlpatterns as scheduling_urlpatterns

app_name = "api"

urlpatterns = [
    path("v1/me/", views.MeView.as_view(), name="me"),
    path("v1/schools/", views.SchoolListView.as_view(), name="school-list"),
    path("v1/schools/<str:uai>/", views.SchoolDetailView.as_view(), name="school-detail"),
    path("v1/classes/", views.ClassListView.as_view(), name="class-list"),
    path("v1/classes/<int:pk>/", views.ClassDetailView.as_view(), name="class-detail"),
    path("v1/auth/token/", views.AuthTokenView.as_view(), name="auth-token"),
    *offer_urlpatterns,
    *scheduling_urlpatterns,
    path("v1/schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.reference_page, name="docs"),
    path("docs/console/", docs.docs_page, name="console"),
    path("docs/swagger-init.js", docs.docs_script, name="docs-script"),
    # Last: any other address under v1/ answers a JSON 404 rather than the site's HTML page.
    re_path(r"^v1/", views.not_found, name="not-found"),
]
