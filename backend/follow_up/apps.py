from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowUpConfig(AppConfig):
    name = "backend.follow_up"
    label = "follow_up"
    verbose_name = _("Suivi et avis")

    # --- referent ---
    def ready(self):
        from backend.accounts.roles import register_role_provider
        from backend.follow_up.territory import referent_roles

        register_role_provider(referent_roles)

    # --- end referent ---
