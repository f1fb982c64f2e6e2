from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "backend.accounts"
    label = "accounts"
    verbose_name = _("Comptes")

    def ready(self):
        from backend.accounts import roles

        roles.register_role_provider(roles.account_roles)
