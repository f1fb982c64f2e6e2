from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = _("Temps réel")

    def ready(self):
        from realtime import receivers  # noqa: F401  (connects to scheduling's events)
