# What a victim said, as the specialist noted it when dissuading them: encrypted like the rest of
# what people wrote.

import accounts.crypto
from django.db import migrations

from accounts.crypto import encrypt_column


class Migration(migrations.Migration):
    dependencies = [
        ("fraud", "0004_dissuasionscript_historicaldissuasionscript_and_more"),
    ]

    operations = [
        migrations.AlterField(
            model_name="dissuasion",
            name="note",
            field=accounts.crypto.EncryptedTextField(blank=True, verbose_name="note"),
        ),
        encrypt_column("fraud_dissuasion", "note"),
    ]
