from django.urls import path

from backend.ui import views

app_name = "ui"
urlpatterns = [
    path("", views.welcome, name="welcome"),
    path("accueil/", views.home, name="home"),
    path("espace/eleve/", views.home_pupil, name="home_pupil"),
    path("espace/enseignant/", views.home_teacher, name="home_teacher"),
    path("espace/direction/", views.home_school_head, name="home_school_head"),
    path("espace/tuteur/", views.home_tutor, name="home_tutor"),
    path("espace/structure/", views.home_organisation, name="home_organisation"),
    path("espace/association/", views.home_association, name="home_association"),
    path("espace/plateforme/", views.home_platform, name="home_platform"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal, name="legal"),
    path("donnees-personnelles/", views.privacy, name="privacy"),
]
