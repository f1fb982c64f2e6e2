"""WebSocket routes. Live rooms (chat, questions, polls) add their consumers here."""

from django.urls import path

from realtime.consumers import RoomConsumer

websocket_urlpatterns: list = [
    path("ws/rooms/<int:room_id>/", RoomConsumer.as_asgi()),
]
