from django.urls import path

from backend.follow_up.views import association, class_follow_up, feedback, school, territory

app_name = "follow_up"

urlpatterns = [
    path("avis/", feedback.questionnaires, name="questionnaires"),
    path("avis/<slug:kind>/<int:pk>/", feedback.answer, name="answer"),
    # --- school follow-up (head) ---
    path("suivi/etablissements/<str:uai>/", school.school_follow_up, name="school_follow_up"),
    # --- end school follow-up ---
    # --- class follow-up (teacher) ---
    path("suivi/classes/<int:pk>/", class_follow_up.class_follow_up, name="class_follow_up"),
    path("suivi/classes/<int:pk>/export.csv", class_follow_up.class_export_csv, name="class_export_csv"),
    path("suivi/classes/<int:pk>/export.xlsx", class_follow_up.class_export_xlsx, name="class_export_xlsx"),
    path("suivi/classes/<int:pk>/eleves/<int:pupil_pk>/relance/", class_follow_up.nudge, name="nudge"),
    path("suivi/relances/<int:pk>/vue/", class_follow_up.nudge_seen, name="nudge_seen"),
    # --- end class follow-up ---
    # --- association dashboard ---
    path("suivi/associations/<int:pk>/", association.association_dashboard, name="association_dashboard"),
    path("suivi/associations/<int:pk>/objectifs/", association.association_targets, name="association_targets"),
    path("suivi/associations/<int:pk>/export.csv", association.association_export_csv, name="association_export_csv"),
    # --- end association dashboard ---
    # --- national and département view ---
    path("suivi/territoires/", territory.territory_view, name="territory"),
    path("suivi/territoires/export.csv", territory.territory_export_csv, name="territory_export_csv"),
    path("donnees/", territory.open_data, name="open_data"),
    path("donnees/offres.csv", territory.open_data_offers, name="open_data_offers"),
    # --- end national and département view ---
]
