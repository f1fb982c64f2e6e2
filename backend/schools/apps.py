from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolsConfig(AppConfig):
    name = "backend.schools"
    label = "schools"
    verbose_name = _("Établissements et classes")

    def ready(self):
        from backend.accounts.roles import register_role_provider
        from backend.schools.selectors import school_roles

        register_role_provider(school_roles)
