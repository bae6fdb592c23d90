"""The word index on case titles that the search box uses (config.db.text_contains); pg_trgm comes
from orders' migration 0010.

Built CONCURRENTLY, so cases keep being written while it is built: hence not atomic. PostgreSQL
only; the SQLite demo searches without an index. Staff notes get no such index: they are
encrypted at rest (CaseEvent.payload), and an index of their words would be the words in plain.
"""

from django.db import migrations

from config.db import words_index


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("interventions", "0024_casework_texts_encrypted"),
        ("orders", "0010_buyer_nickname_words"),
    ]

    operations = [words_index(table="interventions_case", column="title", name="case_title_words_idx")]
