from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "backend.retention"
    verbose_name = _("Fin d'année scolaire et conservation des données")
