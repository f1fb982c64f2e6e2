"""What the PostgreSQL benchmarks share: they run in the harness's database when it is PostgreSQL, else in a child
process on their own database (created and migrated when missing), so that `make bench` on the embedded mode
still measures them on PostgreSQL."""

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent


def database_url_of(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


def run(module: str, measure: Callable[[str], dict], *, url_variable: str, default_url: str) -> dict:
    """Called by `python -m bench`: `measure(database_url)` here if the harness is on PostgreSQL, else `python -m
    <module>` in a child process on the database of `url_variable` (or `default_url`)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return measure(database_url_of(connection.settings_dict))
    database_url = os.environ.get(url_variable, default_url)
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "figures.json"
        env = {**os.environ, "DATABASE_URL": database_url}
        completed = subprocess.run(  # noqa: S603 - our interpreter, one of our modules
            [sys.executable, "-m", module, str(output)], cwd=ROOT, env=env, check=False, timeout=3600
        )
        if completed.returncode != 0 or not output.exists():
            return {"skipped": f"PostgreSQL benchmark failed or unavailable at {database_url} (see above)"}
        return json.loads(output.read_text())


def _prepare_database(database_url: str) -> None:
    """Create the database if missing (connecting to the server's "postgres" database), then migrate."""
    import environ
    import psycopg

    config = environ.Env.db_url_config(database_url)
    with psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    ) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone() is None:
            admin.execute(f'CREATE DATABASE "{config["NAME"]}"')
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def main(argv: list[str], measure: Callable[[str], dict], *, name: str, default_url: str) -> int:
    """The child process: set Django up on DATABASE_URL (or `default_url`), measure, write the figures to argv[0]
    (or print them)."""
    sys.path.insert(0, str(ROOT))
    database_url = os.environ.get("DATABASE_URL") or default_url
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print(f"The {name} benchmark needs PostgreSQL (DATABASE_URL=postgres://…).", file=sys.stderr)
        return 2
    try:
        _prepare_database(database_url)
    except Exception as error:  # no server: say so, and let the other benchmarks run
        print(f"PostgreSQL unavailable at {database_url}: {error}", file=sys.stderr)
        return 2
    figures = measure(database_url)
    text = json.dumps(figures, indent=2, ensure_ascii=False)
    if argv:
        Path(argv[0]).write_text(text)
    else:
        print(text)
    return 0
