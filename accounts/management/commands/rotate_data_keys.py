"""Re-encrypt every encrypted value with the newest key of SHOUHU_DATA_KEYS.

Rotation: put the new key first in SHOUHU_DATA_KEYS (keep the old one after it) and restart, run
this, then remove the old key and restart again. Values are rewritten a thousand rows at a time;
an interrupted run can simply be run again, since every key of the ring still decrypts."""

from django.core.management.base import BaseCommand

from accounts.crypto import column_rewrite, encrypted_fields, reencrypt


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value with the newest key of SHOUHU_DATA_KEYS."

    def handle(self, *args, **options) -> None:
        for model, name in encrypted_fields():
            column = model._meta.get_field(name).column
            count = column_rewrite(model._meta.db_table, column, reencrypt)
            self.stdout.write(f"{model._meta.label}.{name}: {count} values re-encrypted")
