# What specialists and reviewers write about a person (an assessment's note, what was reported to
# the police and what came of it, a supervisor's review of an emergency action, an incident
# review's account): encrypted like the rest of what people wrote.

import accounts.crypto
from django.db import migrations

from accounts.crypto import encrypt_column

TEXTS = [
    ("riskassessment", "note", "note", True),
    ("policereferral", "what_reported", "what was reported", False),
    ("policereferral", "outcome", "outcome", True),
    ("emergencyaction", "review_note", "review note", True),
    ("incidentreview", "what_happened", "what happened", True),
    ("incidentreview", "went_well", "what went well", True),
    ("incidentreview", "made_it_hard", "what made it hard", True),
]


class Migration(migrations.Migration):
    dependencies = [
        ("interventions", "0023_checkin_text_and_closing_summary_encrypted"),
    ]

    operations = [
        operation
        for model, name, label, blank in TEXTS
        for operation in (
            migrations.AlterField(
                model_name=model,
                name=name,
                field=accounts.crypto.EncryptedTextField(blank=blank, verbose_name=label),
            ),
            encrypt_column(f"interventions_{model}", name),
        )
    ]
