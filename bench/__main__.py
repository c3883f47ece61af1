"""Run every benchmark module listed in MODULES, print a table and write JSON to bench/results/.

    python -m bench [--smoke] [--only NAME ...]

Benchmarks run against a throwaway database (a fresh SQLite file, or `<db>_bench` on PostgreSQL
when DATABASE_URL points there), never against your own data.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
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
]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, to prove the benchmarks run (CI)")
    parser.add_argument("--only", nargs="*", default=None, help="module names, e.g. platform")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="handel-bench-"))
    os.environ.setdefault("HANDEL_VAR_DIR", str(scratch))
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith("postgres"):
        os.environ["DATABASE_URL"] = (
            database_url.rstrip("/") + "_bench" if "/" in database_url.split("@")[-1] else database_url
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handel.settings")

    import django
    from django.core.management import call_command

    django.setup()
    _ensure_database()
    call_command("migrate", verbosity=0, interactive=False)

    from bench.harness import machine

    results = []
    modules = [m for m in MODULES if args.only is None or m.split(".")[-1] in args.only]
    for name in modules:
        module = importlib.import_module(name)
        print(f"-- {name}", flush=True)
        results.extend(module.run(smoke=args.smoke))

    print()
    print(f"{'benchmark':<44} {'metric':<10} {'value':>12} {'unit':<8} target")
    for result in results:
        print(f"{result.name:<44} {result.metric:<10} {result.value:>12} {result.unit:<8} {result.target}")
    out_dir = Path(__file__).resolve().parent / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = out_dir / f"{stamp}-{'smoke' if args.smoke else 'full'}-{machine()['database']}.json"
    out.write_text(
        json.dumps({"machine": machine(), "smoke": args.smoke, "results": [r.as_dict() for r in results]}, indent=2)
    )
    print(f"\nwritten to {out}")
    return 0


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
