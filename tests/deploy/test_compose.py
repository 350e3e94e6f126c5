"""deploy/ read as data (issue 11, part 5), no Docker needed: the compose file's services, their order
(migrations once, before anything serves), health checks and secrets; the Caddyfile's upstreams; the image
definition; and deploy/.env.example naming every variable they use."""

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
APP_SERVICES = ("serve-1", "serve-2", "scheduler")


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yml").read_text(encoding="utf-8"))
    return loaded


def services() -> dict[str, Any]:
    found: dict[str, Any] = compose()["services"]
    return found


def conditions(service: dict[str, Any]) -> dict[str, str]:
    return {name: rule["condition"] for name, rule in service.get("depends_on", {}).items()}


def test_the_topology_is_postgres_one_migration_two_replicas_a_scheduler_and_a_proxy() -> None:
    assert set(services()) == {"postgres", "migrate", "serve-1", "serve-2", "scheduler", "proxy"}
    for name in ("serve-1", "serve-2"):
        assert services()[name]["command"][:2] == ["flexcare", "serve"]
    assert services()["scheduler"]["command"] == ["flexcare", "scheduler"]


def test_postgres_keeps_its_data_in_a_volume_and_reports_ready() -> None:
    postgres = services()["postgres"]
    assert "pgdata:/var/lib/postgresql/data" in postgres["volumes"] and "pgdata" in compose()["volumes"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


def test_migrations_run_once_before_anything_serves() -> None:
    migrate = services()["migrate"]
    assert "flexcare db upgrade" in " ".join(migrate["command"]) and migrate["restart"] == "no"
    assert conditions(migrate) == {"postgres": "service_healthy"}
    for name in APP_SERVICES:
        assert conditions(services()[name]) == {"postgres": "service_healthy",
                                                "migrate": "service_completed_successfully"}, name


def test_only_migrate_imports_the_contract_file_so_replicas_never_race_to_import_it() -> None:
    for name in APP_SERVICES:
        assert services()[name]["environment"]["FLEXCARE_CONTRACTS"] == "", name
    assert "FLEXCARE_CONTRACTS" not in services()["migrate"]["environment"]
    assert "flexcare contracts import" in " ".join(services()["migrate"]["command"])


def test_replicas_are_health_checked_and_the_services_without_http_are_not() -> None:
    for name in ("serve-1", "serve-2"):
        assert "healthcheck" not in services()[name], f"{name} keeps the image's HEALTHCHECK on /healthz"
    for name in ("migrate", "scheduler"):
        assert services()[name]["healthcheck"] == {"disable": True}, name
    assert conditions(services()["proxy"]) == {"serve-1": "service_healthy", "serve-2": "service_healthy"}


def test_secrets_come_from_the_env_file_never_from_the_compose_file() -> None:
    for name in ("migrate", *APP_SERVICES):
        service = services()[name]
        assert service["env_file"] == ".env", name
        assert not [key for key in service["environment"] if key.startswith("SLACK_")], name
    assert services()["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert "xoxb-" not in (DEPLOY / "compose.yml").read_text(encoding="utf-8")


def test_the_proxy_balances_slack_paths_over_both_replicas_and_checks_their_health() -> None:
    proxy = services()["proxy"]
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    caddyfile = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    slack = caddyfile[caddyfile.index("handle /slack/*"):caddyfile.index("handle /healthz")]
    assert "reverse_proxy serve-1:3000 serve-2:3000" in slack and "lb_policy round_robin" in slack
    assert "health_uri /healthz" in slack
    # A request a dying replica took is sent to the other one: POST included, body kept to send again.
    assert re.search(r"lb_retry_match \{\s*method POST", slack) and "request_buffers" in slack


def test_the_image_is_slim_python_run_by_a_user_with_a_health_check_serving_by_default() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.12-slim$", dockerfile, re.M)
    user = re.findall(r"^USER (\S+)$", dockerfile, re.M)
    assert user and user[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", dockerfile, re.M)
    assert re.search(r'^CMD \["flexcare", "serve"\]$', dockerfile, re.M)


def test_the_image_copies_every_package_and_the_files_read_beside_them_and_the_context_lets_them_through() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    copied = {source.rstrip("/") for line in re.findall(r"^COPY (.+) \S+$", dockerfile, re.M)
              for source in line.split()}
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    assert {pattern.rstrip("*") for pattern in packages["include"]} <= copied
    assert {"locale", "app_manifest.yml", "pyproject.toml"} <= copied  # domain/words.py, bot/manifest.py
    allowed = {line[1:].rstrip("/") for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
               if line.startswith("!")}
    assert copied <= allowed
    assert all((ROOT / source).exists() for source in copied)


def test_env_example_names_every_variable_compose_needs_and_only_variables_something_reads() -> None:
    needed = set(re.findall(r"\$\{(\w+):\?", (DEPLOY / "compose.yml").read_text(encoding="utf-8")))
    example = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, re.M))
    assert needed <= named
    settings = set(re.findall(r'get\("([A-Z_]+)"\)', (ROOT / "bot" / "settings.py").read_text(encoding="utf-8")))
    compose_only = {"FLEXCARE_DOMAIN", "POSTGRES_PASSWORD", "FLEXCARE_VERSION"}
    assert named <= settings | compose_only, named - settings - compose_only
    assert "DATABASE_URL" not in named  # compose builds it from POSTGRES_PASSWORD
