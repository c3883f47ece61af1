"""`handel customers segments-refresh`: recompute the members of the rule segments (nightly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from handel.core.errors import DomainError
from handel.customers import services


class Command(BaseCommand):
    help = "Customer upkeep: recompute the rule segments' members."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser(
            "segments-refresh",
            help="recompute every active rule segment (conditions on days since sign-up or last order move daily)",
        )
        refresh.add_argument("--segment", action="append", default=[], metavar="CODE", help="only this segment")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        codes: list[str] = options["segment"]
        try:
            if codes:
                changes = {code: services.recompute_segment(code=code) for code in codes}
            else:
                changes = services.refresh_segments()
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        for code, change in changes.items():
            self.stdout.write(f"{code}: {change.added} added, {change.removed} removed")
        self.stdout.write(self.style.SUCCESS(f"{len(changes)} segment(s) refreshed."))
