"""The environment docker-compose.yml gives the app passes `manage.py check --deploy` and selects the production
backends. Each check runs in a fresh interpreter, as the container would; no database server is needed."""

import json
import os
import secrets
import subprocess
import sys

import pytest

from .composefile import (
    ROOT,
    app_services,
    environment_of,
    example_variables,
    interpolated_compose,
    settings_variables,
)

SETTINGS_PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "CHANNEL_LAYER": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "CACHE": settings.CACHES["default"]["BACKEND"],
    "DATABASE": settings.DATABASES["default"]["ENGINE"],
    "CELERY_TASK_ALWAYS_EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "STATICFILES": settings.STORAGES["staticfiles"]["BACKEND"],
    "EMAIL_BACKEND": settings.EMAIL_BACKEND,
    "SECURE_PROXY_SSL_HEADER": settings.SECURE_PROXY_SSL_HEADER,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "WHITENOISE_USE_FINDERS": settings.WHITENOISE_USE_FINDERS,
}))
"""


def production_environment(service_name: str, **overrides: str) -> dict[str, str]:
    """The process environment of one app container, with .env filled from deploy/env.example and a real
    random secret; variables the settings read are taken from compose only, never from this machine."""
    variables = {**example_variables(), "SECRET_KEY": secrets.token_urlsafe(64)}
    service = interpolated_compose(variables)["services"][service_name]
    inherited = {key: value for key, value in os.environ.items() if key not in settings_variables()}
    return {**inherited, **environment_of(service), "DJANGO_SETTINGS_MODULE": "backend.settings", **overrides}


def run_python(arguments: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our interpreter, our arguments
        [sys.executable, "-W", "error", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


APP_SERVICES = sorted(app_services(interpolated_compose()["services"]))


@pytest.mark.parametrize("service_name", APP_SERVICES)
def test_check_deploy_passes_with_the_compose_environment(service_name, tmp_path):
    environment = production_environment(
        service_name,
        # `check` opens no connection; SQLite in a temporary folder keeps it from needing PostgreSQL.
        DATABASE_URL=f"sqlite:///{tmp_path / 'check.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], environment)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in output.upper()


@pytest.mark.parametrize("service_name", APP_SERVICES)
def test_compose_environment_selects_the_production_backends(service_name):
    result = run_python(["-c", SETTINGS_PROBE], production_environment(service_name))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "DEBUG": False,
        "CHANNEL_LAYER": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CACHE": "django.core.cache.backends.redis.RedisCache",
        "DATABASE": "django.db.backends.postgresql",
        "CELERY_TASK_ALWAYS_EAGER": False,
        "STATICFILES": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "WHITENOISE_USE_FINDERS": False,
    }
