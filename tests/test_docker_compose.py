"""Structure of the container files: docker-compose.yml, deploy/nginx.conf, Dockerfile.

Docker is not needed: the files are parsed, not run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_PATH = ROOT / "docker-compose.yml"
NGINX_CONF_PATH = ROOT / "deploy" / "nginx.conf"
DOCKERFILE_PATH = ROOT / "Dockerfile"

WEB_SERVICES = ("web1", "web2")
ONE_OFF_SERVICES = {"migrate"}


def load_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_PATH.read_text())


def services() -> dict[str, dict[str, Any]]:
    return load_compose()["services"]


def environment(service: dict[str, Any]) -> dict[str, str]:
    """The service's environment, whether written as a mapping or as a KEY=value list."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def volume_sources(service: dict[str, Any]) -> list[str]:
    """The source (named volume or host path) of each of the service's mounts."""
    sources = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            sources.append(volume["source"])
        else:
            sources.append(volume.split(":", 1)[0])
    return sources


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuations joined."""
    lines = [
        line
        for line in DOCKERFILE_PATH.read_text().splitlines()
        if not line.lstrip().startswith("#")
    ]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def test_compose_has_no_version_key() -> None:
    assert "version" not in load_compose()


def test_compose_services_exist() -> None:
    assert {"postgres", "redis", "migrate", *WEB_SERVICES, "lb"} <= set(services())


def test_compose_web_services_at_least_two() -> None:
    web = [
        name
        for name, service in services().items()
        if service.get("build") == "." and name not in ONE_OFF_SERVICES
    ]
    assert len(web) >= 2


def test_compose_web_services_use_built_image() -> None:
    for name in (*WEB_SERVICES, "migrate"):
        assert services()[name]["build"] == ".", name


def test_compose_web_services_share_one_configuration() -> None:
    web1, web2 = (services()[name] for name in WEB_SERVICES)
    assert web1 == web2


def test_compose_web_services_environment_points_at_postgres_and_redis() -> None:
    for name in WEB_SERVICES:
        env = environment(services()[name])
        assert env["DATABASE_URL"].startswith("postgres://"), name
        assert "@postgres:5432/" in env["DATABASE_URL"], name
        assert env["REDIS_URL"].startswith("redis://redis:6379"), name
        assert env["DEBUG"] == "0", name


def test_compose_secret_key_is_required_not_defaulted() -> None:
    for name in (*WEB_SERVICES, "migrate"):
        assert environment(services()[name])["SECRET_KEY"].startswith("${SECRET_KEY:?"), name


def test_compose_migrate_uses_web_environment() -> None:
    assert environment(services()["migrate"]) == environment(services()["web1"])


def test_compose_web_services_publish_no_ports() -> None:
    for name in WEB_SERVICES:
        assert "ports" not in services()[name], name


def test_compose_long_running_services_have_healthcheck() -> None:
    long_running = {name: s for name, s in services().items() if name not in ONE_OFF_SERVICES}
    assert len(long_running) >= 5
    for name, service in long_running.items():
        healthcheck = service.get("healthcheck", {})
        assert healthcheck.get("test"), name
        assert not healthcheck.get("disable", False), name


def test_compose_web_healthcheck_hits_healthz() -> None:
    for name in WEB_SERVICES:
        assert "/healthz" in " ".join(services()[name]["healthcheck"]["test"]), name


def test_compose_migrate_runs_before_web() -> None:
    for name in WEB_SERVICES:
        depends_on = services()[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully", name
        assert depends_on["postgres"]["condition"] == "service_healthy", name
        assert depends_on["redis"]["condition"] == "service_healthy", name


def test_compose_migrate_runs_migrate_once() -> None:
    migrate = services()["migrate"]
    command = migrate["command"]
    command = command if isinstance(command, str) else " ".join(command)
    assert command == "python manage.py migrate --noinput"
    assert migrate["build"] == "."
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_lb_publishes_port() -> None:
    assert "8000:80" in [str(port) for port in services()["lb"]["ports"]]


def test_compose_lb_mounts_nginx_conf_that_exists() -> None:
    mounts = [m for m in services()["lb"]["volumes"] if isinstance(m, str)]
    nginx_mounts = [m for m in mounts if m.endswith(":/etc/nginx/conf.d/default.conf:ro")]
    assert len(nginx_mounts) == 1
    source = nginx_mounts[0].split(":", 1)[0]
    assert (ROOT / source).resolve() == NGINX_CONF_PATH
    assert NGINX_CONF_PATH.is_file()


def test_compose_lb_waits_for_healthy_web() -> None:
    depends_on = services()["lb"]["depends_on"]
    for name in WEB_SERVICES:
        assert depends_on[name]["condition"] == "service_healthy", name


def test_compose_named_volumes_declared_and_used() -> None:
    compose = load_compose()
    declared = set(compose.get("volumes") or {})
    used = {
        source
        for service in compose["services"].values()
        for source in volume_sources(service)
        if not source.startswith((".", "/", "~"))
    }
    assert {"pgdata", "redisdata"} <= declared
    assert used == declared
    assert "pgdata" in volume_sources(compose["services"]["postgres"])
    assert "redisdata" in volume_sources(compose["services"]["redis"])


def test_nginx_conf_passes_upgrade_and_connection_headers() -> None:
    conf = NGINX_CONF_PATH.read_text()
    assert re.search(r"map\s+\$http_upgrade\s+\$connection_upgrade\s*{", conf)
    assert re.search(r"proxy_set_header\s+Upgrade\s+\$http_upgrade;", conf)
    assert re.search(r"proxy_set_header\s+Connection\s+\$connection_upgrade;", conf)
    assert re.search(r"proxy_http_version\s+1\.1;", conf)


def test_nginx_conf_upstream_lists_every_web_service() -> None:
    conf = NGINX_CONF_PATH.read_text()
    upstream = re.search(r"upstream\s+(\w+)\s*{([^}]*)}", conf)
    assert upstream is not None
    servers = set(re.findall(r"^\s*server\s+([\w.-]+:\d+)", upstream.group(2), re.MULTILINE))
    assert servers == {f"{name}:8000" for name in WEB_SERVICES}
    assert f"proxy_pass http://{upstream.group(1)};" in conf


def test_nginx_conf_overwrites_forwarded_for() -> None:
    conf = NGINX_CONF_PATH.read_text()
    # daphne --proxy-headers trusts the first address; appending would let clients spoof it.
    assert re.search(r"proxy_set_header\s+X-Forwarded-For\s+\$remote_addr;", conf)
    assert "$proxy_add_x_forwarded_for" not in conf
    assert re.search(r"proxy_set_header\s+X-Forwarded-Proto\s+\$scheme;", conf)


def test_nginx_conf_websocket_location_has_long_read_timeout() -> None:
    conf = NGINX_CONF_PATH.read_text()
    ws = re.search(r"location\s+/ws/\s*{([^}]*)}", conf)
    assert ws is not None
    assert re.search(r"proxy_read_timeout\s+(1h|[1-9]\d{3,}s?);", ws.group(1))


def test_nginx_conf_passes_healthz_through() -> None:
    conf = NGINX_CONF_PATH.read_text()
    healthz = re.search(r"location\s+=\s+/healthz\s*{([^}]*)}", conf)
    assert healthz is not None
    assert "proxy_pass http://" in healthz.group(1)


def test_dockerfile_installs_project_with_pip() -> None:
    runs = [args for keyword, args in dockerfile_instructions() if keyword == "RUN"]
    assert any(re.search(r"\bpip install \.(\s|$)", run) for run in runs)
    assert any("manage.py collectstatic --noinput" in run for run in runs)


def test_dockerfile_runs_daphne_with_asgi_application() -> None:
    cmds = [args for keyword, args in dockerfile_instructions() if keyword == "CMD"]
    assert len(cmds) == 1
    command = json.loads(cmds[0])
    assert command[0] == "daphne"
    assert command[-1] == "dashboard.asgi:application"
    assert "--proxy-headers" in command


def test_dockerfile_runs_as_non_root() -> None:
    users = [args for keyword, args in dockerfile_instructions() if keyword == "USER"]
    assert users
    assert users[-1] not in {"root", "0", "0:0"}


def test_dockerfile_secret_key_only_on_build_step() -> None:
    instructions = dockerfile_instructions()
    assert not any(kw in {"ENV", "ARG"} and "SECRET_KEY" in args for kw, args in instructions)
    assert any(kw == "RUN" and "SECRET_KEY=build-only" in args for kw, args in instructions)


def test_dockerfile_healthcheck_hits_healthz() -> None:
    checks = [args for keyword, args in dockerfile_instructions() if keyword == "HEALTHCHECK"]
    assert len(checks) == 1
    assert "http://127.0.0.1:8000/healthz" in checks[0]
