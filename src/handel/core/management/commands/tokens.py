"""`handel tokens create|list|revoke`: API tokens from the command line. The secret is shown once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from handel.core import tokens
from handel.core.errors import DomainError
from handel.core.models import ApiToken


class Command(BaseCommand):
    help = "Create, list and revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--user", required=True, help="email of the token's user")
        create.add_argument("--name", required=True)
        create.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            default=None,
            help=f"repeatable; one of: {', '.join(tokens.SCOPES)}",
        )
        create.add_argument("--days", type=int, default=None, help="expire after this many days")
        listing = sub.add_parser("list")
        listing.add_argument("--user", default=None)
        revoke = sub.add_parser("revoke")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        user_model = get_user_model()
        if action == "create":
            user = user_model.objects.filter(email__iexact=options["user"]).first()
            if user is None:
                raise CommandError(f"no user {options['user']}")
            expires_at = timezone.now() + timedelta(days=options["days"]) if options["days"] else None
            try:
                issued = tokens.create_token(
                    user=user, name=options["name"], scopes=options["scopes"] or ["account"], expires_at=expires_at
                )
            except DomainError as exc:
                raise CommandError(exc.detail) from exc
            self.stdout.write(f"Token {issued.token.pk} for {user.email} (shown once, keep it safe):")
            self.stdout.write(issued.secret)
        elif action == "list":
            rows = ApiToken.objects.select_related("user")
            if options["user"]:
                rows = rows.filter(user__email__iexact=options["user"])
            for token in rows:
                state = (
                    "revoked"
                    if token.revoked_at
                    else "expired"
                    if (token.expires_at and token.expires_at <= timezone.now())
                    else "active"
                )
                self.stdout.write(
                    f"{token.pk:>5} {token.user.email:<30} {token.name:<20} {token.prefix} "
                    f"{','.join(token.scopes):<30} {state}"
                )
        else:
            found = ApiToken.objects.select_related("user").filter(pk=options["token_id"]).first()
            if found is None:
                raise CommandError("no such token")
            token = found
            tokens.revoke_token(token_id=token.pk, actor=token.user)
            self.stdout.write(f"Token {token.pk} revoked.")
