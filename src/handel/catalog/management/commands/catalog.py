"""`handel catalog import FILE [--format csv|jsonl] [--dry-run]` and
`handel catalog export FILE [--format csv|jsonl]` (FILE may be - for stdin/stdout)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from handel.catalog.importing import FORMATS, export_products, import_products
from handel.catalog.models import Product
from handel.core.errors import DomainError


def _format_of(path: str, given: str | None) -> str:
    if given:
        return given
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    return "csv"


class Command(BaseCommand):
    help = "Import or export products (CSV or JSON Lines)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        importing = sub.add_parser("import", help="upsert products by SKU from a file")
        importing.add_argument("file")
        importing.add_argument("--format", choices=FORMATS)
        importing.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        exporting = sub.add_parser("export", help="write every product to a file")
        exporting.add_argument("file")
        exporting.add_argument("--format", choices=FORMATS)

    def handle(self, *args: Any, action: str, file: str, format: str | None = None, **options: Any) -> None:
        quiet = options.get("verbosity", 1) == 0
        fmt = _format_of(file, format)
        try:
            if action == "import":
                self._import(file, fmt, options["dry_run"], quiet)
            else:
                self._export(file, fmt, quiet)
        except DomainError as exc:
            raise CommandError(exc.detail) from exc

    def _import(self, file: str, fmt: str, dry_run: bool, quiet: bool) -> None:
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        with tqdm(desc="import", unit="product", disable=quiet, file=sys.stderr) as bar:
            report = import_products(text=text, format=fmt, dry_run=dry_run, progress=bar.update)
        for error in report.errors:
            self.stderr.write(f"line {error.line}, column {error.column or '-'}: {error.reason}")
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{report.rows} rows: {report.created} {verb} created, {report.updated} {verb} updated, "
            f"{report.unchanged} unchanged, {report.rejected} rejected."
        )
        if report.rejected:
            raise CommandError(f"{report.rejected} rows were rejected (see above)", returncode=2)

    def _export(self, file: str, fmt: str, quiet: bool) -> None:
        total = Product.objects.count()
        with tqdm(total=total, desc="export", unit="product", disable=quiet, file=sys.stderr) as bar:
            if file == "-":
                count = export_products(self.stdout, format=fmt, progress=bar.update)
            else:
                with open(file, "w", encoding="utf-8", newline="") as out:
                    count = export_products(out, format=fmt, progress=bar.update)
        if file != "-":
            self.stdout.write(f"{count} products written to {file}.")
