# syntax=docker/dockerfile:1
# One image for web (gunicorn), worker (celery worker) and beat (celery beat): see
# docker-compose.yml. Settings come from the environment at run time (.env.example).

# --- Stage 1: the GOV.UK Frontend assets, built by the Makefile from the committed lock file --
FROM node:20-bookworm-slim AS assets
RUN apt-get update \
 && apt-get install -y --no-install-recommends make \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile package.json package-lock.json ./
COPY static/src ./static/src
RUN make assets

# --- Stage 2: the Python application --------------------------------------------------------
FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings \
    VAR_DIR=/app/var \
    WEB_CONCURRENCY=3
WORKDIR /app

# Dependencies first (pinned in pyproject.toml), so code changes do not reinstall them.
COPY pyproject.toml ./
RUN pip install .

COPY . .
COPY --from=assets /src/static/build ./static/build

# Hashed, compressed static files for whitenoise. The key is a build-time placeholder only:
# collectstatic needs settings to load, and the real SECRET_KEY comes from .env at run time.
RUN DEBUG=0 SECRET_KEY=collectstatic-build-only-placeholder-never-used-to-sign-anything \
    python manage.py collectstatic --noinput -v 0

# /srv/static: where compose's one-shot `static` service copies the collected files for nginx
# (a named volume takes this folder's owner when first mounted).
RUN useradd --system --create-home --uid 10001 --user-group app \
 && mkdir -p /app/var/snapshot /srv/static \
 && chown -R app:app /app/var /srv/static
USER app

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--worker-tmp-dir", "/dev/shm"]
