"""`manage.py anonymise_expired [--dry-run]`: what the nightly task does, by hand.

Removes the person from the closed cases past SHOUHU_RETENTION_DAYS, but for those under a legal
hold, through the same service as the beat task (interventions.services.retention). With
--dry-run it only says how many cases are due. Safe to run beside the task, or twice.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from interventions.selectors.retention import cases_due_for_anonymisation, retention_cutoff
from interventions.services import cases_anonymise_due


class Command(BaseCommand):
    help = "Anonymise the closed cases past the retention period (SHOUHU_RETENTION_DAYS), but for held ones."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only say how many cases are due; change nothing.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        now = timezone.now()
        if dry_run:
            due = cases_due_for_anonymisation(now=now).count()
            cutoff = timezone.localtime(retention_cutoff(now)).strftime("%Y-%m-%d %H:%M")
            message = _("%(count)d cases closed before %(cutoff)s are due to be anonymised.")
            self.stdout.write(message % {"count": due, "cutoff": cutoff})
            return
        done = cases_anonymise_due(now=now)
        self.stdout.write(_("%(count)d cases anonymised.") % {"count": done})
