"""Run the benchmarks: `python -m bench [name ...]` from the repository root (`make bench`).

Each module of this folder that defines `run() -> dict` is a benchmark. They run one after the other against a
throw-away database (an in-memory SQLite one by default, or `test_<name>` next to the database that DATABASE_URL
names), print their figures as a table and each writes them to `bench/results/<module>.json` (git-ignored).
Benchmarks print figures; they are not tests and assert nothing.
"""

import importlib
import json
import os
import pkgutil
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"


def discover() -> list[str]:
    names = []
    for module in pkgutil.iter_modules([str(BENCH_DIR)]):
        if module.name.startswith("_"):
            continue
        if callable(getattr(importlib.import_module(f"bench.{module.name}"), "run", None)):
            names.append(module.name)
    return sorted(names)


def print_table(results: dict[str, dict]):
    rows = [(name, key, value) for name, figures in results.items() for key, value in figures.items()]
    widths = [max(len(str(row[column])) for row in [("benchmark", "figure", "value"), *rows]) for column in range(3)]
    line = "  ".join(f"{{:<{width}}}" for width in widths)
    print(line.format("benchmark", "figure", "value"))
    print(line.format(*("-" * width for width in widths)))
    for name, key, value in rows:
        print(line.format(name, key, f"{value:.2f}" if isinstance(value, float) else str(value)))


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(BENCH_DIR.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    from django.test.utils import (
        setup_databases,
        setup_test_environment,
        teardown_databases,
        teardown_test_environment,
    )

    names = argv or discover()
    unknown = [name for name in names if not (BENCH_DIR / f"{name}.py").exists()]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(discover())}", file=sys.stderr)
        return 2
    RESULTS_DIR.mkdir(exist_ok=True)

    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    results = {}
    try:
        for name in names:
            print(f"running {name}…", file=sys.stderr, flush=True)
            started = time.monotonic()
            figures = importlib.import_module(f"bench.{name}").run()
            figures["bench_seconds"] = round(time.monotonic() - started, 2)
            (RESULTS_DIR / f"{name}.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
            results[name] = figures
    finally:
        teardown_databases(databases, verbosity=0)
        teardown_test_environment()
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
