# Production image. The same image runs every process type:
#   web     daphne (default CMD) — HTTP and websockets
#   worker  celery -A influmojo worker -l info
#   beat    celery -A influmojo beat -l info   (exactly one; schedule kept in the database)
#   release python manage.py migrate --noinput  (once per deploy, before the new web processes)
# bookworm: the Debian release the project is tested on.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_DEBUG=false

# WeasyPrint (contract PDFs) loads Pango, HarfBuzz and fontconfig at run time and needs one font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Static files are built into the image and served by whitenoise. With DEBUG off the settings refuse
# to load without secrets, so this step alone gets throwaway values that never reach a running container
# (influmojo/tests/test_dockerfile.py runs this step's settings).
RUN DJANGO_SECRET_KEY=build-only-not-a-secret HEADLESS_JWT_PRIVATE_KEY=build-only-not-a-key \
        FIELD_ENCRYPTION_KEYS=YnVpbGQtb25seS1ub3QtYS1rZXktMDEyMzQ1Njc4OWE= PAYMENTS_SANDBOX=true \
        python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin influmojo \
    && mkdir -p /app/media \
    && chown influmojo /app/media

USER influmojo
EXPOSE 8000

# /healthz checks the database, cache and channel layer. It is asked for under the first allowed host
# (ALLOWED_HOSTS would refuse 127.0.0.1 in production) and as HTTPS (so no SSL redirect applies).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD python -c "import os, urllib.request; \
host = os.environ.get('DJANGO_ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('*.') or 'localhost'; \
urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:8000/healthz', \
headers={'Host': host, 'X-Forwarded-Proto': 'https'}), timeout=4)"

# daphne pings a websocket that sent nothing for --ping-interval seconds and closes it if no pong comes within
# --ping-timeout. The pages ping every 25 s (static/js/chat.js, notifications.js), so live sockets are never pinged
# by daphne: at the default 20 s it pinged every socket, in bursts every 2 s that held a 5,000-socket loop 30-70 ms.
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--ping-interval", "40", "--ping-timeout", "30", "influmojo.asgi:application"]
