"""Reading docker-compose.yml, deploy/nginx.conf and backend/settings.py the way the tools that run them do.

Only what the deployment tests need: compose's ${...} interpolation, a small nginx config parser, the list of
environment variables the settings read, and the command lines each container runs.
"""

import ast
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
ENV_EXAMPLE = ROOT / "deploy" / "env.example"
SETTINGS_FILE = ROOT / "backend" / "settings.py"
CONTAINER_WORKDIR = "/app"  # WORKDIR of the Dockerfile: relative paths in commands start there

NAME = r"[A-Za-z_][A-Za-z0-9_]*"


# --- Environment variables -----------------------------------------------------------------------------------
def settings_variables() -> set[str]:
    """Names passed as first argument to `env(...)` or `env.<type>(...)` in backend/settings.py."""
    names = set()
    for node in ast.walk(ast.parse(SETTINGS_FILE.read_text(), filename=str(SETTINGS_FILE))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        called_on_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "env"
        )
        first = node.args[0]
        if called_on_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=value lines of an env file such as deploy/env.example (comments and blank lines skipped)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


# --- Compose interpolation -------------------------------------------------------------------------------------
class MissingVariableError(KeyError):
    """A ${NAME:?message} or ${NAME?message} whose variable is missing: docker compose refuses to start."""


def interpolate(text: str, variables: dict[str, str]) -> str:
    """Compose's substitution: $$, $NAME, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?err},
    ${NAME?err}, ${NAME:+alt}, ${NAME+alt}; defaults may themselves hold ${...}."""
    out, i = [], 0
    while i < len(text):
        if text[i] != "$":
            out.append(text[i])
            i += 1
        elif text.startswith("$$", i):
            out.append("$")
            i += 2
        elif text.startswith("${", i):
            depth, j = 1, i + 2
            while j < len(text) and depth:
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                j += 1
            if depth:
                raise ValueError(f"unclosed ${{ in {text!r}")
            out.append(_expand(text[i + 2 : j - 1], variables))
            i = j
        elif match := re.match(NAME, text[i + 1 :]):
            out.append(variables.get(match.group(), ""))
            i += 1 + match.end()
        else:
            out.append("$")
            i += 1
    return "".join(out)


def _expand(expression: str, variables: dict[str, str]) -> str:
    match = re.fullmatch(rf"({NAME})(?:(:?[-?+])(.*))?", expression, re.DOTALL)
    if not match:
        raise ValueError(f"invalid substitution ${{{expression}}}")
    name, operator, argument = match.groups()
    is_set = name in variables
    value = variables.get(name, "")
    if operator is None:
        return value
    present = bool(value) if operator.startswith(":") else is_set
    if operator.endswith("-"):
        return value if present else interpolate(argument, variables)
    if operator.endswith("+"):
        return interpolate(argument, variables) if present else ""
    if not present:
        raise MissingVariableError(f"{name}: {argument}")
    return value


def interpolate_tree(node, variables: dict[str, str]):
    """Interpolate every string value of a parsed compose document (keys are left as they are)."""
    if isinstance(node, dict):
        return {key: interpolate_tree(value, variables) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate_tree(value, variables) for value in node]
    if isinstance(node, str):
        return interpolate(node, variables)
    return node


def load_compose() -> dict:
    """docker-compose.yml with its YAML anchors and merge keys resolved, not interpolated."""
    return yaml.safe_load(COMPOSE_FILE.read_text())


def example_variables() -> dict[str, str]:
    """The values an operator puts in .env, as documented by deploy/env.example."""
    return read_dotenv(ENV_EXAMPLE)


def interpolated_compose(variables: dict[str, str] | None = None) -> dict:
    return interpolate_tree(load_compose(), example_variables() if variables is None else variables)


def environment_of(service: dict) -> dict[str, str]:
    """A service's environment as a mapping (compose accepts a mapping or a list of NAME=value)."""
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.partition("=")[::2] for item in environment)
    return {key: "" if value is None else str(value) for key, value in environment.items()}


def app_services(services: dict[str, dict]) -> dict[str, dict]:
    """The services built from our Dockerfile, i.e. the ones that run the Django project."""
    return {name: service for name, service in services.items() if "build" in service}


# --- Volumes ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Mount:
    source: str
    target: str
    read_only: bool

    @property
    def is_bind(self) -> bool:
        return self.source.startswith((".", "/", "~"))


def mounts_of(service: dict) -> list[Mount]:
    mounts = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            mounts.append(Mount(volume["source"], volume["target"], bool(volume.get("read_only"))))
        else:
            source, target, *options = volume.split(":")
            mounts.append(Mount(source, target, "ro" in ",".join(options).split(",")))
    return mounts


def volume_mounted_at(service: dict, directory: str) -> Mount | None:
    directory = directory.rstrip("/")
    return next((mount for mount in mounts_of(service) if mount.target.rstrip("/") == directory), None)


# --- Command lines ---------------------------------------------------------------------------------------------
SHELLS = {"sh", "bash"}
SHELL_SEPARATORS = re.compile(r"&&|\|\||;|\n")


def split_shell(script: str) -> list[list[str]]:
    """The simple commands of a shell script made of commands joined by &&, || or ;."""
    return [shlex.split(part) for part in SHELL_SEPARATORS.split(script) if part.strip()]


def argv_list(value) -> list[list[str]]:
    """The programs a compose `command`/`entrypoint` runs, shell scripts split into their commands."""
    if not value:
        return []
    argv = shlex.split(value) if isinstance(value, str) else [str(part) for part in value]
    if argv[0] in SHELLS:
        script = argv[argv.index("-c") + 1] if "-c" in argv else ""
        return split_shell(script)
    return [argv]


def healthcheck_argv_list(service: dict) -> list[list[str]]:
    test = (service.get("healthcheck") or {}).get("test")
    if not test or test == ["NONE"]:
        return []
    if isinstance(test, str):
        return split_shell(test)
    kind, *rest = test
    if kind == "CMD-SHELL":
        return split_shell(" ".join(rest))
    return [rest]


def commands_of(service: dict) -> list[list[str]]:
    return [
        *argv_list(service.get("entrypoint")),
        *argv_list(service.get("command")),
        *healthcheck_argv_list(service),
    ]


# --- nginx -----------------------------------------------------------------------------------------------------
@dataclass
class Directive:
    name: str
    args: list[str]
    children: list["Directive"] = field(default_factory=list)

    def find(self, name: str) -> list["Directive"]:
        return [child for child in self.children if child.name == name]

    def first(self, name: str) -> "Directive | None":
        found = self.find(name)
        return found[0] if found else None

    def walk(self):
        for child in self.children:
            yield child
            yield from child.walk()


NGINX_TOKEN = re.compile(r"""#[^\n]*|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|[{};]|[^\s{};"'#]+""")


def parse_nginx(text: str) -> Directive:
    """nginx configuration as a tree of directives; quoted arguments are unquoted."""
    root = Directive("<root>", [])
    stack, words = [root], []
    for token in NGINX_TOKEN.findall(text):
        if token.startswith("#"):
            continue
        if token in {";", "{"}:
            if not words:
                raise ValueError(f"nginx: {token!r} without a directive")
            directive = Directive(words[0], words[1:])
            stack[-1].children.append(directive)
            if token == "{":
                stack.append(directive)
            words = []
        elif token == "}":
            if words or len(stack) == 1:
                raise ValueError("nginx: unexpected '}'")
            stack.pop()
        else:
            words.append(token[1:-1] if token[0] in "\"'" else token)
    if words or len(stack) != 1:
        raise ValueError("nginx: unterminated directive or block")
    return root


def load_nginx() -> Directive:
    return parse_nginx(NGINX_CONF.read_text())


def nginx_location(config: Directive, prefix: str) -> Directive:
    for server in config.find("server"):
        for location in server.find("location"):
            if location.args == [prefix]:
                return location
    raise AssertionError(f"deploy/nginx.conf has no `location {prefix}`")


def proxy_headers(location: Directive) -> dict[str, str]:
    return {d.args[0].lower(): d.args[1] for d in location.find("proxy_set_header")}
