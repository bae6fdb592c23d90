# What a specialist wrote to the person (a check-in) and about them (a closing summary):
# encrypted like the rest of what people wrote.

import accounts.crypto
from django.db import migrations

from accounts.crypto import encrypt_column


class Migration(migrations.Migration):
    dependencies = [
        ("interventions", "0022_case_event_payload_encrypted"),
    ]

    operations = [
        migrations.AlterField(
            model_name="checkin",
            name="text",
            field=accounts.crypto.EncryptedTextField(blank=True, verbose_name="text"),
        ),
        encrypt_column("interventions_checkin", "text"),
        migrations.AlterField(
            model_name="case",
            name="closing_summary",
            field=accounts.crypto.EncryptedTextField(blank=True, verbose_name="closing summary"),
        ),
        encrypt_column("interventions_case", "closing_summary"),
    ]
