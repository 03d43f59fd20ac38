"""Create demo data: one account per role with a known password. Refused in production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alongside.accounts.models import User
from alongside.accounts.services import demo_users_create


class Command(BaseCommand):
    help = "Create demo accounts (one per role) with known passwords. Never use in production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if the database already has accounts.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo creates accounts with published passwords; it is refused in production.")
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("Accounts exist already; demo data not loaded.")
            return
        rows = demo_users_create()
        # Imported here: accounts does not depend on communities anywhere else.
        from alongside.accounts.models import Role
        from alongside.communities.demo import communities_demo_create

        users = [user for user, _password, _secret in rows]
        admins = [user for user in users if user.role == Role.ADMIN]
        if admins:
            communities = communities_demo_create(admin=admins[0], members=[u for u in users if u not in admins])
            if communities:
                self.stdout.write(f"Demo communities: {', '.join(c.name for c in communities)}")
        self.stdout.write(self.style.SUCCESS("Demo log-ins (development only):"))
        for user, password, secret in rows:
            line = f"  {user.username:<18} password: {password:<24} role: {user.role}"
            if secret:
                line += f"  two-factor secret: {secret}"
            self.stdout.write(line)
        self.stdout.write("Staff roles need a code from an authenticator app set up with the two-factor secret above.")
