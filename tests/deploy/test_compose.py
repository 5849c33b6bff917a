"""docker-compose.yaml, Dockerfile and .dockerignore, checked without Docker.

The compose file is validated against the Compose Specification's JSON schema (a vendored copy, see README.md
here), then against the wiring a working deployment needs. Each check is a function returning its problems, so
the last test can prove that every check fails on a file broken the way a real deployment would be.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
COMPOSE_TEXT = (ROOT / "docker-compose.yaml").read_text()
DOCKERFILE = (ROOT / "Dockerfile").read_text()
DOCKERIGNORE = (ROOT / ".dockerignore").read_text()
ENV_EXAMPLE = (ROOT / ".env.example").read_text()
GITIGNORE = (ROOT / ".gitignore").read_text()
README = (ROOT / "README.md").read_text()
SCHEMA = json.loads((HERE / "compose-spec.schema.json").read_text())

# Every service that runs the project image as an Airflow component.
AIRFLOW_SERVICES = (
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "flower",
)
# Where tasks, triggers, DAG parsing and the Execution API run: all must see the same secrets and connections.
RUNTIME_SERVICES = (
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
)
SHARED_ENV = (
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "AIRFLOW__API__SECRET_KEY",
    "AIRFLOW__CORE__FERNET_KEY",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "AIRFLOW__CELERY__BROKER_URL",
    "AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT",
    "AIRFLOW_CONN_WEBEX_SETUP_ASSIST_DEFAULT",
    "AIRFLOW_CONN_WEBEX_WHOLESALE_BUDGET",
    "AIRFLOW_CONN_WHOLESALE_DB",
    "WEBEX_WHOLESALE_QUEUE_SCHEDULE",
    "AIRFLOW_VAR_WEBEX_WHOLESALE_QUEUE_MAX_ORDERS",
)
SECRETS = ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY", "AIRFLOW__CORE__FERNET_KEY")
# Values for the variables the file requires with ${VAR:?...}; everything else takes the file's defaults.
REQUIRED_ENV = {
    "AIRFLOW_JWT_SECRET": "test-jwt-secret",
    "AIRFLOW_API_SECRET_KEY": "test-api-secret-key",
    "AIRFLOW_FERNET_KEY": "test-fernet-key",
}
REAL_API = "https://webexapis.com/v1"

Problems = list[str]


# --- Compose variable interpolation (the subset the file uses: $$, $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e}) ---

_VARIABLE = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>[^}]*)\}|(?P<named>[A-Za-z_][A-Za-z0-9_]*))")
_BRACED = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>.*))?", re.DOTALL)


def interpolate(value: object, env: dict[str, str]) -> object:
    """Resolve ``${...}`` in every string of ``value`` the way ``docker compose config`` does."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        if match["escaped"]:
            return "$"
        if match["named"]:
            return env.get(match["named"], "")
        braced = _BRACED.fullmatch(match["braced"])
        if braced is None or "${" in (braced["arg"] or ""):
            raise ValueError(f"unsupported interpolation {match[0]!r}")
        name, op, arg = braced["name"], braced["op"], braced["arg"]
        current = env.get(name)
        unset = current is None or (op is not None and op.startswith(":") and current == "")
        if op is not None and op.endswith("-") and unset:
            return arg
        if op is not None and op.endswith("?") and unset:
            raise KeyError(f"required variable {name} is not set: {arg}")
        return current or ""

    return _VARIABLE.sub(substitute, value)


def required_variables(text: str) -> set[str]:
    return set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*):?\?", text))


def load_compose(text: str = COMPOSE_TEXT) -> dict:
    return yaml.safe_load(text)


def resolved(compose: dict, **env: str) -> dict:
    """The file as Compose sees it with the required secrets set (and ``env``, e.g. a real API's URL)."""
    return interpolate(compose, {**REQUIRED_ENV, **env})


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def command_option(service: dict, option: str) -> str:
    command = service["command"]
    args = command if isinstance(command, list) else command.split()
    return args[args.index(option) + 1]


def healthcheck_text(service: dict) -> str:
    test = (service.get("healthcheck") or {}).get("test") or []
    return " ".join(test) if isinstance(test, list) else test


def published_ports(service: dict) -> list[str]:
    return [str(port) for port in service.get("ports") or []]


# --- Checks on the compose file: each returns its problems ---


def schema_problems(compose: dict) -> Problems:
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(resolved(compose))]


def shared_image_and_env_problems(compose: dict) -> Problems:
    common, services, problems = compose["x-airflow-common"], compose["services"], []
    common_env = environment(common)
    for name in AIRFLOW_SERVICES:
        service = services.get(name)
        if service is None:
            problems.append(f"{name}: missing")
            continue
        for key in ("image", "build"):
            if service.get(key) != common[key]:
                problems.append(f"{name}: {key} {service.get(key)!r} is not the common {common[key]!r}")
        env = environment(service)
        for key, value in common_env.items():
            if env.get(key) != value:
                problems.append(f"{name}: {key} is not the common value (environment does not merge the anchor?)")
    if common_env.get("AIRFLOW__CORE__EXECUTOR") != "CeleryExecutor":
        problems.append("the common executor is not CeleryExecutor")
    if compose["services"]["wholesale-sim"].get("image") != common["image"]:
        problems.append("wholesale-sim does not run the project image")
    return problems


def shared_secret_and_connection_problems(compose: dict) -> Problems:
    problems = []
    for key in SHARED_ENV:
        values = {name: environment(compose["services"][name]).get(key) for name in RUNTIME_SERVICES}
        problems += [f"{name}: {key} is not set" for name, value in values.items() if not value]
        if len(set(values.values())) > 1:
            problems.append(f"{key} differs between services: {values}")
    common = environment(compose["x-airflow-common"])
    for key in SECRETS:
        # A default would be a secret published in this repository: each must come from .env.
        if not re.fullmatch(r"\$\{[A-Za-z_][A-Za-z0-9_]*:\?[^}]*\}", common.get(key, "")):
            problems.append(f"{key} is not a required variable from .env: {common.get(key)!r}")
    return problems


def execution_api_problems(compose: dict) -> Problems:
    compose = resolved(compose)
    apiserver = compose["services"]["airflow-apiserver"]
    container_ports = {port.rsplit(":", 1)[-1].split("/")[0] for port in published_ports(apiserver)}
    listen_port = environment(apiserver).get("AIRFLOW__API__PORT", "8080")
    problems = []
    for name in RUNTIME_SERVICES:
        url = urlsplit(environment(compose["services"][name]).get("AIRFLOW__CORE__EXECUTION_API_SERVER_URL", ""))
        if url.hostname != "airflow-apiserver":
            problems.append(f"{name}: execution API host {url.hostname!r} is not the airflow-apiserver service")
        if str(url.port) != listen_port or listen_port not in container_ports:
            problems.append(f"{name}: execution API port {url.port} is not the api-server's port {listen_port}")
        if url.path != "/execution/":
            problems.append(f"{name}: execution API path {url.path!r} is not /execution/")
    return problems


def loopback_port_problems(compose: dict) -> Problems:
    problems = []
    for name, service in resolved(compose)["services"].items():
        for port in published_ports(service):
            if not port.startswith("127.0.0.1:"):
                problems.append(f"{name}: port {port!r} is published on every interface, not 127.0.0.1")
    if "127.0.0.1:8080:8080" not in published_ports(resolved(compose)["services"]["airflow-apiserver"]):
        problems.append("the api-server is not published on 127.0.0.1:8080")
    return problems


def _connections(env: dict[str, str]) -> tuple[dict[str, dict], Problems]:
    expected = {
        "AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT": "webex_wholesale",
        "AIRFLOW_CONN_WEBEX_SETUP_ASSIST_DEFAULT": "http",
    }
    conns, problems = {}, []
    for key, conn_type in expected.items():
        try:
            conn = conns[key] = json.loads(env.get(key, ""))
        except json.JSONDecodeError as exc:
            problems.append(f"{key} is not JSON: {exc}")
            continue
        if conn.get("conn_type") != conn_type:
            problems.append(f"{key}: conn_type {conn.get('conn_type')!r}, expected {conn_type!r}")
    return conns, problems


def connection_problems(compose: dict) -> Problems:
    """By default the connections reach the demo profile's simulator; with WEBEX_API_URL set, the real API."""
    demo = resolved(compose)
    sim = demo["services"]["wholesale-sim"]
    sim_port, sim_token = command_option(sim, "--port"), command_option(sim, "--token")
    conns, problems = _connections(environment(demo["x-airflow-common"]))
    for key, path in (
        ("AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT", "/v1"),
        ("AIRFLOW_CONN_WEBEX_SETUP_ASSIST_DEFAULT", "/setup-assist/v1"),
    ):
        url = urlsplit(conns.get(key, {}).get("host", ""))
        if (url.scheme, url.hostname, str(url.port), url.path) != ("http", "wholesale-sim", sim_port, path):
            problems.append(f"{key}: host {url.geturl()!r} is not http://wholesale-sim:{sim_port}{path}")
    if conns.get("AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT", {}).get("password") != sim_token:
        problems.append("the Wholesale connection's token is not the token the simulator accepts")
    if command_option(sim, "--host") != "0.0.0.0":  # noqa: S104 - inside the compose network, published on loopback
        problems.append("the simulator listens on loopback only: other containers cannot reach it")
    real = resolved(compose, WEBEX_API_URL=REAL_API, WEBEX_API_TOKEN="real-token")
    for name in RUNTIME_SERVICES:
        conn = _connections(environment(real["services"][name]))[0].get("AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT", {})
        if (conn.get("host"), conn.get("password")) != (REAL_API, "real-token"):
            problems.append(f"{name}: WEBEX_API_URL/WEBEX_API_TOKEN in .env do not reach its Wholesale connection")
    return problems


def redis_problems(compose: dict) -> Problems:
    """The Celery broker and the API budget: the same Redis service, configured alike, each its own db number."""
    compose = resolved(compose)
    env = environment(compose["x-airflow-common"])
    broker = urlsplit(env.get("AIRFLOW__CELERY__BROKER_URL", ""))
    budget = urlsplit(env.get("AIRFLOW_CONN_WEBEX_WHOLESALE_BUDGET", ""))
    problems = []
    for name, url in (("broker", broker), ("budget", budget)):
        if url.scheme != "redis" or url.hostname not in compose["services"]:
            problems.append(f"the {name} {url.geturl()!r} is not a redis:// URL of a service of this file")
        if not re.fullmatch(r"/\d+", url.path):
            problems.append(f"the {name} {url.geturl()!r} names no Redis db number")
    if (broker.hostname, broker.port, broker.username, broker.password) != (
        budget.hostname,
        budget.port,
        budget.username,
        budget.password,
    ):
        problems.append(f"broker {broker.geturl()!r} and budget {budget.geturl()!r} are not the same Redis")
    if broker.path == budget.path:
        problems.append("the budget shares the broker's Redis db: flushing one would flush the other")
    redis = compose["services"].get(broker.hostname or "", {})
    if "redis" not in str(redis.get("image")) or "redis-cli ping" not in healthcheck_text(redis):
        problems.append(f"the broker host {broker.hostname!r} is not a Redis service with a ping healthcheck")
    backend = env.get("AIRFLOW__CELERY__RESULT_BACKEND", "")
    if backend != "db+" + env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", ""):
        problems.append(f"the Celery result backend {backend!r} is not the metadata DB")
    return problems


def state_db_problems(compose: dict) -> Problems:
    """The state DB: its own database on the metadata DB's server, created and migrated by airflow-init."""
    compose = resolved(compose)
    env = environment(compose["x-airflow-common"])
    metadata = urlsplit(env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", ""))
    state = urlsplit(env.get("AIRFLOW_CONN_WHOLESALE_DB", ""))
    problems = []
    if state.scheme != "postgresql" or (state.hostname, state.port) != (metadata.hostname, metadata.port):
        problems.append(f"the state DB {state.geturl()!r} is not a postgresql:// DB on the metadata DB's server")
    if state.path in ("", "/", metadata.path):
        problems.append(f"the state DB {state.path!r} is not a database of its own (Alembic tables would collide)")
    return problems


def depends_on_problems(compose: dict) -> Problems:
    services, problems = compose["services"], []
    for name, service in services.items():
        depends_on = service.get("depends_on") or {}
        if isinstance(depends_on, list):
            problems.append(f"{name}: depends_on without conditions starts before its dependencies are ready")
            depends_on = {key: {} for key in depends_on}
        for dependency, spec in depends_on.items():
            if dependency not in services or dependency == name:
                problems.append(f"{name}: depends on {dependency!r}, which is not another service")
                continue
            wanted = "service_completed_successfully" if dependency == "airflow-init" else "service_healthy"
            if spec.get("condition") != wanted:
                problems.append(f"{name}: waits for {dependency} with {spec.get('condition')!r}, not {wanted!r}")
            if wanted == "service_healthy" and not services[dependency].get("healthcheck"):
                problems.append(f"{name}: waits for {dependency} to be healthy, but it has no healthcheck")
            # A required dependency in a profile the user did not enable makes `docker compose up` fail.
            if services[dependency].get("profiles") and spec.get("required", True) and not service.get("profiles"):
                problems.append(f"{name}: requires {dependency}, which runs only with --profile")
    for name in RUNTIME_SERVICES:
        if "airflow-init" not in (services[name].get("depends_on") or {}):
            problems.append(f"{name}: may start before airflow-init has migrated the DB")
    if "airflow-apiserver" not in (services["airflow-worker"].get("depends_on") or {}):
        problems.append("airflow-worker may take tasks before the Execution API answers")
    return problems


def healthcheck_problems(compose: dict) -> Problems:
    services = resolved(compose)["services"]
    problems = [
        f"{name}: no healthcheck"
        for name, service in services.items()
        if name != "airflow-init" and not healthcheck_text(service)  # a one-shot: others wait for it to complete
    ]
    sim_port = command_option(services["wholesale-sim"], "--port")
    expected = {
        "postgres": "pg_isready",
        "redis": "redis-cli ping",
        "wholesale-sim": f"http://localhost:{sim_port}/_sim/state",
        "airflow-apiserver": "http://localhost:8080/api/v2/monitor/health",
        "airflow-scheduler": "http://localhost:8974/health",
        "airflow-dag-processor": "--job-type DagProcessorJob",
        "airflow-triggerer": "--job-type TriggererJob",
        "airflow-worker": 'inspect ping -d "celery@${HOSTNAME}"',
    }
    problems += [
        f"{name}: healthcheck does not run {needle!r}"
        for name, needle in expected.items()
        if needle not in healthcheck_text(services[name])
    ]
    if environment(services["airflow-scheduler"]).get("AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK") != "True":
        problems.append("the scheduler's health server (:8974) is not enabled")
    return problems


def worker_and_profile_problems(compose: dict) -> Problems:
    """Workers scale (``--scale airflow-worker=N``); the simulator and Flower start only when asked for."""
    services, problems = compose["services"], []
    worker = services["airflow-worker"]
    if worker.get("command") != "celery worker":
        problems.append(f"airflow-worker runs {worker.get('command')!r}, not a Celery worker")
    for key in ("container_name", "ports", "hostname"):
        if key in worker:
            problems.append(f"airflow-worker sets {key}: a second replica would clash with the first")
    if environment(worker).get("DUMB_INIT_SETSID") != "0":
        problems.append("airflow-worker: dumb-init would signal the whole group; Celery's warm shutdown needs 0")
    profiles = {name: service.get("profiles") for name, service in services.items() if service.get("profiles")}
    if profiles != {"wholesale-sim": ["demo"], "flower": ["flower"]}:
        problems.append(f"profiles {profiles} are not: the simulator under demo, Flower under flower")
    return problems


def init_problems(compose: dict) -> Problems:
    init = compose["services"]["airflow-init"]
    script = " ".join(init["command"]) if isinstance(init["command"], list) else init["command"]
    problems = []
    steps = ("airflow db migrate", 'os.environ["AIRFLOW_CONN_WHOLESALE_DB"]', "wholesale-queue db upgrade")
    positions = [script.find(step) for step in steps]
    problems += [f"airflow-init does not run {step!r}" for step, at in zip(steps, positions, strict=True) if at < 0]
    if min(positions) >= 0 and positions != sorted(positions):
        problems.append(f"airflow-init does not run {' -> '.join(steps)} in that order")
    pool = re.search(r"airflow pools set (\S+) (\d+)", script)
    if pool is None or pool[1] != "webex_wholesale_api" or int(pool[2]) < 1:
        problems.append("airflow-init does not create the pool webex_wholesale_api")
    if init.get("restart", "no") != "no":
        problems.append("airflow-init restarts after it completes")
    return problems


def volume_problems(compose: dict) -> Problems:
    declared, problems = set(compose.get("volumes") or {}), []
    for name, service in compose["services"].items():
        for volume in service.get("volumes") or []:
            source, target = str(volume).split(":")[:2]
            if not source.startswith((".", "/")) and source not in declared:
                problems.append(f"{name}: volume {source!r} is not declared at the top level")
            # A new named volume takes the ownership of the image's directory: it must exist, owned by airflow.
            if service.get("image") == compose["x-airflow-common"]["image"] and target not in _chowned_dirs():
                problems.append(f"{name}: {target} is not created and chowned to airflow in the Dockerfile")
    state_dir = str(Path(command_option(compose["services"]["wholesale-sim"], "--state-file")).parent)
    if not any(str(v).split(":")[1] == state_dir for v in compose["services"]["wholesale-sim"].get("volumes") or []):
        problems.append(f"the simulator's state directory {state_dir} is not a volume: its state dies with it")
    if not any("postgresql/data" in str(v) for v in compose["services"]["postgres"].get("volumes") or []):
        problems.append("postgres keeps its data in the container only")
    return problems


def _chowned_dirs(dockerfile: str = DOCKERFILE) -> set[str]:
    match = re.search(r"chown -R airflow:0 ([^\n\\&]+)", dockerfile)
    return set(match[1].split()) if match else set()


def _env_file(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line and not line.lstrip().startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def env_docs_problems(
    compose_text: str = COMPOSE_TEXT, readme: str = README, env_example: str = ENV_EXAMPLE, gitignore: str = GITIGNORE
) -> Problems:
    """Every required secret is in .env.example (empty: no secret in git) and the README; .env stays out of git."""
    section = readme.split("\n## Deployment", 1)[-1].split("\n## ", 1)[0]
    example = _env_file(env_example)
    problems = []
    for name in sorted(required_variables(compose_text)):
        if name not in section:
            problems.append(f"required variable {name} is not explained in README's Deployment section")
        if name not in example:
            problems.append(f"required variable {name} is not in .env.example")
        elif example[name]:
            problems.append(f".env.example gives {name} a value: a secret committed to git")
    for line in ("WEBEX_API_URL=https://webexapis.com/v1", "WEBEX_API_TOKEN="):
        if line not in section:
            problems.append(f"README's Deployment section does not say how to reach the real API ({line})")
    ignored = {line.strip() for line in gitignore.splitlines()}
    if ".env" not in ignored or ".env.example" in ignored or "*.env*" in ignored:
        problems.append(".gitignore must ignore .env and keep .env.example")
    return problems


# --- Checks on the Dockerfile and .dockerignore ---


def dockerfile_problems(dockerfile: str = DOCKERFILE, dockerignore: str = DOCKERIGNORE) -> Problems:
    problems = []
    pin = re.search(r"^apache-airflow==(\S+)$", (ROOT / "constraints.txt").read_text(), re.MULTILINE)
    base = re.search(r"^FROM apache/airflow:(\S+)-python(\S+)$", dockerfile, re.MULTILINE)
    if base is None or pin is None or base[1] != pin[1]:
        problems.append(f"base image {base and base[0]!r} is not the constraints' apache-airflow=={pin and pin[1]}")
    copied = {
        source.rstrip("/")
        for line in re.findall(r"^COPY (?:--\S+ )*(.+)$", dockerfile, re.MULTILINE)
        for source in line.split()[:-1]
    }
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    needed = {"pyproject.toml", "constraints.txt", "dags", project["project"]["readme"]}
    needed |= set(project["tool"]["setuptools"]["packages"]["find"]["where"])
    problems += [f"the Dockerfile does not copy {path} (pip install -e needs it)" for path in sorted(needed - copied)]
    problems += [
        f"the Dockerfile copies {path}, which does not exist"
        for path in sorted(copied - needed)
        if not (ROOT / path).exists()
    ]
    if not re.search(r"pip install --no-cache-dir -c constraints\.txt -e /opt/airflow/project", dockerfile):
        problems.append("the project is not installed from the pinned constraints")
    if not re.search(r"pip install [^\n]*\n(?:#[^\n]*\n)*RUN pip check$", dockerfile, re.MULTILINE):
        problems.append("the build does not run pip check right after installing the project")
    users = re.findall(r"^USER (\S+)$", dockerfile.split("RUN pip install", 1)[0], re.MULTILINE)
    if not users or users[-1] != "airflow":
        problems.append("pip runs as root: the official image must be extended as the airflow user")
    for key, folder in (
        ("DAGS_FOLDER", "/opt/airflow/project/dags"),
        ("PLUGINS_FOLDER", "/opt/airflow/project/plugins"),
    ):
        if f"AIRFLOW__CORE__{key}={folder}" not in dockerfile:
            problems.append(f"the image does not set AIRFLOW__CORE__{key} to {folder}")
    ignored = {line.strip() for line in dockerignore.splitlines() if line.strip() and not line.startswith("#")}
    problems += [
        f".dockerignore does not exclude {p}"
        for p in (".venv", ".airflow-home", ".git", "**/__pycache__", ".env")
        if p not in ignored
    ]
    problems += [f".dockerignore excludes {path}, which the Dockerfile copies" for path in sorted(copied & ignored)]
    return problems


# --- Tests ---


@pytest.fixture
def compose() -> dict:
    return load_compose()


def test_the_vendored_schema_is_a_valid_draft7_schema():
    assert SCHEMA["$schema"].rstrip("#").endswith("draft-07/schema")
    jsonschema.Draft7Validator.check_schema(SCHEMA)


def test_compose_file_matches_the_compose_specification(compose):
    assert schema_problems(compose) == []


def test_every_airflow_service_shares_the_image_and_environment(compose):
    assert shared_image_and_env_problems(compose) == []


def test_secrets_and_connections_reach_every_runtime_component(compose):
    assert shared_secret_and_connection_problems(compose) == []


def test_execution_api_url_points_at_the_api_server(compose):
    assert execution_api_problems(compose) == []


def test_published_ports_are_loopback_only(compose):
    assert loopback_port_problems(compose) == []


def test_connections_point_at_the_simulator_or_the_real_api_from_env(compose):
    assert connection_problems(compose) == []


def test_broker_and_budget_share_one_redis_configured_alike(compose):
    assert redis_problems(compose) == []


def test_state_db_is_its_own_database_on_the_postgres_server(compose):
    assert state_db_problems(compose) == []


def test_depends_on_names_existing_services_with_conditions(compose):
    assert depends_on_problems(compose) == []


def test_every_service_has_a_healthcheck(compose):
    assert healthcheck_problems(compose) == []


def test_workers_scale_and_optional_services_sit_in_profiles(compose):
    assert worker_and_profile_problems(compose) == []


def test_airflow_init_migrates_both_dbs_and_creates_the_pool(compose):
    assert init_problems(compose) == []


def test_volumes_are_declared_and_writable_by_airflow(compose):
    assert volume_problems(compose) == []


def test_required_secrets_and_the_real_api_are_documented():
    assert env_docs_problems() == []


def test_dockerfile_builds_the_project_on_the_pinned_airflow_image():
    assert dockerfile_problems() == []


def test_airflow_is_tuned_as_in_every_local_airflow(compose):
    """Compose and ``scripts/local_stack.py`` tune Airflow alike: the scheduler's idle sleep (an onboarding waits a
    scheduler loop per step), tasks not re-validating the run's conf against the form, and supervisors that give
    a finished task's slot back within a second."""
    from local_stack import DAG_RUN_CONF_OVERRIDES_PARAMS, MIN_HEARTBEAT_INTERVAL, SCHEDULER_IDLE_SLEEP_TIME

    env = environment(resolved(compose)["x-airflow-common"])
    assert env.get("AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME") == SCHEDULER_IDLE_SLEEP_TIME
    assert env.get("AIRFLOW__CORE__DAG_RUN_CONF_OVERRIDES_PARAMS") == DAG_RUN_CONF_OVERRIDES_PARAMS
    assert env.get("AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL") == MIN_HEARTBEAT_INTERVAL


def test_a_dead_workers_tasks_are_noticed_as_in_make_distributed(compose):
    """Compose gives up on a silent task after the heartbeat timeout ``make distributed KILL_WORKER=1`` checks."""
    from worker_loss import heartbeat_env

    env = environment(resolved(compose)["x-airflow-common"])
    assert {key: env.get(key) for key in heartbeat_env()} == heartbeat_env()
    assert int(env["AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT"]) < 300  # Airflow's default: 5 minutes


def test_required_secrets_are_enforced_by_compose(compose):
    assert set(REQUIRED_ENV) <= required_variables(COMPOSE_TEXT)
    for missing in REQUIRED_ENV:
        with pytest.raises(KeyError, match=missing):
            interpolate(compose, {name: "set" for name in REQUIRED_ENV if name != missing})


# --- Each check catches the deployment bug it exists for ---


def _set(path: str, value: object) -> Callable[[dict], None]:
    def mutate(compose: dict) -> None:
        *parents, leaf = path.split("/")
        node = compose
        for key in parents:
            node = node[int(key) if isinstance(node, list) else key]
        node[int(leaf) if isinstance(node, list) else leaf] = value

    return mutate


def _drop(path: str) -> Callable[[dict], None]:
    def mutate(compose: dict) -> None:
        *parents, leaf = path.split("/")
        node = compose
        for key in parents:
            node = node[key]
        del node[leaf]

    return mutate


def _replace_env(service: str, key: str, old: str, new: str) -> Callable[[dict], None]:
    def mutate(compose: dict) -> None:
        env = compose["services"][service]["environment"] = dict(compose["services"][service]["environment"])
        env[key] = env[key].replace(old, new)

    return mutate


def _env(service: str, key: str, value: str | None) -> Callable[[dict], None]:
    """Set (or, with ``None``, remove) one variable of one service only, as a service's own override would."""

    def mutate(compose: dict) -> None:
        env = compose["services"][service]["environment"] = dict(compose["services"][service]["environment"])
        if value is None:
            del env[key]
        else:
            env[key] = value

    return mutate


def _common(key: str, value: str | None) -> Callable[[dict], None]:
    """Change one variable of the shared anchor, as an edit of the file's common block would."""
    path = f"x-airflow-common/environment/{key}"
    return _set(path, value) if value is not None else _drop(path)


def _init_script(old: str, new: str) -> Callable[[dict], None]:
    def mutate(compose: dict) -> None:
        command = compose["services"]["airflow-init"]["command"]
        command[2] = command[2].replace(old, new)

    return mutate


def _own_env(service: str) -> Callable[[dict], None]:
    """The classic bug: a service's own ``environment:`` that replaces, instead of merging, the anchor's."""
    return _set(f"services/{service}/environment", {"AIRFLOW__CORE__EXECUTOR": "LocalExecutor"})


BROKEN_FILES = {
    "unknown service key": (schema_problems, _set("services/postgres/healthckeck", {"test": ["CMD", "true"]})),
    "port as a mapping": (schema_problems, _set("services/airflow-apiserver/ports", {"8080": 8080})),
    "own image": (shared_image_and_env_problems, _set("services/airflow-triggerer/image", "apache/airflow:3.3.2")),
    "env not merged": (shared_image_and_env_problems, _own_env("airflow-dag-processor")),
    "no jwt secret": (shared_secret_and_connection_problems, _own_env("airflow-triggerer")),
    "different token": (
        shared_secret_and_connection_problems,
        _replace_env("airflow-scheduler", "AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT", "sim-token", "other"),
    ),
    "execution api on localhost": (
        execution_api_problems,
        _replace_env("airflow-scheduler", "AIRFLOW__CORE__EXECUTION_API_SERVER_URL", "airflow-apiserver", "localhost"),
    ),
    "execution api wrong port": (
        execution_api_problems,
        _replace_env("airflow-triggerer", "AIRFLOW__CORE__EXECUTION_API_SERVER_URL", ":8080", ":8081"),
    ),
    "api-server on all interfaces": (loopback_port_problems, _set("services/airflow-apiserver/ports", ["8080:8080"])),
    "sim on all interfaces": (loopback_port_problems, _set("services/wholesale-sim/ports", ["0.0.0.0:8123:8123"])),
    "connection on loopback": (
        connection_problems,
        _set(
            "x-airflow-common/environment/AIRFLOW_CONN_WEBEX_SETUP_ASSIST_DEFAULT",
            '{"conn_type": "http", "host": "http://127.0.0.1:8123/setup-assist/v1"}',
        ),
    ),
    "connection not JSON": (
        connection_problems,
        _set(
            "x-airflow-common/environment/AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT",
            "{'host': 'http://wholesale-sim:8123/v1'}",
        ),
    ),
    "sim on another port": (connection_problems, _set("services/wholesale-sim/command/4", "9000")),
    "sim on loopback": (connection_problems, _set("services/wholesale-sim/command/2", "127.0.0.1")),
    "sim token differs": (connection_problems, _set("services/wholesale-sim/command/6", "another-token")),
    "unknown dependency": (
        depends_on_problems,
        _set("services/airflow-scheduler/depends_on/rabbitmq", {"condition": "service_healthy"}),
    ),
    "init only started": (
        depends_on_problems,
        _set("services/airflow-apiserver/depends_on/airflow-init", {"condition": "service_started"}),
    ),
    "no init dependency": (
        depends_on_problems,
        _set("services/airflow-triggerer/depends_on", {"postgres": {"condition": "service_healthy"}}),
    ),
    "no postgres healthcheck": (healthcheck_problems, _drop("services/postgres/healthcheck")),
    "sim healthcheck elsewhere": (
        healthcheck_problems,
        _set("services/wholesale-sim/healthcheck/test", ["CMD", "curl", "http://localhost:8123/"]),
    ),
    "no api-server healthcheck": (healthcheck_problems, _drop("services/airflow-apiserver/healthcheck")),
    "pool misnamed": (init_problems, _init_script("webex_wholesale_api", "webex_api")),
    "pool without slots": (init_problems, _init_script("webex_wholesale_api 4", "webex_wholesale_api")),
    "state db not migrated": (init_problems, _init_script("wholesale-queue db upgrade", "true")),
    "state db not created": (init_problems, _init_script('os.environ["AIRFLOW_CONN_WHOLESALE_DB"]', '"x"')),
    "state db migrated first": (
        init_problems,
        _init_script("airflow db migrate\n", "wholesale-queue db upgrade\nairflow db migrate\n"),
    ),
    "local executor": (shared_image_and_env_problems, _common("AIRFLOW__CORE__EXECUTOR", "LocalExecutor")),
    "worker env not merged": (shared_image_and_env_problems, _own_env("airflow-worker")),
    "worker without the budget": (
        shared_secret_and_connection_problems,
        _env("airflow-worker", "AIRFLOW_CONN_WEBEX_WHOLESALE_BUDGET", None),
    ),
    "queue schedule on the scheduler only": (
        shared_secret_and_connection_problems,
        _env("airflow-dag-processor", "WEBEX_WHOLESALE_QUEUE_SCHEDULE", None),
    ),
    "triggerer without the state db": (
        shared_secret_and_connection_problems,
        _env("airflow-triggerer", "AIRFLOW_CONN_WHOLESALE_DB", None),
    ),
    "worker with its own api secret": (
        shared_secret_and_connection_problems,
        _env("airflow-worker", "AIRFLOW__API__SECRET_KEY", "${WORKER_SECRET:?set it}"),
    ),
    "fernet key with a default": (
        shared_secret_and_connection_problems,
        _common("AIRFLOW__CORE__FERNET_KEY", "${AIRFLOW_FERNET_KEY:-a-published-key}"),
    ),
    "no api secret key": (shared_secret_and_connection_problems, _common("AIRFLOW__API__SECRET_KEY", None)),
    "worker hard-wired to the simulator": (
        connection_problems,
        _env(
            "airflow-worker",
            "AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT",
            '{"conn_type": "webex_wholesale", "host": "http://wholesale-sim:8123/v1", "password": "sim-token"}',
        ),
    ),
    "budget on another redis": (redis_problems, _common("AIRFLOW_CONN_WEBEX_WHOLESALE_BUDGET", "redis://cache:6379/1")),
    "budget in the broker's db": (
        redis_problems,
        _common("AIRFLOW_CONN_WEBEX_WHOLESALE_BUDGET", "redis://redis:6379/0"),
    ),
    "budget with another password": (
        redis_problems,
        _common("AIRFLOW_CONN_WEBEX_WHOLESALE_BUDGET", "redis://:other@redis:6379/1"),
    ),
    "budget without a db number": (
        redis_problems,
        _common("AIRFLOW_CONN_WEBEX_WHOLESALE_BUDGET", "redis://redis:6379"),
    ),
    "result backend in redis": (redis_problems, _common("AIRFLOW__CELERY__RESULT_BACKEND", "redis://redis:6379/2")),
    "redis without healthcheck": (redis_problems, _drop("services/redis/healthcheck")),
    "state db is the metadata db": (
        state_db_problems,
        _common("AIRFLOW_CONN_WHOLESALE_DB", "postgresql://airflow:airflow@postgres:5432/airflow"),
    ),
    "state db in a container file": (state_db_problems, _common("AIRFLOW_CONN_WHOLESALE_DB", "sqlite:////tmp/w.db")),
    "worker before the api-server": (
        depends_on_problems,
        _drop("services/airflow-worker/depends_on/airflow-apiserver"),
    ),
    "simulator required": (
        depends_on_problems,
        _set("services/airflow-triggerer/depends_on/wholesale-sim/required", True),
    ),
    "no worker healthcheck": (healthcheck_problems, _drop("services/airflow-worker/healthcheck")),
    "no flower healthcheck": (healthcheck_problems, _drop("services/flower/healthcheck")),
    "scheduler health server off": (healthcheck_problems, _common("AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK", "False")),
    "worker pings another node": (
        healthcheck_problems,
        _set("services/airflow-worker/healthcheck/test", ["CMD-SHELL", "celery inspect ping"]),
    ),
    "worker container name": (worker_and_profile_problems, _set("services/airflow-worker/container_name", "worker")),
    "worker published port": (
        worker_and_profile_problems,
        _set("services/airflow-worker/ports", ["127.0.0.1:8793:8793"]),
    ),
    "worker setsid": (worker_and_profile_problems, _env("airflow-worker", "DUMB_INIT_SETSID", "1")),
    "simulator always on": (worker_and_profile_problems, _drop("services/wholesale-sim/profiles")),
    "worker is a scheduler": (worker_and_profile_problems, _set("services/airflow-worker/command", "scheduler")),
    "undeclared volume": (volume_problems, _drop("volumes/sim-data")),
    "volume dir not chowned": (
        volume_problems,
        _set("services/airflow-apiserver/volumes", ["airflow-auth:/opt/airflow/secrets"]),
    ),
    "sim state not persisted": (volume_problems, _drop("services/wholesale-sim/volumes")),
}


@pytest.mark.parametrize("bug", BROKEN_FILES)
def test_each_check_fails_on_a_broken_compose_file(bug):
    check, mutate = BROKEN_FILES[bug]
    broken = copy.deepcopy(load_compose())
    mutate(broken)
    assert check(broken) != [], f"{check.__name__} did not notice: {bug}"


BROKEN_TEXTS = {
    "secret not required": lambda: env_docs_problems(readme=README.replace("AIRFLOW_JWT_SECRET", "JWT")),
    "real api not documented": lambda: env_docs_problems(readme=README.replace("WEBEX_API_URL=https://", "URL=")),
    "secret in .env.example": lambda: env_docs_problems(
        env_example=ENV_EXAMPLE.replace("AIRFLOW_FERNET_KEY=\n", "AIRFLOW_FERNET_KEY=abc\n")
    ),
    "secret missing from .env.example": lambda: env_docs_problems(
        env_example=ENV_EXAMPLE.replace("AIRFLOW_API_SECRET_KEY=\n", "")
    ),
    ".env not ignored": lambda: env_docs_problems(gitignore=GITIGNORE.replace(".env\n", "")),
    "other airflow version": lambda: dockerfile_problems(
        dockerfile=DOCKERFILE.replace("airflow:3.3.2-", "airflow:3.2.0-")
    ),
    "include not copied": lambda: dockerfile_problems(
        dockerfile=DOCKERFILE.replace("COPY --chown=airflow:0 include/ include/\n", "")
    ),
    "no pip check": lambda: dockerfile_problems(dockerfile=DOCKERFILE.replace("RUN pip check\n", "")),
    "pip as root": lambda: dockerfile_problems(dockerfile=DOCKERFILE.replace("USER airflow\n", "")),
    "venv in the context": lambda: dockerfile_problems(dockerignore=DOCKERIGNORE.replace(".venv\n", "")),
    "dags ignored": lambda: dockerfile_problems(dockerignore=DOCKERIGNORE + "dags\n"),
}


@pytest.mark.parametrize("bug", BROKEN_TEXTS)
def test_each_text_check_fails_on_a_broken_file(bug):
    assert BROKEN_TEXTS[bug]() != [], bug
