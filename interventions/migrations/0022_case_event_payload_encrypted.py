# The timeline's details quote what people wrote (notes, reasons, a check-in reply): encrypted
# whole, like the messages' text.

import accounts.crypto
from django.db import migrations

from accounts.crypto import encrypt_column


class Migration(migrations.Migration):
    dependencies = [
        ("interventions", "0021_scanner_frames_and_backtests"),
    ]

    operations = [
        migrations.AlterField(
            model_name="caseevent",
            name="payload",
            field=accounts.crypto.EncryptedJSONField(blank=True, default=dict, verbose_name="details"),
        ),
        encrypt_column("interventions_caseevent", "payload"),
    ]
