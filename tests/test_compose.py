"""The production-like stack as written: docker-compose.yml, the Dockerfile and .env.example.

No Docker engine runs here, so these read the files and check them against the project itself:
the commands name modules and URLs that exist, the health checks test the right thing, and the
example environment matches the database and broker the stack starts.
"""

import re
import shlex
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.urls import resolve

ROOT = Path(__file__).resolve().parents[1]
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def dockerfile() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", text)
    return [
        re.sub(r"\s+", " ", line).strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def argv(command) -> list[str]:
    return list(command) if isinstance(command, list) else shlex.split(command)


def healthcheck_text(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else test


LONG_RUNNING = ("nginx", "web", "worker", "beat", "db", "redis")


def test_the_services_and_the_one_shots(services):
    assert set(LONG_RUNNING) <= set(services)
    assert set(services) - set(LONG_RUNNING) <= {"migrate", "static", "backup"}


def test_every_long_running_service_has_a_health_check(services):
    for name in LONG_RUNNING:
        check = services[name].get("healthcheck")
        assert check and check.get("test"), f"{name} has no health check"
        assert check.get("disable") is not True
        assert check["test"][0] in {"CMD", "CMD-SHELL"}, name


def test_web_runs_gunicorn_on_the_projects_wsgi_application(services):
    command = argv(services["web"]["command"])
    assert command[0] == "gunicorn"
    target = next(arg for arg in command[1:] if not arg.startswith("-"))
    module, _, attribute = target.partition(":")
    assert module == "config.wsgi"
    wsgi = __import__(module, fromlist=["_"])
    assert callable(getattr(wsgi, attribute or "application"))
    assert any(arg.startswith("--bind=0.0.0.0:8000") for arg in command) or (
        "--bind" in command and command[command.index("--bind") + 1] == "0.0.0.0:8000"
    )


def web_health_url(services) -> tuple[str, str]:
    text = healthcheck_text(services["web"])
    match = re.search(r"http://(127\.0\.0\.1|localhost):8000(/\S*?)['\"]", text)
    assert match, text
    return match.group(1), match.group(2)


def test_web_health_check_requests_the_health_url_that_exists(services):
    _, path = web_health_url(services)
    assert path == "/healthz"
    assert resolve(path).url_name == "healthz"


def test_worker_and_beat_run_celery_on_the_project_app(services):
    from config.celery import app

    assert app.main == "config"
    worker = argv(services["worker"]["command"])
    beat = argv(services["beat"]["command"])
    assert worker[:4] == ["celery", "-A", "config", "worker"]
    assert beat[:4] == ["celery", "-A", "config", "beat"]


def test_worker_health_check_pings_its_own_node(services):
    text = healthcheck_text(services["worker"])
    assert "celery -A config inspect ping" in text
    # $$ is compose's escape for a literal $, so the container's shell expands its hostname.
    assert "celery@$$HOSTNAME" in text


def test_beat_health_check_uses_the_pidfile_beat_writes(services):
    command = argv(services["beat"]["command"])
    pidfile = next(arg.split("=", 1)[1] for arg in command if arg.startswith("--pidfile="))
    text = healthcheck_text(services["beat"])
    assert f'kill -0 "$$(cat {pidfile})"' in text
    assert "ensure_connection" in text


def test_db_is_postgres_15_with_a_named_volume_and_pg_isready(compose, services):
    db = services["db"]
    assert db["image"] == "postgres:15"
    volume, _, target = db["volumes"][0].partition(":")
    assert target == "/var/lib/postgresql/data"
    assert volume in compose["volumes"]
    assert "pg_isready" in healthcheck_text(db)


def test_redis_is_redis_7_checked_with_redis_cli_ping(services):
    redis = services["redis"]
    assert redis["image"] == "redis:7"
    assert healthcheck_text(redis) == "CMD redis-cli ping"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_db_and_redis_and_finished_migrations(services, name):
    depends = services[name]["depends_on"]
    assert depends["db"] == {"condition": "service_healthy"}
    assert depends["redis"] == {"condition": "service_healthy"}
    assert depends["migrate"] == {"condition": "service_completed_successfully"}


def test_migrate_runs_once_after_the_database_is_healthy(services):
    migrate = services["migrate"]
    assert argv(migrate["command"]) == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["depends_on"]["db"] == {"condition": "service_healthy"}
    assert migrate["restart"] == "no"


@pytest.mark.parametrize("name", (*APP_SERVICES, "migrate", "static"))
def test_app_services_share_one_image_built_here_and_read_dot_env(services, name):
    service = services[name]
    assert service["build"] == "."
    assert service["image"] == services["web"]["image"]
    assert service["env_file"] in (".env", [".env"])


def test_env_example_points_the_app_at_the_compose_db_and_redis(services, env_example):
    database = urlsplit(env_example["DATABASE_URL"])
    assert database.scheme in {"postgres", "postgresql"}
    assert database.hostname == "db" and (database.port or 5432) == 5432
    assert database.username == services["db"]["environment"]["POSTGRES_USER"]
    assert database.password == env_example["POSTGRES_PASSWORD"]
    assert database.path.lstrip("/") == env_example["POSTGRES_DB"]
    assert "${POSTGRES_PASSWORD" in services["db"]["environment"]["POSTGRES_PASSWORD"]
    assert "${POSTGRES_DB" in services["db"]["environment"]["POSTGRES_DB"]

    redis = urlsplit(env_example["REDIS_URL"])
    assert redis.scheme == "redis" and redis.hostname == "redis"


def test_env_example_lets_the_web_health_check_through(services, env_example):
    host, _ = web_health_url(services)
    assert host in env_example["ALLOWED_HOSTS"].split(",")
    assert env_example["DEBUG"] == "0"
    assert env_example["SECRET_KEY"]


def test_every_env_example_key_is_read_by_settings_or_compose(env_example):
    settings_source = (ROOT / "config" / "settings.py").read_text()
    compose_source = (ROOT / "docker-compose.yml").read_text()
    for key in env_example:
        read = re.search(rf"""["']{key}["']""", settings_source) or f"${{{key}" in compose_source
        if key == "DATABASE_URL":  # dj_database_url.config() reads it by default
            read = "dj_database_url.config(" in settings_source
        assert read, f"{key} in .env.example is never read"


def test_dockerfile_builds_assets_with_node_then_runs_on_python_3_11_slim(dockerfile):
    froms = [line for line in dockerfile if line.startswith("FROM ")]
    assert re.fullmatch(r"FROM node:20[\w.-]* AS assets", froms[0])
    assert froms[-1] == "FROM python:3.11-slim AS app"
    assert "RUN make assets" in dockerfile
    assert "COPY --from=assets /src/static/build ./static/build" in dockerfile


def test_dockerfile_copies_only_files_that_exist(dockerfile):
    for line in dockerfile:
        if line.startswith("COPY ") and "--from=" not in line:
            *sources, _ = line.split()[1:]
            for source in sources:
                assert (ROOT / source).exists(), f"{line}: {source} is missing"


def test_dockerfile_installs_collects_static_and_drops_root(dockerfile):
    index = {line: number for number, line in enumerate(dockerfile)}
    install = index["RUN pip install ."]
    assets = index["COPY --from=assets /src/static/build ./static/build"]
    collect = next(n for line, n in index.items() if "manage.py collectstatic --noinput" in line)
    user = next(n for line, n in index.items() if line.startswith("USER "))
    assert install < assets < collect < user
    assert "DEBUG=0" in dockerfile[collect]  # the hashed, compressed (manifest) storage
    assert dockerfile[user].split()[1] not in {"root", "0"}
    assert not any(line.startswith("RUN ") for line in dockerfile[user:])
    cmd = next(line for line in dockerfile if line.startswith("CMD "))
    assert cmd.startswith('CMD ["gunicorn", "config.wsgi:application"')


def test_make_assets_in_the_node_stage_builds_what_the_templates_load(dockerfile):
    """`make assets` (dry run) only reads files the assets stage copied in, and writes into
    static/build the files base.html loads, which settings serve from there."""
    from django.conf import settings

    if not shutil.which("make"):
        pytest.skip("make is not installed")
    recipe = subprocess.run(
        ["make", "-n", "-B", "assets"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "npm ci" in recipe  # from the committed package-lock.json
    stage = dockerfile[: dockerfile.index("RUN make assets")]
    copied = {src for line in stage if line.startswith("COPY ") for src in line.split()[1:-1]}
    assert {"Makefile", "package.json", "package-lock.json", "static/src"} <= copied
    for source in re.findall(r"\bstatic/src/\S+", recipe):
        assert any(source.startswith(f"{c}/") or source == c for c in copied), source
    base = (ROOT / "templates" / "base.html").read_text()
    for name in re.findall(r"{% static '([^']+)' %}", base):
        # Either built by `make assets`, or one of the project's own files kept in git
        # (static/app/, copied into the image with the rest of the source by `COPY . .`).
        in_git = (ROOT / "static" / "app" / name).is_file()
        assert in_git or f"static/build/{name}" in recipe, f"nothing provides {name}"
    dirs = [Path(p) for p in settings.STATICFILES_DIRS]
    assert ROOT / "static" / "build" in dirs and ROOT / "static" / "app" in dirs


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", ".git", ".venv", "node_modules", "var", "static/build"} <= ignored
    assert ".env.example" not in ignored


def test_worker_yields_the_cpu_to_web_requests(services):
    """Sending emails waits while people are submitting: the worker's CPU weight is a fraction
    of web's (Docker's default is 1024), as the submissions benchmark runs it (niced)."""
    worker_shares = services["worker"]["cpu_shares"]
    assert 0 < worker_shares <= services["web"].get("cpu_shares", 1024) // 4


# -- nginx in front (issue 14: slow clients) -------------------------------------------------
NGINX_DIR = ROOT / "deploy" / "nginx"


@pytest.fixture(scope="module")
def nginx_conf() -> str:
    """The two files nginx loads, comments dropped."""
    text = (NGINX_DIR / "default.conf").read_text() + (NGINX_DIR / "app.conf").read_text()
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def directive(conf: str, name: str) -> list[str]:
    return re.findall(rf"^\s*{name}\s+([^;]+);", conf, re.MULTILINE)


def test_only_nginx_is_published(services):
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"nginx"}
    assert services["nginx"]["image"].split(":")[0] == "nginx"  # the official image
    assert {p.split(":")[-1] for p in services["nginx"]["ports"]} == {"80", "443"}


def test_nginx_loads_the_configuration_in_the_repo_and_waits_for_web(services):
    nginx = services["nginx"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in nginx["volumes"]}
    assert mounts["/etc/nginx/conf.d/default.conf"] == "./deploy/nginx/default.conf"
    assert mounts["/etc/nginx/app.conf"] == "./deploy/nginx/app.conf"
    for source in mounts.values():
        if source.startswith("./deploy/nginx/"):
            assert (ROOT / source).is_file(), source
    assert "include /etc/nginx/app.conf;" in (NGINX_DIR / "default.conf").read_text()
    assert nginx["depends_on"]["web"] == {"condition": "service_healthy"}
    assert "/nginx-healthz" in healthcheck_text(nginx)


def test_nginx_passes_to_the_port_gunicorn_binds(services, nginx_conf):
    assert [v for v in directive(nginx_conf, "server") if "{" not in v] == ["web:8000"]
    assert directive(nginx_conf, "proxy_pass") == ["http://web"]
    assert "expose" in services["web"] and "ports" not in services["web"]


def test_nginx_buffers_requests_and_responses_with_short_client_timeouts(nginx_conf):
    assert directive(nginx_conf, "proxy_request_buffering") == ["on"]
    assert directive(nginx_conf, "proxy_buffering") == ["on"]
    for name in ("client_header_timeout", "client_body_timeout"):
        values = directive(nginx_conf, name)
        assert values and all(int(v.rstrip("s")) <= 15 for v in values), (name, values)


def test_nginx_body_limit_is_the_upload_limit_plus_the_forms_overhead(nginx_conf):
    from django.conf import settings

    (limit,) = directive(nginx_conf, "client_max_body_size")
    assert limit.endswith("m")
    limit_bytes = int(limit[:-1]) * 1024 * 1024
    assert (
        settings.CONSENT_FORM_MAX_BYTES < limit_bytes <= settings.CONSENT_FORM_MAX_BYTES + 2 * 2**20
    )


def test_nginx_forwards_the_client_address_and_scheme(nginx_conf):
    headers = dict(v.split(None, 1) for v in directive(nginx_conf, "proxy_set_header"))
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["Host"] == "$host"


def test_nginx_serves_static_from_the_collected_files(services, nginx_conf, dockerfile):
    from django.conf import settings

    (alias,) = directive(nginx_conf, "alias")
    static = services["static"]
    volume, _, target = static["volumes"][0].partition(":")
    assert alias.rstrip("/") == target
    assert f"{volume}:{target}:ro" in services["nginx"]["volumes"]
    # The one-shot copies the image's STATIC_ROOT (collected at build) into that volume.
    assert str(settings.STATIC_ROOT).replace(str(ROOT), "/app") in " ".join(argv(static["command"]))
    assert static["restart"] == "no"
    assert services["nginx"]["depends_on"]["static"] == {
        "condition": "service_completed_successfully"
    }
    assert any("/srv/static" in line and "chown" in line for line in dockerfile)


def test_compose_turns_on_https_hsts_and_the_trusted_proxy(compose):
    from config.client import parse_address, parse_networks

    environment = compose["x-app"]["environment"]
    assert environment["SECURE_SSL_REDIRECT"] == "1"
    assert int(environment["SECURE_HSTS_SECONDS"]) >= 31536000
    assert environment["BEHIND_PROXY"] == "1"
    networks = parse_networks(environment["TRUSTED_PROXIES"])
    # Docker's default address pools, where compose's network (and nginx) gets its address.
    for nginx_address in ("172.18.0.5", "192.168.16.3", "10.0.1.2"):
        assert any(parse_address(nginx_address) in network for network in networks)
    assert not any(parse_address("203.0.113.7") in network for network in networks)


def test_the_repo_nginx_config_is_valid_for_debian_nginx(tmp_path):
    """The benchmark's whole configuration (the repo's app.conf and default.conf's upstream)
    passes `nginx -t` with Debian's nginx, when it is installed."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    from benchmarks.slow_clients import nginx_config

    tmp_path.chmod(0o755)
    config = nginx_config(tmp_path, gunicorn_port=1, nginx_port=2, static_root=tmp_path)
    done = subprocess.run([nginx, "-t", "-c", str(config)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
