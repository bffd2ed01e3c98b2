# Image for the live transaction dashboard: one daphne process per container.
# docker-compose.yml runs two of them (web1, web2) behind nginx, on PostgreSQL and Redis.
FROM python:3.11-slim

# PYTHONPATH: settings.py derives BASE_DIR (templates/, static/, STATIC_ROOT) from where
# the `dashboard` package lives. `pip install .` also puts a copy in site-packages, where
# BASE_DIR would be wrong; /app first on sys.path makes every entry point (manage.py,
# daphne, python -c) import the tree in /app.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app

# Fixed uid/gid so that volumes and orchestrators can rely on them.
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so that code edits do not reinstall them.
# (pip has no "dependencies only" mode; tomllib is in the 3.11 standard library.)
COPY pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project'].get('dependencies', []); open('/tmp/requirements.txt', 'w').write('\n'.join(deps))" \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# Then the project itself, with `pip install .` (make run installs the same project,
# editable and with the dev extra). The dependencies are already satisfied, so this only
# builds and installs the project. setuptools builds in the source tree: drop what it
# leaves behind.
COPY . .
RUN pip install . \
 && rm -rf build ./*.egg-info

# Static files are collected into STATIC_ROOT (/app/staticfiles) at build time. Settings
# refuse to load without SECRET_KEY; this throwaway one exists for this step only and is
# not in the image's environment.
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput

# The code and collected static files stay owned by root: the app cannot rewrite itself.
USER app

EXPOSE 8000

# No curl in the slim image. urlopen raises on a 4xx/5xx answer or no answer, so the
# exit code is non-zero. The request's Host is 127.0.0.1, which must be in ALLOWED_HOSTS.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# --proxy-headers: take the client address and scheme from X-Forwarded-For/-Proto, which
# the nginx in front (deploy/nginx.conf) overwrites on every request. Do not publish this
# port directly without a proxy that does the same: daphne trusts the headers as sent.
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", "dashboard.asgi:application"]
