"""WebSocket routes. Live rooms (chat, questions, polls) add their consumers here."""

websocket_urlpatterns: list = []
