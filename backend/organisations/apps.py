from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "backend.organisations"
    label = "organisations"
    verbose_name = _("Structures d'accueil et associations")

    def ready(self):
        from backend.accounts.roles import register_role_provider
        from backend.organisations.selectors import organisation_roles

        register_role_provider(organisation_roles)
