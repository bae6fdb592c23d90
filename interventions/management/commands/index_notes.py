"""`manage.py index_notes`: every staff note's word index, computed again under SHOUHU_INDEX_KEY.

The search box finds a note by a word through its blind index (interventions.notes). Notes get it
when they are written, and migration 0027 gave it to those written before. Run this once after
the release that brings migration 0027 is fully up: a note that the previous release wrote while
the migration ran has none. It decrypts each note in Python, a thousand at a time, writes the
indexes that differ, and says how many; safe to run again or beside the portal.
`manage.py rotate_data_keys` does the same as one of its steps.
"""

from django.core.management.base import BaseCommand

from interventions.services.timeline import note_indexes_recompute


class Command(BaseCommand):
    help = "Compute every staff note's word index again under SHOUHU_INDEX_KEY (the search of notes)."

    def handle(self, *args, **options) -> None:
        count = note_indexes_recompute()
        self.stdout.write(f"interventions.CaseEvent.note_index: {count} notes' indexes recomputed")
