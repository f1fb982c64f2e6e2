from django.urls import path

from backend.follow_up import views

app_name = "follow_up"

urlpatterns = [
    path("avis/", views.questionnaires, name="questionnaires"),
    path("avis/<slug:kind>/<int:pk>/", views.answer, name="answer"),
]
