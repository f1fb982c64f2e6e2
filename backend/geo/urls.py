from django.urls import path

from backend.geo import views

app_name = "geo"
urlpatterns = [
    path("communes/recherche/", views.search, name="search"),
]
