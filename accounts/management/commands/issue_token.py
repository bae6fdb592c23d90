from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.roles import Role
from accounts.services import api_token_issue


class Command(BaseCommand):
    help = "Issue an API token for an integration login and print its key (shown this once only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", required=True, help="email of the integration login")
        parser.add_argument("--name", required=True, help="what the token is for, e.g. 'chat system'")
        parser.add_argument("--scopes", nargs="+", required=True, choices=ApiToken.Scope.values)
        parser.add_argument("--days", type=int, default=365, help="days until it expires (default 365)")

    def handle(self, *args, user: str, name: str, scopes: list[str], days: int, **options) -> None:
        integration = User.objects.filter(email__iexact=user).first()
        if integration is None or not integration.has_role(Role.INTEGRATION):
            raise CommandError(f"{user} is not an integration login.")
        token, key = api_token_issue(
            user=integration, name=name, scopes=scopes, by=None, expires_at=timezone.now() + timedelta(days=days)
        )
        self.stdout.write(f"Token {token.prefix} for {integration.email}, scopes {', '.join(token.scopes)}:")
        self.stdout.write(key)
