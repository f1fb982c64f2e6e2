# One image for every Passerelle process: web (daphne), worker and beat (Celery), and the one-shot setup.
# The source lives in /app and is installed in editable mode, so BASE_DIR stays /app and the templates/ and
# locale/ folders next to the packages are found.

FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
WORKDIR /app
# Dependencies first, read from pyproject.toml, so that a change of code does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Translations are compiled in a throw-away stage: gettext is not needed at run time.
FROM base AS messages
RUN apt-get update \
    && apt-get install --yes --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
COPY . .
RUN SECRET_KEY=build-only-not-a-secret python manage.py compilemessages --ignore=var

FROM base
RUN groupadd --system --gid 10001 passerelle \
    && useradd --system --uid 10001 --gid passerelle --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin passerelle
COPY --from=messages /app /app
# The collected static files are baked into the image: they carry the manifest (hashed names) the web
# processes read. The setup service copies the same files into the volume nginx serves.
ENV STATIC_ROOT=/srv/static \
    MEDIA_ROOT=/srv/media \
    STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage \
    WHITENOISE_USE_FINDERS=false
RUN pip install --no-deps --editable . \
    && mkdir -p /app/var /srv/static /srv/media \
    && SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --noinput \
    && chown -R passerelle:passerelle /app/var /srv/static /srv/media
USER passerelle
EXPOSE 8000
CMD ["daphne", "--bind", "0.0.0.0", "--port", "8000", "backend.asgi:application"]
