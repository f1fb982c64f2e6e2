from django.urls import path

from backend.organisations import views

app_name = "organisations"
urlpatterns = [
    path("structures/rejoindre/", views.organisation_join, name="organisation_join"),
    path("structures/<int:pk>/membres/", views.organisation_members, name="organisation_members"),
    path(
        "structures/<int:pk>/membres/<int:membership_id>/",
        views.organisation_decide,
        name="organisation_decide",
    ),
    path("associations/rejoindre/", views.association_join, name="association_join"),
    path("associations/<int:pk>/membres/", views.association_members, name="association_members"),
    path(
        "associations/<int:pk>/membres/<int:membership_id>/",
        views.association_decide,
        name="association_decide",
    ),
    path("associations/<int:pk>/api/", views.partner_tokens, name="partner_tokens"),
    path(
        "associations/<int:pk>/api/<int:token_pk>/revoquer/",
        views.partner_token_revoke,
        name="partner_token_revoke",
    ),
]
