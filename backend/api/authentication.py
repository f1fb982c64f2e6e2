from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


class AdultTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, for adults only.

    Pupils use the platform through their session, never through a token: the token endpoint refuses
    them, and this refuses a pupil's token that would exist anyway (made in the admin, say).
    """

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if user.is_pupil:
            raise exceptions.AuthenticationFailed(_("Les comptes d'élèves ne peuvent pas utiliser de jeton d'API."))
        return user, token
