from django.core.management.base import BaseCommand

from demo import stories
from demo.loader import ADMIN_EMAIL, demo_is_loaded, load_demo


class Command(BaseCommand):
    help = "Load the demo data (seed stories, shops, staff of every role) once, and print the logins."

    def handle(self, *args, **options) -> None:
        if demo_is_loaded():
            self.stdout.write("Demo data is already loaded.")
            self._print_logins()
            return
        intake_key = load_demo()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self._print_logins()
        self.stdout.write(f"\nIntake token of the chat system (shown this once): {intake_key}")

    def _print_logins(self) -> None:
        rows = [("manager", "zhao@shouhu.demo")]
        rows += [(role[0], email) for email, _name, role, _desk in stories.STAFF if email != "zhao@shouhu.demo"]
        rows += [("merchant staff", email) for _shop, email, _name, _admin in stories.MERCHANT_STAFF]
        rows += [("police liaison", email) for email, _name, _unit in stories.LIAISONS]
        rows += [("admin (superuser)", ADMIN_EMAIL)]
        self.stdout.write(f"\nDemo logins (password for all: {stories.DEMO_PASSWORD}):")
        for role, email in rows:
            self.stdout.write(f"  {role:<18} {email}")
        self.stdout.write(
            f"\nStaff and the admin then give a code from an authenticator app set up with the secret"
            f" {stories.DEMO_TOTP_SECRET}, or the one `manage.py demo_code` prints."
        )
