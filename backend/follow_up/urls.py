from django.urls import path

from backend.follow_up.views import feedback

app_name = "follow_up"

urlpatterns = [
    path("avis/", feedback.questionnaires, name="questionnaires"),
    path("avis/<slug:kind>/<int:pk>/", feedback.answer, name="answer"),
    # --- class follow-up (teacher) ---
    # --- end class follow-up ---
    # --- association dashboard ---
    # --- end association dashboard ---
    # --- national and département view ---
    # --- end national and département view ---
]
