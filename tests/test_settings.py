"""Settings come from the environment, and /readyz tells the truth about the database.

Settings are read once per process, so each environment is tried in a fresh interpreter that
prints what it resolved.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError

ROOT = Path(__file__).resolve().parents[1]

PRINT_SETTINGS = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"],
    "name": str(db["NAME"]),
    "user": db.get("USER", ""),
    "password": db.get("PASSWORD", ""),
    "host": db.get("HOST", ""),
    "port": db.get("PORT", ""),
    "connect_timeout": db.get("OPTIONS", {}).get("connect_timeout"),
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION", ""),
    "broker": settings.CELERY_BROKER_URL,
    "broker_transport": getattr(settings, "CELERY_BROKER_TRANSPORT", None),
    "result_backend": settings.CELERY_RESULT_BACKEND,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "debug": settings.DEBUG,
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "secret_key": settings.SECRET_KEY,
    "staticfiles": settings.STORAGES["staticfiles"]["BACKEND"],
}))
"""


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Nothing from the caller's environment but PATH: only what the test gives."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VAR_DIR": str(tmp_path / "var"),
        "LOG_LEVEL": "WARNING",
    }
    env.update(extra)
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def resolved(env: dict[str, str]) -> dict:
    done = run_python(PRINT_SETTINGS, env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def closed_port() -> int:
    """A local TCP port that refuses connections. Not an ephemeral one (bind to port 0): a
    client's own ephemeral port can connect to itself (TCP simultaneous open)."""
    for port in (6390, 1, 9, 13):
        with socket.socket() as probe:
            probe.settimeout(1)
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.fail("no closed local port found")


def test_services_come_from_the_environment(tmp_path):
    values = resolved(
        clean_env(
            tmp_path,
            DATABASE_URL="postgres://alice:s3cret@db.internal:6543/childwelfare",
            REDIS_URL="redis://cache.internal:6380/3",
            DEBUG="0",
            ALLOWED_HOSTS="report.example.gov.uk, www.report.example.gov.uk",
            SECRET_KEY="a-real-secret-from-the-environment-" + "k3y" * 10,
        )
    )
    assert values["engine"] == "django.db.backends.postgresql"
    assert (values["name"], values["user"], values["password"]) == (
        "childwelfare",
        "alice",
        "s3cret",
    )
    assert (values["host"], values["port"]) == ("db.internal", 6543)
    assert values["connect_timeout"] == 5  # a dead database fails a request, never hangs it
    assert values["cache"] == "django_redis.cache.RedisCache"
    assert values["cache_location"] == "redis://cache.internal:6380/3"
    assert values["broker"] == values["result_backend"] == "redis://cache.internal:6380/3"
    assert values["broker_transport"] == "config.broker:Transport"
    assert values["eager"] is False
    assert values["debug"] is False
    assert values["allowed_hosts"] == ["report.example.gov.uk", "www.report.example.gov.uk"]
    assert values["secret_key"] == "a-real-secret-from-the-environment-" + "k3y" * 10
    assert values["staticfiles"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("Yes", True),
        ("on", True),
        ("0", False),
        ("no", False),
        ("", False),
        ("off", False),
    ],
)
def test_how_debug_is_read(monkeypatch, raw, expected):
    from config.settings import env_bool

    monkeypatch.setenv("DEBUG", raw)
    assert env_bool("DEBUG") is expected


def test_debug_on_from_the_environment(tmp_path):
    values = resolved(clean_env(tmp_path, DEBUG="1"))
    assert values["debug"] is True
    assert values["staticfiles"] == "django.contrib.staticfiles.storage.StaticFilesStorage"


def test_with_nothing_set_the_embedded_default_needs_no_services(tmp_path):
    values = resolved(clean_env(tmp_path))
    assert values["engine"] == "django.db.backends.sqlite3"
    assert Path(values["name"]) == tmp_path / "var" / "db.sqlite3"
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["broker"] == "memory://"
    assert values["broker_transport"] is None  # the URL's own (memory)
    assert values["eager"] is True
    assert values["debug"] is False
    assert values["allowed_hosts"] == ["127.0.0.1", "localhost", "testserver"]
    # A key generated once for this install, kept private in VAR_DIR, the same next time.
    key_file = tmp_path / "var" / "secret_key"
    assert values["secret_key"] == key_file.read_text().strip()
    assert len(values["secret_key"]) >= 50
    assert key_file.stat().st_mode & 0o077 == 0
    assert resolved(clean_env(tmp_path))["secret_key"] == values["secret_key"]


def test_debug_off_refuses_an_insecure_secret_key(tmp_path):
    done = run_python(
        PRINT_SETTINGS, clean_env(tmp_path, DEBUG="0", SECRET_KEY="django-insecure-abc")
    )
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "SECRET_KEY" in done.stderr


@pytest.mark.django_db
def test_readyz_is_503_json_when_the_database_raises(client, monkeypatch):
    from django.db import connection

    def unreachable():
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(connection, "cursor", unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["database"] == "unreachable (OperationalError)"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_database_is_ok_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.json()["checks"]["database"] == "ok"
    assert "no-store" in response["Cache-Control"]


def test_readyz_is_503_against_a_postgres_that_is_not_there(tmp_path):
    """No mock: a real connection attempt to a closed port, answered within the timeout."""
    port = closed_port()
    done = run_python(
        """
import json, time
import django
django.setup()
from django.test import Client
started = time.monotonic()
response = Client().get("/readyz")
print(json.dumps({
    "status": response.status_code,
    "body": response.json(),
    "seconds": time.monotonic() - started,
}))
""",
        clean_env(tmp_path, DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/nowhere"),
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503, answer
    assert answer["body"]["checks"]["database"] == "unreachable (OperationalError)"
    assert answer["seconds"] < 6, answer


# -- production settings (issue 14) ----------------------------------------------------------
GOOD_KEY = "a-long-random-secret-for-this-test-only-" + "q7Z" * 8


@pytest.mark.parametrize(
    "key", ["", "   ", "change-me-to-a-long-random-string", "django-insecure-" + "x" * 50, "short"]
)
def test_debug_off_refuses_no_key_the_examples_or_a_weak_one(tmp_path, key):
    done = run_python(PRINT_SETTINGS, clean_env(tmp_path, DEBUG="0", SECRET_KEY=key))
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "SECRET_KEY" in done.stderr


def test_the_env_example_key_is_refused_and_debug_on_allows_any(tmp_path):
    example = next(
        line.split("=", 1)[1]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line.startswith("SECRET_KEY=")
    )
    assert run_python(PRINT_SETTINGS, clean_env(tmp_path, SECRET_KEY=example)).returncode != 0
    assert resolved(clean_env(tmp_path, DEBUG="1", SECRET_KEY=example))["debug"] is True


def compose_environment(tmp_path) -> dict[str, str]:
    """What docker-compose.yml gives the app: .env.example with a real key, then compose's own
    `environment` (which wins over env_file), with the database made a local SQLite file."""
    import yaml

    env = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    web = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]
    env.update({key: str(value) for key, value in web["environment"].items()})
    env.update(
        SECRET_KEY=GOOD_KEY,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="",
    )
    return clean_env(tmp_path, **env)


def test_check_deploy_is_clean_with_the_compose_settings(tmp_path):
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=compose_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


HEADERS = """
import django
django.setup()
from django.conf import settings
from django.test import Client
# No collectstatic in a test run: static files by their plain names, as tests/conftest.py does.
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
response = Client().get("/privacy/", secure=True, HTTP_HOST="localhost")
print(response.status_code)
print(response.get("Strict-Transport-Security", ""))
print(response.get("Permissions-Policy", ""))
print(Client().get("/privacy/", HTTP_HOST="localhost").status_code)
print(Client().get("/healthz", HTTP_HOST="127.0.0.1").status_code)
"""


def test_compose_settings_send_hsts_and_redirect_plain_http_except_the_health_check(tmp_path):
    env = compose_environment(tmp_path)
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, timeout=120
    )
    assert migrate.returncode == 0
    done = run_python(HEADERS, env)
    assert done.returncode == 0, done.stderr
    status, hsts, permissions, plain, health = done.stdout.strip().splitlines()[-5:]
    assert status == "200"
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    assert "camera=()" in permissions and "geolocation=()" in permissions
    assert plain == "301"  # plain HTTP goes to HTTPS
    assert health == "200"  # the container's health check over HTTP is not redirected


@pytest.mark.django_db
def test_every_response_has_a_permissions_policy(client, bromley):
    for path in ("/", "/bromley/", "/privacy/", "/mash/login/"):
        policy = client.get(path)["Permissions-Policy"]
        assert "camera=()" in policy and "microphone=()" in policy, path


def test_email_file_path_is_read_with_the_file_backend(tmp_path):
    code = "from django.conf import settings; print(settings.EMAIL_FILE_PATH)"
    env = clean_env(
        tmp_path,
        DEBUG="1",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
    )
    done = run_python(code, env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == str(tmp_path / "mail")
    send = (
        "import django; django.setup()\n"
        "from django.core.mail import send_mail\n"
        "send_mail('s', 'b', 'a@example.gov.uk', ['x@example.com'])\n"
    )
    assert run_python(send, env).returncode == 0
    assert len(list((tmp_path / "mail").iterdir())) == 1


def test_messages_print_to_the_console_in_development_and_never_in_production(tmp_path):
    code = "from django.conf import settings; print(settings.NOTIFICATIONS_BACKEND)"
    done = run_python(code, clean_env(tmp_path, DEBUG="1"))
    assert done.stdout.strip().splitlines()[-1] == "console"  # make run: the embedded default
    done = run_python(code, clean_env(tmp_path))
    assert done.stdout.strip().splitlines()[-1] == "django"  # SMTP by EMAIL_BACKEND
    refused = run_python(code, clean_env(tmp_path, NOTIFICATIONS_BACKEND="console"))
    assert refused.returncode != 0 and "ImproperlyConfigured" in refused.stderr


def test_notify_settings_come_from_the_environment(tmp_path):
    code = (
        "import json; from django.conf import settings; print(json.dumps("
        "[settings.NOTIFICATIONS_BACKEND, settings.NOTIFY_API_KEY, settings.NOTIFY_TEMPLATE_IDS,"
        " settings.NOTIFY_CALLBACK_TOKEN]))"
    )
    env = clean_env(
        tmp_path,
        NOTIFICATIONS_BACKEND="notify",
        NOTIFY_API_KEY="key-name-1234",
        NOTIFY_TEMPLATE_OUTCOME_SMS="0e7f1f5c-bbbe-4a59-9b4c-6f4f1b7c2d55",
        NOTIFY_TEMPLATE_CHECK_CODE_EMAIL="f33517ff-2a88-4f6e-b855-c550268ce08a",
        NOTIFY_TEMPLATE_ESCALATION_SMS="",  # empty: not set
        NOTIFY_CALLBACK_TOKEN="callback-token",
    )
    done = run_python(code, env)
    assert done.returncode == 0, done.stderr
    backend, key, templates, token = json.loads(done.stdout.strip().splitlines()[-1])
    assert (backend, key, token) == ("notify", "key-name-1234", "callback-token")
    assert templates == {
        "outcome_sms": "0e7f1f5c-bbbe-4a59-9b4c-6f4f1b7c2d55",
        "check_code_email": "f33517ff-2a88-4f6e-b855-c550268ce08a",
    }


@pytest.mark.parametrize(
    "url", ["rediss://cache.internal:6380/3", "sentinel://cache.internal:26379"]
)
def test_a_tls_or_sentinel_broker_keeps_kombus_own_transport(tmp_path, url):
    """config.broker's transport would take the place of the transport kombu picks by the
    URL's scheme, and with it TLS (rediss) or Sentinel: it is used for redis:// only."""
    values = resolved(clean_env(tmp_path, REDIS_URL=url))
    assert values["broker"] == url
    assert values["broker_transport"] is None
