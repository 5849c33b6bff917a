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
README = (ROOT / "README.md").read_text()
SCHEMA = json.loads((HERE / "compose-spec.schema.json").read_text())

AIRFLOW_SERVICES = (
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
)
# Where tasks, triggers, DAG parsing and the Execution API run: all must see the same secret and connections.
RUNTIME_SERVICES = ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer")
SHARED_ENV = (
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT",
    "AIRFLOW_CONN_WEBEX_SETUP_ASSIST_DEFAULT",
)
# Values for the variables the file requires with ${VAR:?...}; everything else takes the file's defaults.
REQUIRED_ENV = {"AIRFLOW_JWT_SECRET": "test-jwt-secret", "AIRFLOW_FERNET_KEY": "test-fernet-key"}

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


def resolved(compose: dict) -> dict:
    return interpolate(compose, dict(REQUIRED_ENV))


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
    if common_env.get("AIRFLOW__CORE__EXECUTOR") != "LocalExecutor":
        problems.append("the common executor is not LocalExecutor")
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
    jwt = environment(compose["x-airflow-common"]).get("AIRFLOW__API_AUTH__JWT_SECRET", "")
    if not re.fullmatch(r"\$\{[A-Za-z_][A-Za-z0-9_]*(:?\?[^}]*|:-[^}]+)\}", jwt):
        problems.append(f"the JWT secret {jwt!r} is neither a required variable nor one with a default")
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


def connection_problems(compose: dict) -> Problems:
    compose = resolved(compose)
    sim = compose["services"]["wholesale-sim"]
    sim_port, sim_token = command_option(sim, "--port"), command_option(sim, "--token")
    env = environment(compose["x-airflow-common"])
    expected = {
        "AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT": ("webex_wholesale", "/v1"),
        "AIRFLOW_CONN_WEBEX_SETUP_ASSIST_DEFAULT": ("http", "/setup-assist/v1"),
    }
    problems, conns = [], {}
    for key, (conn_type, path) in expected.items():
        try:
            conn = conns[key] = json.loads(env.get(key, ""))
        except json.JSONDecodeError as exc:
            problems.append(f"{key} is not JSON: {exc}")
            continue
        url = urlsplit(conn.get("host", ""))
        if conn.get("conn_type") != conn_type:
            problems.append(f"{key}: conn_type {conn.get('conn_type')!r}, expected {conn_type!r}")
        if (url.scheme, url.hostname, str(url.port), url.path) != ("http", "wholesale-sim", sim_port, path):
            problems.append(f"{key}: host {conn.get('host')!r} is not http://wholesale-sim:{sim_port}{path}")
    if conns.get("AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT", {}).get("password") != sim_token:
        problems.append("the Wholesale connection's token is not the token the simulator accepts")
    if command_option(sim, "--host") != "0.0.0.0":  # noqa: S104 - inside the compose network, published on loopback
        problems.append("the simulator listens on loopback only: other containers cannot reach it")
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
    for name in RUNTIME_SERVICES:
        if "airflow-init" not in (services[name].get("depends_on") or {}):
            problems.append(f"{name}: may start before airflow-init has migrated the DB")
    return problems


def healthcheck_problems(compose: dict) -> Problems:
    services = resolved(compose)["services"]
    sim_port = command_option(services["wholesale-sim"], "--port")
    expected = {
        "postgres": "pg_isready",
        "wholesale-sim": f"http://localhost:{sim_port}/_sim/state",
        "airflow-apiserver": "http://localhost:8080/api/v2/monitor/health",
    }
    return [
        f"{name}: healthcheck does not run {needle!r}"
        for name, needle in expected.items()
        if needle not in healthcheck_text(services[name])
    ]


def init_problems(compose: dict) -> Problems:
    init = compose["services"]["airflow-init"]
    script = " ".join(init["command"]) if isinstance(init["command"], list) else init["command"]
    problems = []
    if "airflow db migrate" not in script:
        problems.append("airflow-init does not migrate the DB")
    pool = re.search(r"airflow pools set (\S+) (\d+)", script)
    if pool is None or pool[1] != "webex_wholesale_api":
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


def env_docs_problems(compose_text: str = COMPOSE_TEXT, readme: str = README) -> Problems:
    section = readme.split("## Running with Docker Compose", 1)[-1].split("\n## ", 1)[0]
    problems = [
        f"required variable {name} is not explained in README's Docker Compose section"
        for name in sorted(required_variables(compose_text))
        if name not in section
    ]
    overrides = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    if not overrides:
        return [*problems, "README's Docker Compose section has no override example"]
    override = yaml.safe_load(overrides[0])
    services = load_compose(compose_text)["services"]
    for name, service in override["services"].items():
        if name not in services:
            problems.append(f"README override names {name!r}, which is not a service")
        host = json.loads(environment(service).get("AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT", "{}"))
        if host.get("host") != "https://webexapis.com/v1":
            problems.append(f"README override of {name} does not point at https://webexapis.com/v1")
    problems += [f"README override misses {n}" for n in RUNTIME_SERVICES if n not in override["services"]]
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


def test_jwt_secret_and_connections_reach_every_runtime_component(compose):
    assert shared_secret_and_connection_problems(compose) == []


def test_execution_api_url_points_at_the_api_server(compose):
    assert execution_api_problems(compose) == []


def test_published_ports_are_loopback_only(compose):
    assert loopback_port_problems(compose) == []


def test_connections_point_at_the_simulator_service(compose):
    assert connection_problems(compose) == []


def test_depends_on_names_existing_services_with_conditions(compose):
    assert depends_on_problems(compose) == []


def test_postgres_simulator_and_api_server_have_healthchecks(compose):
    assert healthcheck_problems(compose) == []


def test_airflow_init_creates_the_api_pool_and_the_batches_variable(compose):
    assert init_problems(compose) == []


def test_volumes_are_declared_and_writable_by_airflow(compose):
    assert volume_problems(compose) == []


def test_required_variables_and_real_api_override_are_documented():
    assert env_docs_problems() == []


def test_dockerfile_builds_the_project_on_the_pinned_airflow_image():
    assert dockerfile_problems() == []


def test_required_secrets_are_enforced_by_compose(compose):
    assert {"AIRFLOW_JWT_SECRET", "AIRFLOW_FERNET_KEY"} <= required_variables(COMPOSE_TEXT)
    with pytest.raises(KeyError, match="AIRFLOW_JWT_SECRET"):
        interpolate(compose, {"AIRFLOW_FERNET_KEY": "set"})


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
        _set("services/airflow-scheduler/depends_on/redis", {"condition": "service_healthy"}),
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
    "pool misnamed": (
        init_problems,
        lambda c: c["services"]["airflow-init"]["command"].__setitem__(
            2, c["services"]["airflow-init"]["command"][2].replace("webex_wholesale_api", "webex_api")
        ),
    ),
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
    "override misses the triggerer": lambda: env_docs_problems(
        readme=README.replace("  airflow-triggerer: *webex-real-api\n", "")
    ),
    "other airflow version": lambda: dockerfile_problems(
        dockerfile=DOCKERFILE.replace("airflow:3.3.2-", "airflow:3.2.0-")
    ),
    "include not copied": lambda: dockerfile_problems(
        dockerfile=DOCKERFILE.replace("COPY --chown=airflow:0 include/ include/\n", "")
    ),
    "pip as root": lambda: dockerfile_problems(dockerfile=DOCKERFILE.replace("USER airflow\n", "")),
    "venv in the context": lambda: dockerfile_problems(dockerignore=DOCKERIGNORE.replace(".venv\n", "")),
    "dags ignored": lambda: dockerfile_problems(dockerignore=DOCKERIGNORE + "dags\n"),
}


@pytest.mark.parametrize("bug", BROKEN_TEXTS)
def test_each_text_check_fails_on_a_broken_file(bug):
    assert BROKEN_TEXTS[bug]() != [], bug
