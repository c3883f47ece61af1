"""`handel inventory verify` (stock equals the ledger's sum) and `handel inventory import FILE.csv`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from handel.core.errors import DomainError
from handel.inventory import queries, services
from handel.inventory.feeds import parse_stock_csv

CSV_BATCH = 5_000


class Command(BaseCommand):
    help = "Check that stock equals the movement ledger, or import an ERP stock feed (CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="on hand = sum of movements, reserved = open reservations; exit 1 if not")
        feed = sub.add_parser("import", help="apply a CSV feed (sku,source,on_hand|delta[,safety_stock,reference])")
        feed.add_argument("path", type=Path)
        feed.add_argument("--feed", default="csv", help="name recorded on the movements")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "verify":
            mismatches = queries.verify_ledger()
            for mismatch in mismatches[:1000]:
                self.stderr.write(str(mismatch))
            if mismatches:
                raise CommandError(f"{len(mismatches)} stock figure(s) disagree with the ledger")
            self.stdout.write(self.style.SUCCESS("Stock agrees with the ledger and the open reservations."))
            return
        try:
            updates = parse_stock_csv(options["path"].read_text(encoding="utf-8"))
            totals = {"applied": 0, "unchanged": 0, "replayed": 0}
            # Batches keep each transaction short; every batch is idempotent, so a rerun after a
            # failure applies only what is left.
            for start in range(0, len(updates), CSV_BATCH):
                result = services.bulk_update_stock(
                    actor=None, updates=updates[start : start + CSV_BATCH], feed=options["feed"]
                )
                for name in totals:
                    totals[name] += getattr(result, name)
        except DomainError as exc:
            details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors[:20])
            raise CommandError(f"{exc.detail} {details}".strip()) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(updates)} rows: {totals['applied']} applied, {totals['unchanged']} unchanged, "
                f"{totals['replayed']} already applied before"
            )
        )
