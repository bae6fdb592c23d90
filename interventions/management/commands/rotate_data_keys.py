"""Re-encrypt every encrypted value with the newest key of SHOUHU_DATA_KEYS.

Rotation: put the new key first in SHOUHU_DATA_KEYS (keep the old one after it) and restart, run
this, then remove the old key and restart again. The secrets of the second factor (TOTP secrets,
recovery-code seeds) are under the same ring and are rewritten too. Values are rewritten a
thousand rows at a time; an interrupted run can simply be run again, since every key of the ring
still decrypts.

The blind indexes are recomputed under SHOUHU_INDEX_KEY as well: after a new index key, run this
once and the lookups of the same phone, and the search of the notes' words, find the older rows
again.

The command lives with the interventions, the top of the apps: the key ring is accounts', and the
blind indexes it recomputes are the orders app's (buyers' phones) and this one's (staff notes).
"""

from django.core.management.base import BaseCommand
from django.db.models import Field

from accounts.crypto import authenticators_reencrypt, column_rewrite, encrypted_fields, reencrypt
from orders.services import buyer_phone_indexes_recompute

from ...services.timeline import note_indexes_recompute


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value with the newest key of SHOUHU_DATA_KEYS and recompute the blind indexes."

    def handle(self, *args, **options) -> None:
        for model, name in encrypted_fields():
            field = model._meta.get_field(name)
            if not isinstance(field, Field) or field.column is None:  # never: encrypted_fields names columns
                raise TypeError(f"{model._meta.label}.{name} is not a column")
            column = field.column
            count = column_rewrite(model._meta.db_table, column, reencrypt)
            self.stdout.write(f"{model._meta.label}.{name}: {count} values re-encrypted")
        count = authenticators_reencrypt()
        self.stdout.write(f"mfa.Authenticator: the secrets of {count} authenticators re-encrypted")
        count = buyer_phone_indexes_recompute()
        self.stdout.write(f"orders.Buyer.phone_index: {count} indexes recomputed under SHOUHU_INDEX_KEY")
        count = note_indexes_recompute()
        self.stdout.write(f"interventions.CaseEvent.note_index: {count} notes' indexes recomputed (index_notes)")
