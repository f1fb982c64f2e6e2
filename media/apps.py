from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VideosConfig(AppConfig):
    """The career-video library. Uploaded files live under MEDIA_ROOT (var/uploads), never in this folder."""

    name = "media"
    label = "videos"
    verbose_name = _("Vidéothèque")
