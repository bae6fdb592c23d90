"""pg_trgm, and the word index on buyers' nicknames that the search box uses (config.db.text_contains).

Built CONCURRENTLY, so intake keeps writing buyers while it is built: hence not atomic. PostgreSQL
only; the SQLite demo searches without an index. The index is not in the model's Meta, which
would build it on SQLite too: Django's state does not know it, makemigrations never asks for it.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from config.db import words_index


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("orders", "0009_interception_note_encrypted")]

    operations = [
        TrigramExtension(),
        words_index(table="orders_buyer", column="nickname", name="buyer_nickname_words_idx"),
    ]
