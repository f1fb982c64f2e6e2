"""The library's addresses: pages, playback (file and caption tracks) and the API under /api/v1/videos/."""

from django.urls import path

from media import api
from media.views import deleting, library, making, playback, playlists

app_name = "videos"

urlpatterns = [
    # Playback.
    path("videos/<int:pk>/fichier", playback.video_file, name="file"),
    path("videos/<int:pk>/sous-titres/<str:language>.vtt", playback.caption_track, name="caption"),
    # Library pages: browse, the video page, watch progress (media/views/library.py).
    # LIBRARY-URLS
    path("videos/", library.library, name="library"),
    path("videos/<int:pk>/", library.video_detail, name="detail"),
    path("videos/<int:pk>/progression", library.progress, name="progress"),
    # Makers' pages: their videos, the form, the upload page, captions and poster; the review queue
    # (media/views/making.py).
    # MAKING-URLS
    path("videos/mes-videos/", making.mine, name="mine"),
    path("videos/nouvelle/", making.create, name="create"),
    path("videos/moderation/", making.review, name="review"),
    path("videos/<int:pk>/modifier/", making.edit, name="edit"),
    path("videos/<int:pk>/gerer/", making.manage, name="manage"),
    path("videos/<int:pk>/traitement", making.processing, name="processing"),
    path("videos/<int:pk>/sous-titres/ajouter", making.caption_add, name="caption_add"),
    path("videos/<int:pk>/sous-titres/<str:language>/supprimer", making.caption_delete, name="caption_delete"),
    path("videos/<int:pk>/affiche", making.poster, name="poster"),
    path("videos/<int:pk>/transition", making.transition, name="transition"),
    # Teachers' playlists and what pupils were given (media/views/playlists.py).
    # PLAYLIST-URLS
    path("videos/listes/", playlists.playlist_list, name="playlists"),
    path("videos/listes/<int:pk>/", playlists.playlist_detail, name="playlist_detail"),
    path("videos/listes/<int:pk>/videos", playlists.playlist_items, name="playlist_items"),
    path("videos/listes/<int:pk>/classes", playlists.playlist_assign, name="playlist_assign"),
    path("videos/listes/<int:pk>/supprimer", playlists.playlist_delete, name="playlist_delete"),
    path("videos/listes/<int:pk>/classes/<int:class_pk>/", playlists.playlist_progress, name="playlist_progress"),
    path("videos/a-voir/", playlists.assigned, name="assigned"),
    # Deleting a video and its stored files (media/views/deleting.py).
    # STORAGE-URLS
    path("videos/<int:pk>/supprimer", deleting.delete, name="delete"),
    # API.
    path("api/v1/videos/", api.VideoCreateView.as_view(), name="api-video-create"),
    path("api/v1/videos/uploads/", api.UploadCreateView.as_view(), name="api-upload-create"),
    path("api/v1/videos/uploads/<uuid:pk>/", api.UploadDetailView.as_view(), name="api-upload-detail"),
    path("api/v1/videos/<int:pk>/", api.VideoDetailView.as_view(), name="api-video-detail"),
    path("api/v1/videos/<int:pk>/transitions/", api.VideoTransitionView.as_view(), name="api-video-transition"),
    path("api/v1/videos/<int:pk>/captions/", api.CaptionUploadView.as_view(), name="api-caption-create"),
    path("api/v1/videos/<int:pk>/poster/", api.PosterUploadView.as_view(), name="api-poster-create"),
]
