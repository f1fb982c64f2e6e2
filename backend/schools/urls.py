from django.urls import path

from backend.schools import views

app_name = "schools"
urlpatterns = [
    path("rejoindre/", views.join, name="join"),
    path("rejoindre/mon-compte/", views.join_details, name="join_details"),
    path("etablissements/rejoindre/", views.school_join_request, name="join_request"),
    path("etablissements/<str:uai>/equipe/", views.school_team, name="team"),
    path("etablissements/<str:uai>/equipe/<int:membership_id>/", views.school_team_decide, name="team_decide"),
    path("classes/nouvelle/", views.class_create, name="class_create"),
    path("classes/<int:pk>/", views.class_detail, name="class_detail"),
    path("classes/<int:pk>/code/", views.class_join_code, name="class_join_code"),
    path("classes/<int:pk>/semaine-de-stage/", views.class_internship_week, name="class_internship_week"),
    path("classes/<int:pk>/eleves/<int:pupil_pk>/accord/", views.pupil_consent, name="pupil_consent"),
    path(
        "classes/<int:pk>/eleves/<int:pupil_pk>/mot-de-passe/",
        views.pupil_password_reset,
        name="pupil_password_reset",
    ),
]
