"""The library's addresses: pages, playback (file and caption tracks) and the API under /api/v1/videos/."""

from django.urls import path

from media import api
from media.views import playback

app_name = "videos"

urlpatterns = [
    # Playback.
    path("videos/<int:pk>/fichier", playback.video_file, name="file"),
    path("videos/<int:pk>/sous-titres/<str:language>.vtt", playback.caption_track, name="caption"),
    # Library pages: browse, the video page, watch progress (media/views/library.py).
    # LIBRARY-URLS
    # Makers' pages: their videos, the form, the upload page, captions and poster; the review queue
    # (media/views/making.py).
    # MAKING-URLS
    # Teachers' playlists and what pupils were given (media/views/playlists.py).
    # PLAYLIST-URLS
    # API.
    path("api/v1/videos/", api.VideoCreateView.as_view(), name="api-video-create"),
    path("api/v1/videos/uploads/", api.UploadCreateView.as_view(), name="api-upload-create"),
    path("api/v1/videos/uploads/<uuid:pk>/", api.UploadDetailView.as_view(), name="api-upload-detail"),
    path("api/v1/videos/<int:pk>/", api.VideoDetailView.as_view(), name="api-video-detail"),
    path("api/v1/videos/<int:pk>/transitions/", api.VideoTransitionView.as_view(), name="api-video-transition"),
    path("api/v1/videos/<int:pk>/captions/", api.CaptionUploadView.as_view(), name="api-caption-create"),
    path("api/v1/videos/<int:pk>/poster/", api.PosterUploadView.as_view(), name="api-poster-create"),
]
