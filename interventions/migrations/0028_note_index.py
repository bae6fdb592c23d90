"""Staff notes found by a word: each note's blind index of its words (interventions.notes), filled
for the notes already written, then the GIN index the search asks (config.db.tokens_index).

The notes are read and decrypted here, in Python, a thousand at a time: the database never sees
their words. Those of anonymised cases get no index (their words are gone). Not atomic, so that
each batch commits on its own and the index is built CONCURRENTLY, with the timeline written to
meanwhile; run again, it fills only what is still missing. PostgreSQL builds the index only.
"""

from django.db import migrations

import config.db
from config.db import tokens_index

BATCH = 1000


def fill(apps, schema_editor) -> None:
    from interventions.notes import note_tokens

    CaseEvent = apps.get_model("interventions", "CaseEvent")
    missing = CaseEvent.objects.filter(kind="note", note_index__isnull=True, case__anonymised_at__isnull=True)
    after = 0
    while batch := list(missing.filter(pk__gt=after).order_by("pk")[:BATCH]):
        for event in batch:
            event.note_index = note_tokens(event.payload.get("text") or "")
        CaseEvent.objects.bulk_update(batch, ["note_index"])
        after = batch[-1].pk


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("interventions", "0027_case_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="note_index",
            field=config.db.TokenSetField(blank=True, editable=False, null=True, verbose_name="word index of a note"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        tokens_index(table="interventions_caseevent", column="note_index", name="case_event_note_words_idx"),
    ]
