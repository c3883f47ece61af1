"""Run every benchmark module listed in MODULES, print a table and write JSON to bench/results/.

    python -m bench [--smoke] [--only NAME ...]

Each module runs in its own process against its own throwaway database (a fresh SQLite file, or
`<db>_<module>` on PostgreSQL when DATABASE_URL points there), never against your own data.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODULES = [
    "bench.platform",
    "bench.inventory",
    "bench.catalog",
    "bench.catalog_media",
    "bench.pricing",
    "bench.search",
    "bench.checkout",
    "bench.storefront",
]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, to prove the benchmarks run (CI)")
    parser.add_argument("--only", nargs="*", default=None, help="module names, e.g. platform")
    args = parser.parse_args()
    modules = [m for m in MODULES if args.only is None or m.split(".")[-1] in args.only]
    if not modules:
        print(f"no benchmark named {args.only}; choose from {[m.split('.')[-1] for m in MODULES]}")
        return 2
    if len(modules) == 1 or os.environ.get(CHILD):
        machine_info, results = _run_here(modules, smoke=args.smoke)
    else:
        machine_info, results = _run_apart(modules, smoke=args.smoke)
    if os.environ.get(CHILD):
        Path(os.environ[CHILD]).write_text(json.dumps({"machine": machine_info, "results": results}))
        return 0
    _report(machine_info, results, smoke=args.smoke)
    return 0


CHILD = "HANDEL_BENCH_OUT"


def _run_apart(modules: list[str], *, smoke: bool) -> tuple[dict[str, object], list[dict[str, object]]]:
    """Each module in its own process and its own throwaway database, so no module sees another's data."""
    machine_info: dict[str, object] = {}
    results: list[dict[str, object]] = []
    base_url = os.environ.get("DATABASE_URL", "")
    for name in modules:
        short = name.split(".")[-1]
        out = Path(tempfile.mkdtemp(prefix="handel-bench-out-")) / "result.json"
        env = {**os.environ, CHILD: str(out), "HANDEL_VAR_DIR": tempfile.mkdtemp(prefix="handel-bench-")}
        if base_url.startswith("postgres"):
            env["DATABASE_URL"] = base_url.rstrip("/") + f"_{short}"
        command = [sys.executable, "-m", "bench", "--only", short] + (["--smoke"] if smoke else [])
        print(f"-- {name}", flush=True)
        completed = subprocess.run(command, env=env, check=False)
        if completed.returncode != 0:
            raise SystemExit(f"benchmark {short} failed (exit {completed.returncode})")
        child = json.loads(out.read_text())
        machine_info = child["machine"]
        results.extend(child["results"])
    return machine_info, results


def _run_here(modules: list[str], *, smoke: bool) -> tuple[dict[str, object], list[dict[str, object]]]:
    os.environ.setdefault("HANDEL_VAR_DIR", tempfile.mkdtemp(prefix="handel-bench-"))
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith("postgres") and not os.environ.get(CHILD):
        os.environ["DATABASE_URL"] = (
            database_url.rstrip("/") + "_bench" if "/" in database_url.split("@")[-1] else database_url
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handel.settings")
    # In-process requests come from Django's test client, whose host is "testserver".
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

    import django
    from django.core.management import call_command

    django.setup()
    _ensure_database()
    call_command("migrate", verbosity=0, interactive=False)

    from bench.harness import machine

    results = []
    for name in modules:
        module = importlib.import_module(name)
        if not os.environ.get(CHILD):
            print(f"-- {name}", flush=True)
        results.extend(result.as_dict() for result in module.run(smoke=smoke))
    return machine(), results


def _report(machine_info: dict[str, object], results: list[dict[str, object]], *, smoke: bool) -> None:
    print()
    print(f"{'benchmark':<44} {'metric':<10} {'value':>12} {'unit':<8} target")
    for result in results:
        print(
            f"{result['name']:<44} {result['metric']:<10} {result['value']:>12} {result['unit']:<8} {result['target']}"
        )
    out_dir = Path(__file__).resolve().parent / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = out_dir / f"{stamp}-{'smoke' if smoke else 'full'}-{machine_info.get('database', 'db')}.json"
    out.write_text(json.dumps({"machine": machine_info, "smoke": smoke, "results": results}, indent=2, default=str))
    print(f"\nwritten to {out}")


def _ensure_database() -> None:
    """Create the PostgreSQL bench database if it is missing."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    import psycopg

    settings = connection.settings_dict
    admin_dsn = (
        f"host={settings['HOST'] or '127.0.0.1'} port={settings['PORT'] or 5432} "
        f"user={settings['USER']} dbname=postgres"
    )
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{settings["NAME"]}"')


if __name__ == "__main__":
    sys.exit(main())
