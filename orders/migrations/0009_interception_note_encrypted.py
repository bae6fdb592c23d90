# What a specialist tells a shop of the person when asking it to hold an order ("the person is at
# risk, please hold"), and the shop's answer: encrypted like the rest of what people wrote.

import accounts.crypto
from django.db import migrations

from accounts.crypto import encrypt_column


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0008_interception_note_not_in_history"),
    ]

    operations = [
        migrations.AlterField(
            model_name="interceptionrequest",
            name="note",
            field=accounts.crypto.EncryptedTextField(blank=True, verbose_name="note"),
        ),
        encrypt_column("orders_interceptionrequest", "note"),
    ]
