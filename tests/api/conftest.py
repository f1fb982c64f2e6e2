import pytest
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # The API tests sign many people in; the production hasher would make them slow for nothing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for(api_client):
    """An API client signed in as `user` through a session, as a browser would be."""

    def sign_in(user):
        api_client.force_login(user)
        return api_client

    return sign_in


@pytest.fixture
def throttle_rates(settings):
    """Sets throttle rates for one test: `throttle_rates(user="2/minute")`."""

    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
        }

    return set_rates
