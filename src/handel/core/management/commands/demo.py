"""`handel demo [--size small|medium|large] [--seed N] [--if-empty]`: build the demo store.

Every step is idempotent, so running it twice changes nothing; the steps are declared in
handel/wiring.py (DEMO_STEPS).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from handel.core.demo import SIZES, DemoContext
from handel.core.events import wiring


class Command(BaseCommand):
    help = "Create the demo store (channels, staff, customers and every domain's demo data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=list(SIZES), default="small")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the store has data already")

    def handle(self, *args: Any, size: str, seed: int, if_empty: bool, **options: Any) -> None:
        if if_empty and get_user_model().objects.exists():
            self.stdout.write("The store has data already; the demo is not loaded again.")
            print_logins(self.stdout, list(wiring().DEMO_LOGINS))
            return
        context = DemoContext(size=size, seed=seed)
        steps = list(wiring().DEMO_STEPS)
        with tqdm(total=len(steps), desc="demo", unit="step", disable=options.get("verbosity", 1) == 0) as bar:
            for name, build in steps:
                bar.set_postfix_str(name)
                build(context)
                bar.update(1)
        self.stdout.write(self.style.SUCCESS(f"Demo store ready ({size}, seed {seed})."))
        print_logins(self.stdout, context.logins)


def print_logins(out: Any, logins: list[tuple[str, str, str]]) -> None:
    if not logins:
        return
    out.write("Demo logins:")
    for role, email, password in logins:
        out.write(f"  {role:<28} {email:<28} {password}")
