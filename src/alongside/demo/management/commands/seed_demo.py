"""Create demo data: one account per role with a known password, and demo communities.

Lives in the demo app, which is installed only outside production, so this command does not
exist on a production server at all."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from alongside.accounts import selectors as account_selectors
from alongside.accounts.enums import Role
from alongside.demo.chat import chat_demo_create
from alongside.demo.communities import communities_demo_create
from alongside.demo.people import demo_users_create
from alongside.safety.services import risk


class Command(BaseCommand):
    help = "Create demo accounts (one per role) with known passwords, and demo communities. Development only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if the database already has accounts.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and account_selectors.user_exists():
            self.stdout.write("Accounts exist already; demo data not loaded.")
            return
        rows = demo_users_create()
        users = [user for user, _password, _secret in rows]
        admins = [user for user in users if user.role == Role.ADMIN]
        if admins:
            communities = communities_demo_create(admin=admins[0], members=[u for u in users if u not in admins])
            if communities:
                self.stdout.write(f"Demo communities: {', '.join(c.name for c in communities)}")
            listener = next((u for u in users if u.role == Role.LISTENER), None)
            if listener is not None:
                chat_demo_create(admin=admins[0], listener=listener, community=communities[0] if communities else None)
                self.stdout.write(f"Demo listener: {listener.username} (approved; goes online at /chat/desk/)")
            responders = [u for u in users if u.role in (Role.MODERATOR, Role.CLINICIAN)]
            for responder in responders:
                risk.responder_duty_give(actor=admins[0], user=responder)
            if responders:
                names = ", ".join(u.username for u in responders)
                self.stdout.write(f"Demo responders: {names} (the risk queue at /responders/)")
        self.stdout.write(self.style.SUCCESS("Demo log-ins (development only):"))
        for user, password, secret in rows:
            line = f"  {user.username:<18} password: {password:<24} role: {user.role}"
            if secret:
                line += f"  two-factor secret: {secret}"
            self.stdout.write(line)
        self.stdout.write("Staff roles need a code from an authenticator app set up with the two-factor secret above.")
