"""Project-wide guarantees: schema, deploy checks, migrations, health, production switches."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from influmojo import health

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def production_env(**extra) -> dict:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    env = {k: v for k, v in os.environ.items() if k not in {"INFLUMOJO_TESTING"}}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="p" * 20 + "-production-like-secret-key-with-enough-entropy-0123456789",
        HEADLESS_JWT_PRIVATE_KEY=pem.decode(),
        DJANGO_ALLOWED_HOSTS="influmojo.example",
        REDIS_URL="redis://127.0.0.1:6399/0",
        AWS_STORAGE_BUCKET_NAME="influmojo-media",
        DATABASE_URL="postgres://influmojo:pw@127.0.0.1:5432/influmojo",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        STRIPE_SECRET_KEY="sk_test_production_like",
        STRIPE_WEBHOOK_SECRET="whsec_production_like",
    )
    env.update(extra)
    return env


def manage(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_deploy_check_is_clean_in_a_production_like_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_the_payment_sandbox_unless_asked_for():
    env = production_env()
    del env["STRIPE_SECRET_KEY"]

    refused = manage("check", env=env)
    allowed = manage("check", env={**env, "PAYMENTS_SANDBOX": "true"})

    assert refused.returncode != 0 and "STRIPE_SECRET_KEY" in refused.stderr
    assert allowed.returncode == 0, allowed.stderr


def test_production_refuses_stripe_without_a_webhook_secret():
    env = production_env()
    del env["STRIPE_WEBHOOK_SECRET"]

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "STRIPE_WEBHOOK_SECRET" in result.stderr


def test_production_switches_engines_by_environment():
    code = (
        "import json; from django.conf import settings as s;"
        "print(json.dumps([s.CACHES['default']['BACKEND'], s.CHANNEL_LAYERS['default']['BACKEND'],"
        " s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER, s.STORAGES['default']['BACKEND'],"
        " s.DATABASES['default']['ENGINE'], s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0]))"
    )
    env = production_env()
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)

    result = manage("shell", "-c", code, env=env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "django.core.cache.backends.redis.RedisCache",
        "influmojo.channel_layer.PubSubChannelLayer",
        "redis://127.0.0.1:6399/0",
        False,
        "storages.backends.s3.S3Storage",
        "django.db.backends.postgresql",
        True,
        True,
        True,
    ]


def test_celery_tasks_are_late_acknowledged_json_and_time_limited():
    from influmojo.celery import app

    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.task_time_limit > conf.task_soft_time_limit > 0
    assert conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"


def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_openapi_schema_is_valid_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    schema = out.read_text()
    assert "/api/v1/profile/me" in schema
    assert "/_allauth/app/v1/auth/signup" in schema and "/_allauth/app/v1/tokens/refresh" in schema


def test_schema_and_docs_are_served_without_other_hosts(client):
    docs = client.get("/api/docs/")

    assert client.get("/api/schema/").status_code == 200
    assert docs.status_code == 200
    assert "cdn." not in docs.content.decode() and "//unpkg" not in docs.content.decode()


def test_unknown_api_route_answers_the_envelope(client):
    response = client.get("/api/v1/definitely-not-here")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_healthz_reports_every_dependency(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "channel_layer": "ok"},
    }


def test_healthz_is_503_when_a_dependency_is_down(client, monkeypatch):
    def broken():
        raise ConnectionError("redis is down")

    monkeypatch.setitem(health.CHECKS, "cache", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "unavailable"
    assert response.json()["checks"]["database"] == "ok"


def test_healthz_finds_a_channel_layer_that_cannot_reach_redis(client, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "influmojo.channel_layer.PubSubChannelLayer",
                                           "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:9/0",
                                                                 "socket_connect_timeout": 1}]}}}

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["channel_layer"] == "unavailable"
