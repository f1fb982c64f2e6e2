"""docker-compose.yml, the Dockerfile and deploy/nginx.conf agree with the project and with each other.

No Docker needed: the files are parsed and every command a container runs is resolved against the code.
"""

import fnmatch
import importlib
import re
from urllib.parse import urlsplit

import click
import pytest
from celery import Celery
from celery.app.utils import find_app
from celery.bin.celery import celery as celery_cli
from daphne.cli import CommandLineInterface
from django.conf import settings
from django.core.management import CommandError, get_commands, load_command_class
from kombu.utils.imports import symbol_by_name

from .composefile import (
    COMPOSE_FILE,
    CONTAINER_WORKDIR,
    ENV_EXAMPLE,
    ROOT,
    MissingVariableError,
    app_services,
    commands_of,
    environment_of,
    example_variables,
    interpolated_compose,
    load_nginx,
    mounts_of,
    nginx_location,
    proxy_headers,
    settings_variables,
    volume_mounted_at,
)

# What the official images of the infrastructure services read from their environment.
IMAGE_VARIABLES = {
    "postgres": {
        "POSTGRES_DB",
        "POSTGRES_USER",
        "POSTGRES_PASSWORD",
        "POSTGRES_INITDB_ARGS",
        "POSTGRES_INITDB_WALDIR",
        "POSTGRES_HOST_AUTH_METHOD",
        "PGDATA",
    },
    "redis": set(),
    "nginx": {"NGINX_ENTRYPOINT_QUIET_LOGS", "NGINX_ENVSUBST_TEMPLATE_DIR", "NGINX_ENVSUBST_OUTPUT_DIR"},
}


@pytest.fixture(scope="module")
def compose():
    return interpolated_compose()


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


@pytest.fixture(scope="module")
def nginx():
    return load_nginx()


def argvs(service, program):
    return [argv for argv in commands_of(service) if argv[0] == program]


def daphne_args(services):
    (argv,) = argvs(services["web"], "daphne")
    return CommandLineInterface().parser.parse_args(argv[1:])


def image_name(service):
    return service["image"].rsplit("/", 1)[-1].split(":")[0]


# --- (b) environment -------------------------------------------------------------------------------------------
def test_settings_source_is_parsed():
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"} <= settings_variables()


def test_app_services_set_only_variables_the_settings_read(services):
    read = settings_variables()
    unknown = {name: sorted(set(environment_of(service)) - read) for name, service in app_services(services).items()}
    assert unknown == {name: [] for name in unknown}


def test_infrastructure_services_set_only_variables_their_image_reads(services):
    for name, service in services.items():
        if "build" in service:
            continue
        image = image_name(service)
        assert image in IMAGE_VARIABLES, f"{name}: unknown image {service['image']}"
        assert set(environment_of(service)) <= IMAGE_VARIABLES[image], name


def test_app_services_share_the_production_environment(services):
    for name, service in app_services(services).items():
        environment = environment_of(service)
        assert environment["DEBUG"] == "false", name
        assert environment["STATICFILES_BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
        assert environment["WHITENOISE_USE_FINDERS"] == "false"
        assert environment["BEHIND_PROXY"] == "true"
        assert environment["REDIS_URL"].startswith("redis://")
        assert environment["CELERY_BROKER_URL"].startswith("redis://")


@pytest.mark.parametrize("secret", ["SECRET_KEY", "POSTGRES_PASSWORD"])
def test_secrets_have_no_default(secret):
    variables = example_variables()
    del variables[secret]
    with pytest.raises(MissingVariableError, match=secret):
        interpolated_compose(variables)


def test_env_example_lists_only_variables_the_compose_file_uses():
    used = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", COMPOSE_FILE.read_text()))
    documented = set(example_variables()) | set(re.findall(r"^# ([A-Z_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE))
    assert documented <= used
    assert used <= documented, "every ${VARIABLE} of docker-compose.yml is documented in deploy/env.example"


def test_urls_point_to_the_compose_services(services):
    postgres = environment_of(services["postgres"])
    for name, service in app_services(services).items():
        environment = environment_of(service)
        database = urlsplit(environment["DATABASE_URL"])
        assert database.scheme in {"postgres", "postgresql"}, name
        assert (database.hostname, database.port) == ("postgres", 5432)
        assert database.username == postgres["POSTGRES_USER"]
        assert database.password == postgres["POSTGRES_PASSWORD"]
        assert database.path == f"/{postgres['POSTGRES_DB']}"
        for variable in ("REDIS_URL", "CELERY_BROKER_URL"):
            redis = urlsplit(environment[variable])
            assert (redis.hostname, redis.port or 6379) == ("redis", 6379), f"{name} {variable}"


# --- (a) commands refer to things that exist -------------------------------------------------------------------
def test_app_containers_run_only_known_programs(services):
    for name, service in app_services(services).items():
        programs = {argv[0] for argv in commands_of(service)}
        assert programs, f"{name} runs the image's default command: say what it runs"
        assert programs <= {"daphne", "celery", "python"}, name


def test_web_serves_the_asgi_application(services, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path  # WhiteNoise warns about a missing folder when the application is built
    args = daphne_args(services)
    module_name, _, attribute = args.application.partition(":")
    application = getattr(importlib.import_module(module_name), attribute)
    assert callable(application)
    assert f"{module_name}.{attribute}" == settings.ASGI_APPLICATION
    assert args.host == "0.0.0.0"  # noqa: S104 - inside its container, reached from nginx's


def celery_options(command: click.Command) -> dict[str, click.Option]:
    return {
        name: param
        for param in command.params
        if isinstance(param, click.Option)
        for name in (*param.opts, *param.secondary_opts)
    }


def parse_click(command: click.Command, tokens: list[str]) -> tuple[dict[str, str], list[str]]:
    """Options (name -> value) and positional arguments of `tokens` for a click command; unknown options fail.
    For a group, parsing stops at the sub-command, which is returned first among the positionals."""
    options, known, positionals = {}, celery_options(command), []
    tokens = list(tokens)
    while tokens:
        token = tokens.pop(0)
        if not token.startswith("-"):
            positionals.append(token)
            if isinstance(command, click.Group):
                return options, positionals + tokens
            continue
        name, has_value, value = token.partition("=")
        assert name in known, f"{command.name}: unknown option {name}"
        if not has_value and not (known[name].is_flag or known[name].count):
            value = tokens.pop(0)
        options[name] = value
    return options, positionals


def celery_commands(services):
    return [
        (name, argv) for name, service in services.items() if "build" in service for argv in argvs(service, "celery")
    ]


def test_celery_commands_use_the_project_app_and_existing_options(services):
    from backend.celery import app as project_app

    subcommands = set()
    for name, argv in celery_commands(services):
        options, rest = parse_click(celery_cli, argv[1:])
        app_name = options.get("-A") or options.get("--app")
        assert app_name, f"{name}: celery without -A"
        app = find_app(app_name)
        assert isinstance(app, Celery)
        assert app is project_app
        subcommand, *tail = rest
        assert subcommand in celery_cli.commands, f"{name}: celery {subcommand}"
        sub_options, positionals = parse_click(celery_cli.commands[subcommand], tail)
        if subcommand == "beat":
            scheduler = sub_options.get("--scheduler") or sub_options.get("-S") or settings.CELERY_BEAT_SCHEDULER
            assert symbol_by_name(scheduler).__name__ == "DatabaseScheduler"
        if subcommand == "inspect":
            assert hasattr(app.control.inspect(), positionals[0])
        subcommands.add((name, subcommand))
    assert {("worker", "worker"), ("beat", "beat")} <= subcommands
    assert settings.CELERY_TASK_ACKS_LATE


def manage_py_commands(services):
    for name, service in services.items():
        if "build" not in service:
            continue
        for argv in argvs(service, "python"):
            if argv[1:2] == ["manage.py"]:
                yield name, argv[2], argv[3:]


def test_manage_py_commands_exist_with_their_options(services):
    commands = get_commands()
    for name, subcommand, arguments in manage_py_commands(services):
        assert subcommand in commands, f"{name}: `manage.py {subcommand}` does not exist"
        parser = load_command_class(commands[subcommand], subcommand).create_parser("manage.py", subcommand)
        try:
            parser.parse_args(arguments)
        except CommandError as error:
            pytest.fail(f"{name}: manage.py {subcommand} {' '.join(arguments)}: {error}")


def test_setup_service_prepares_everything_before_the_app_starts(services):
    steps = [subcommand for name, subcommand, _ in manage_py_commands(services) if name == "migrate"]
    assert steps == [
        "migrate",
        "collectstatic",
        "import_communes",
        "import_school_holidays",
        "sync_periodic_tasks",
    ]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends_on["postgres"] == {"condition": "service_healthy"}, name
        assert depends_on["redis"] == {"condition": "service_healthy"}, name
    assert services["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    for name in ("postgres", "redis", "web", "nginx"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


def test_files_the_containers_need_exist(services):
    for name, service in services.items():
        if "build" in service:
            build = service["build"]
            context = ROOT / build["context"]
            assert (context / build.get("dockerfile", "Dockerfile")).is_file(), name
            for argv in argvs(service, "python"):
                script = argv[1].removeprefix(f"{CONTAINER_WORKDIR}/")
                assert (ROOT / script).is_file(), f"{name}: {script}"
        for mount in mounts_of(service):
            if mount.is_bind:
                assert (ROOT / mount.source).exists(), f"{name}: {mount.source}"


def dockerfile_lines():
    return [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]


def test_dockerfile_builds_a_non_root_python_311_image():
    lines = dockerfile_lines()
    froms = [line.split()[1] for line in lines if line.startswith("FROM ")]
    assert froms[0] == "python:3.11-slim"
    assert f"WORKDIR {CONTAINER_WORKDIR}" in lines
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users, "the image runs as root"
    assert users[-1] not in {"root", "0"}
    assert re.search(r"pip install [^\n]*--editable \.", (ROOT / "Dockerfile").read_text()), "the project is installed"


def test_static_files_baked_in_the_image_are_the_ones_the_app_is_configured_for(services):
    """The web processes read the manifest collected at build time: same place, same storage."""
    text = (ROOT / "Dockerfile").read_text()
    baked = dict(re.findall(r"\b(STATIC_ROOT|STATICFILES_BACKEND)=(\S+)", text))
    environment = environment_of(services["web"])
    assert baked == {key: environment[key] for key in baked}
    assert set(baked) == {"STATIC_ROOT", "STATICFILES_BACKEND"}
    assert "collectstatic --noinput" in text


def dockerignore_patterns():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert not any(pattern.startswith("!") for pattern in patterns), "exceptions are not handled by this test"
    return [pattern.removeprefix("**/").rstrip("/") for pattern in patterns]


def ignored(path: str, patterns: list[str]) -> bool:
    parts = path.split("/")
    prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    return any(fnmatch.fnmatch(candidate, pattern) for pattern in patterns for candidate in [*prefixes, parts[-1]])


def test_dockerignore_keeps_the_code_and_drops_local_state():
    patterns = dockerignore_patterns()
    needed = [
        "pyproject.toml",
        "manage.py",
        "backend/settings.py",
        "realtime/routing.py",
        "scheduling/__init__.py",
        "media/__init__.py",
        "templates/base.html",
        "locale/en/LC_MESSAGES/django.po",
        "deploy/healthcheck.py",
    ]
    assert [path for path in needed if ignored(path, patterns)] == []
    assert all(ignored(path, patterns) for path in [".env", ".git/config", ".venv/bin/python", "var/x.sqlite3"])


# --- (c) replicas behind nginx, WebSockets --------------------------------------------------------------------
def test_web_can_run_as_several_replicas(services):
    web = services["web"]
    assert "ports" not in web, "a fixed host port forbids a second replica"
    assert "container_name" not in web
    assert web["deploy"]["replicas"] >= 2
    assert services["beat"]["deploy"]["replicas"] == 1, "two beats would send each periodic task twice"
    assert "ports" in services["nginx"]
    assert set(web["networks"]) & set(services["nginx"]["networks"]), "nginx cannot reach web"
    assert not set(services["nginx"]["networks"]) & set(services["postgres"]["networks"]), "nginx sees the database"


def test_nginx_proxies_http_and_websockets_to_web(services, nginx):
    args = daphne_args(services)
    upstreams = {upstream.args[0]: upstream for upstream in nginx.find("upstream")}
    root, websockets = nginx_location(nginx, "/"), nginx_location(nginx, "/ws/")
    for location in (root, websockets):
        (proxy_pass,) = location.find("proxy_pass")
        upstream = upstreams[proxy_pass.args[0].removeprefix("http://")]
        assert [server.args[0] for server in upstream.find("server")] == [f"web:{args.port}"]
        headers = proxy_headers(location)
        assert headers["host"] == "$host"
        assert headers["x-forwarded-proto"].startswith("$")
        # daphne takes the client address from this header, which nginx overwrites.
        assert headers[args.proxy_headers_host.lower()] == "$remote_addr"
    # The service name resolves to every replica; `resolve` follows `--scale` without a reload.
    (server,) = upstreams[websockets.first("proxy_pass").args[0].removeprefix("http://")].find("server")
    assert "resolve" in server.args
    assert nginx.find("resolver")

    assert websockets.first("proxy_http_version").args == ["1.1"]
    headers = proxy_headers(websockets)
    assert headers["upgrade"] == "$http_upgrade"
    connection = headers["connection"]
    if connection.startswith("$"):
        (mapping,) = [m for m in nginx.find("map") if m.args == ["$http_upgrade", connection]]
        assert mapping.first("default").args == ["upgrade"]
    else:
        assert connection.lower() == "upgrade"


# --- (d) static and media served by nginx from the compose volumes ---------------------------------------------
def alias_of(location):
    (alias,) = location.find("alias")
    return alias.args[0]


def test_nginx_serves_collected_static_files_from_the_shared_volume(services, nginx):
    static_dir = alias_of(nginx_location(nginx, "/static/"))
    mount = volume_mounted_at(services["nginx"], static_dir)
    assert mount, f"nginx serves /static/ from {static_dir}, which no volume provides"
    assert not mount.is_bind
    assert mount.read_only
    setup = services["migrate"]
    written = volume_mounted_at(setup, environment_of(setup)["STATIC_ROOT"])
    assert written, "collectstatic does not write into a volume"
    assert written.source == mount.source
    assert not written.read_only
    assert settings.STATIC_URL == "/static/"


def test_nginx_serves_uploaded_files_from_the_media_volume(services, nginx):
    media_dir = alias_of(nginx_location(nginx, "/media/"))
    mount = volume_mounted_at(services["nginx"], media_dir)
    assert mount, f"nginx serves /media/ from {media_dir}, which no volume provides"
    assert not mount.is_bind
    assert mount.read_only
    for name in ("web", "worker"):
        written = volume_mounted_at(services[name], environment_of(services[name])["MEDIA_ROOT"])
        assert written, f"{name} does not write uploads into a volume"
        assert written.source == mount.source
        assert not written.read_only
    assert settings.MEDIA_URL == "/media/"


def test_protected_media_is_only_reachable_through_x_accel_redirect(nginx):
    media_dir = alias_of(nginx_location(nginx, "/media/")).rstrip("/")
    protected = nginx_location(nginx, "/protected-media/")
    assert protected.find("internal")
    assert alias_of(protected).startswith(media_dir)
    # Files stored under MEDIA_ROOT/protected/ are never served by the public location.
    assert nginx_location(nginx, "/media/protected/").first("return").args == ["404"]
