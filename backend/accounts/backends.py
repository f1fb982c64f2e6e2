from django.contrib.auth.backends import ModelBackend


class IdentifierBackend(ModelBackend):
    """Signs in with an e-mail (adults) or an identifier (pupils), whatever the case typed."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None:
            username = username.strip().lower()
        return super().authenticate(request, username=username, password=password, **kwargs)
