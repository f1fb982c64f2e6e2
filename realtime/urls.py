from django.urls import path

from realtime.views import lists, moderation, room

app_name = "realtime"

urlpatterns = [
    path("salons/", lists.my_rooms, name="list"),
    path("salons/<int:room_id>/", room.room_page, name="room"),
    path("salons/sequence/<int:session_id>/", room.session_room, name="session-room"),
    path("salons/tutorat/<int:booking_id>/", room.booking_room, name="booking-room"),
    path("salons/<int:room_id>/journal/", moderation.room_log, name="room-log"),
    path("salons/signalements/", moderation.report_queue, name="reports"),
    path("salons/signalements/<int:report_id>/", moderation.report_resolve, name="report-resolve"),
]
