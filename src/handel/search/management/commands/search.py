"""`handel search reindex`: rebuild the search index with a progress bar."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from handel.search import indexing, services


class Command(BaseCommand):
    help = "Rebuild the search index (every product, channel and language)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("reindex", help="rebuild every search document")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        total = len(indexing.all_product_ids())
        with tqdm(total=total, unit="product", desc="search index", disable=None) as bar:
            written = services.reindex(progress=bar.update)
        self.stdout.write(self.style.SUCCESS(f"{written} search documents for {total} products."))
