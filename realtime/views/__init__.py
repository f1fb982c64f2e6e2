"""Pages of the live rooms: the room itself (`room`), the rooms one may enter and the moderation queue
(`lists`, `moderation`). What happens inside a room goes over the WebSocket (`realtime.consumers`)."""
