"""Passerelle settings: every value comes from the environment, with defaults that give the embedded mode.

Embedded default (no variable set): SQLite under var/, in-memory cache and channel layer, Celery tasks run
in-process, e-mails written to var/mail/. Production sets DATABASE_URL, REDIS_URL and the secrets (see the
README's table), as docker-compose.yml does.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # local state of the embedded mode; git-ignored
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-embedded-mode-only-never-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Applications -----------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_celery_beat",
    "axes",
    "csp",
    "widget_tweaks",
    "dsfr",
    # Passerelle, lowest layer first (see DESIGN: apps depend downwards only).
    "backend.accounts",
    "backend.geo",
    "backend.schools",
    "backend.organisations",
    "backend.offers",
    "backend.ui",
    "backend.demo",
    "scheduling",
    "realtime",
    "media.apps.VideosConfig",
    "backend.follow_up",  # reads offers and scheduling; nothing imports it
    "backend.retention",  # school-year roll-over and retention: reads and writes every app; nothing imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "backend.ui.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "backend.accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backend.urls"
ASGI_APPLICATION = "backend.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "backend.ui.context_processors.navigation",
            ],
        },
    },
]

# --- Data ------------------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'passerelle.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several daphne threads and Celery's eager tasks share one file: wait rather than fail on a lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
else:
    # Under ASGI each request runs its view in a new thread (Django's ThreadSensitiveContext), so persistent
    # connections (CONN_MAX_AGE) are never reused, and ATOMIC_REQUESTS opens one on every request, even for a
    # page that reads nothing: a psycopg connection (plus its SET TIME ZONE) cost 8–13 ms a request on the
    # benchmark's machine. A psycopg pool, shared by the threads of a process, takes that away (measured through
    # daphne on a loaded 2-core machine: a static page p50 16–30 ms → 12 ms, the catalogue 82–97 → 61–65 ms).
    # DATABASE_POOL_SIZE=0 turns it off, and then CONN_MAX_AGE applies (Django refuses both at once).
    DATABASE_POOL_SIZE = env.int("DATABASE_POOL_SIZE", default=8)
    if DATABASE_POOL_SIZE > 0:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(2, DATABASE_POOL_SIZE),
            "max_size": DATABASE_POOL_SIZE,
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="passerelle"),
        }
    }
    # The pub/sub layer delivers to every daphne process and, measured on these machines, drops nothing
    # under bursts where RedisChannelLayer drops most messages; see DESIGN §7.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env.str("CHANNEL_PREFIX", default="passerelle")},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Background work -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
# Without a broker, tasks run in-process at the moment they are queued (after the commit that queued them):
# the same code as in production, no worker to start.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL.startswith("redis"))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "passerelle"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# --- E-mail ----------------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="filemail://")
vars().update(EMAIL_CONFIG)
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend":
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Passerelle <ne-pas-repondre@passerelle.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Accounts and security ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "backend.accounts.backends.IdentifierBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "ui:home"
LOGOUT_REDIRECT_URL = "ui:welcome"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env.list("PASSWORD_HASHERS", default=["django.contrib.auth.hashers.PBKDF2PasswordHasher"])

# Brute force: five failures for one identifier from one address lock it for fifteen minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "backend.accounts.views.locked_out"
# Axes counts failures per REMOTE_ADDR. Behind nginx, daphne runs with --proxy-headers on X-Real-IP (which
# nginx overwrites), so REMOTE_ADDR is the visitor's address, not the proxy's (see docker-compose.yml).

SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
HTTPS = env.bool("HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy with a nonce per response for the few inline or module scripts we have.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Internationalisation and time -------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Paris"

# --- Files -------------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
# Uploaded images (posters, thumbnails) under MEDIA_URL: Django serves them in the embedded mode; in production
# the web server does (docker-compose sets MEDIA_SERVE=false, nginx serves /media/ and keeps media/protected/ to
# itself).
MEDIA_SERVE = env.bool("MEDIA_SERVE", default=True)
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "uploads")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str("STATICFILES_BACKEND", default="django.contrib.staticfiles.storage.StaticFilesStorage")
    },
}
# In the embedded mode, files are served from the apps' folders without a collectstatic step.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
if WHITENOISE_USE_FINDERS:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing

# --- API ---------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "backend.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
        "user": env.str("API_THROTTLE_USER", default="600/minute"),
        "auth_token": env.str("API_THROTTLE_AUTH_TOKEN", default="10/minute"),
        # Per partner-API token (backend/offers/api/partner.py).
        "partner": env.str("API_THROTTLE_PARTNER", default="120/minute"),
    },
    # Behind the reverse proxy, the client's address is the one the proxy saw: a caller cannot dodge the
    # per-address throttles by sending her own X-Forwarded-For.
    "NUM_PROXIES": env.int("PROXY_COUNT", default=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Passerelle API",
    "DESCRIPTION": (
        'Public-service API of Passerelle. Errors are JSON objects {"code": ..., "detail": ...}. '
        "Authenticate with a session cookie or an `Authorization: Token <key>` header."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that share a field name ("status", "kind", …) get names of their own in the schema.
    "ENUM_NAME_OVERRIDES": {
        "MembershipStatusEnum": "backend.accounts.enums.MembershipStatus",
        "OfferStatusEnum": "backend.offers.enums.OfferStatus",
        "PartnerOfferStatusEnum": "backend.offers.api.partner_serializers.PARTNER_STATUSES",
        "OrganisationKindEnum": "backend.organisations.enums.OrganisationKind",
        "SectorEnum": "backend.organisations.enums.Sector",
        "TopicEnum": "scheduling.enums.Topic",
        "SlotFormatEnum": "scheduling.enums.SlotFormat",
        "OfferFormatEnum": "backend.offers.enums.OfferFormat",
        "VideoLevelEnum": "media.enums.VideoLevel",
        "ClassLevelEnum": "backend.schools.enums.Level",
    },
}

# --- Scheduling --------------------------------------------------------------------------------------------
# A tutoring booking can be cancelled or moved by the pupil or the tutor until this many hours before it starts.
SCHEDULING_CANCEL_CUTOFF_HOURS = env.int("SCHEDULING_CANCEL_CUTOFF_HOURS", default=24)

# --- Video library ---------------------------------------------------------------------------------------------
MEDIA_MAX_UPLOAD_BYTES = env.int("MEDIA_MAX_UPLOAD_BYTES", default=2 * 1024**3)
MEDIA_UPLOAD_CHUNK_MAX_BYTES = env.int("MEDIA_UPLOAD_CHUNK_MAX_BYTES", default=16 * 1024**2)
MEDIA_UPLOAD_SESSION_HOURS = env.int("MEDIA_UPLOAD_SESSION_HOURS", default=24)
# Chunks of uploads in progress, and the private video files (no public URL; served by the application, or by
# nginx through X-Accel-Redirect when MEDIA_ACCEL_REDIRECT_PREFIX names its internal location). Keep both on the
# same volume: a finished upload is moved, not copied.
MEDIA_UPLOAD_TEMP_DIR = Path(env.str("MEDIA_UPLOAD_TEMP_DIR", default=str(VAR_DIR / "uploads-partial")))
MEDIA_VIDEO_ROOT = Path(env.str("MEDIA_VIDEO_ROOT", default=str(VAR_DIR / "videos")))
MEDIA_ACCEL_REDIRECT_PREFIX = env.str("MEDIA_ACCEL_REDIRECT_PREFIX", default="")


def s3_video_storage(env: environ.Env) -> dict | None:
    """STORAGES["videos"] for an S3-compatible bucket (AWS, Scaleway, OVHcloud, MinIO…) when
    MEDIA_VIDEO_S3_BUCKET is set; None otherwise (files on disk at MEDIA_VIDEO_ROOT).

    The bucket stays private (no ACL is set on the files): players get a signed URL valid for
    MEDIA_VIDEO_S3_URL_SECONDS, and the bucket answers their Range requests. Addresses are path-style on the
    endpoint (https://endpoint/bucket/name), so that the one origin the Content-Security-Policy allows for media
    is the endpoint's."""
    bucket = env.str("MEDIA_VIDEO_S3_BUCKET", default="")
    if not bucket:
        return None
    region = env.str("MEDIA_VIDEO_S3_REGION", default="")
    endpoint = env.str("MEDIA_VIDEO_S3_ENDPOINT_URL", default="")
    endpoint = endpoint or (f"https://s3.{region}.amazonaws.com" if region else "https://s3.amazonaws.com")
    url_seconds = env.int("MEDIA_VIDEO_S3_URL_SECONDS", default=3600)
    if not 60 <= url_seconds <= 7 * 24 * 3600:  # S3 signs for a week at most
        raise ImproperlyConfigured("MEDIA_VIDEO_S3_URL_SECONDS must be between 60 and 604800.")
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": region or None,
        "addressing_style": "path",
        "signature_version": "s3v4",
        "querystring_auth": True,
        "querystring_expire": url_seconds,
        "default_acl": None,
        "file_overwrite": False,
        # Files opened through the storage spill to disk past 16 MiB (the default, 0, keeps a 2 GB video in
        # memory); the processing itself downloads straight into a file (media.storage.local_copy).
        "max_memory_size": 16 * 1024**2,
    }
    # Without keys, boto3 looks for credentials itself (AWS_ACCESS_KEY_ID…, an instance role).
    access_key = env.str("MEDIA_VIDEO_S3_ACCESS_KEY_ID", default="")
    if access_key:
        options["access_key"] = access_key
        options["secret_key"] = env.str("MEDIA_VIDEO_S3_SECRET_ACCESS_KEY", default="")
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def url_origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


VIDEO_S3_STORAGE = s3_video_storage(env)
if VIDEO_S3_STORAGE:
    STORAGES["videos"] = VIDEO_S3_STORAGE
    # The playback view redirects <video> to the bucket: the policy must let media come from there.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["media-src"].append(url_origin(VIDEO_S3_STORAGE["OPTIONS"]["endpoint_url"]))

# --- Live rooms ------------------------------------------------------------------------------------------------
REALTIME_MAX_MESSAGE_LENGTH = env.int("REALTIME_MAX_MESSAGE_LENGTH", default=1000)
# Messages and questions a person may send in one room: "<count>/<seconds>".
REALTIME_MESSAGE_RATE = env.str("REALTIME_MESSAGE_RATE", default="5/10")
# Days after a room's end before its transcript (messages, questions, polls, reports) is deleted.
REALTIME_RETENTION_DAYS = env.int("REALTIME_RETENTION_DAYS", default=90)

# --- Feedback (backend/follow_up) ---------------------------------------------------------------------------
# Days after a session, a tutoring appointment or an internship week during which its questionnaire can be answered.
FEEDBACK_WINDOW_DAYS = env.int("FEEDBACK_WINDOW_DAYS", default=60)

# Seconds the association dashboard's figures and the national view's yearly aggregates are kept before they are
# computed again (backend/follow_up/figures.py); a job recomputes them every 10 minutes. 0: computed at each request.
FOLLOW_UP_FIGURES_SECONDS = env.int("FOLLOW_UP_FIGURES_SECONDS", default=900)

# --- retention ---
# The data-retention rules (backend/retention/README.md), applied every night by `apply_retention`.
# Months a pupil left without a class by the yearly roll-over keeps her account before it is anonymised: a school year,
# long enough to be put back in a class after a late re-enrolment or a repeated year, and to read her own history.
RETENTION_PUPIL_MONTHS = env.int("RETENTION_PUPIL_MONTHS", default=12)
# Months after which a questionnaire answer loses its respondent and its comment (the anonymous note stays counted).
FEEDBACK_RETENTION_MONTHS = env.int("FEEDBACK_RETENTION_MONTHS", default=12)
# Months the sign-in logs (failed attempts and sign-ins, with IP address and browser) are kept.
RETENTION_SIGN_IN_LOG_MONTHS = env.int("RETENTION_SIGN_IN_LOG_MONTHS", default=6)
# --- end retention ---

# --- DSFR --------------------------------------------------------------------------------------------------
DSFR_USE_INTEGRITY_CHECKSUMS = True

# --- Logs --------------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {"format": "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
    },
}
# DSFR's advice: mark the optional fields, not the required ones.
DSFR_MARK_OPTIONAL_FIELDS = True
