"""`handel jobs list` and `handel jobs run-due` (for cron, when no Celery beat runs)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from handel.core import jobs


class Command(BaseCommand):
    help = "List periodic jobs, run the due ones, or run one by name."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="show every job and when it last ran")
        sub.add_parser("run-due", help="run every job whose interval has passed")
        run = sub.add_parser("run", help="run one job now")
        run.add_argument("name")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "list":
            due = {job.name for job in jobs.due_jobs()}
            for job in jobs.periodic_jobs():
                self.stdout.write(
                    f"{job.name:<28} every {job.interval}  {'due' if job.name in due else ''}  {job.description}"
                )
        elif action == "run-due":
            results = jobs.run_due()
            for name, outcome in results:
                self.stdout.write(f"{name}: {outcome}")
            if not results:
                self.stdout.write("nothing is due")
            if any(outcome != "ok" for _, outcome in results):
                raise CommandError("some jobs failed")
        else:
            try:
                jobs.run_job(options["name"])
            except KeyError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"{options['name']}: ok")
