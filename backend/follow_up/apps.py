from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowUpConfig(AppConfig):
    name = "backend.follow_up"
    label = "follow_up"
    verbose_name = _("Suivi et avis")
