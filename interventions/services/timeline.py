"""The case timeline: every service that changes a case writes its line here."""

from accounts.history import save_with_history
from accounts.models import User

from .. import live
from ..models import Case, CaseEvent
from ..notes import note_tokens

# Notes whose word index is recomputed per query and UPDATE.
REINDEX_BATCH = 1000


def case_event_record(*, case: Case, actor: User | None, kind: str, **payload) -> CaseEvent:
    """Append one line to the case's timeline. Call it inside the transaction of the change: the
    case's open pages are told once it commits. A note is written with the blind index of its
    words (interventions.notes), which the search finds it by."""
    note_index = note_tokens(payload.get("text") or "") if kind == CaseEvent.Kind.NOTE else None
    event = CaseEvent.objects.create(case=case, actor=actor, kind=kind, payload=payload, note_index=note_index)
    live.case_changed(case.pk, kind=kind)
    return event


def case_change_save(case: Case, *, by: User | None, fields: list[str], kind: str, **payload) -> CaseEvent:
    """Save a change to the case with its timeline line, in the caller's transaction. The line holds
    the words written with the change (a reason, a note); the case's history row only points at it
    (CaseEvent.as_change_reason), so that retention can anonymise the words."""
    event = case_event_record(case=case, actor=by, kind=kind, **payload)
    save_with_history(case, by=by, reason=event.as_change_reason, update_fields=fields)
    return event


def note_indexes_recompute() -> int:
    """Every note's word index again under the current SHOUHU_INDEX_KEY, REINDEX_BATCH notes at a
    time, each note decrypted here and never in the database: after the index key changes, until
    this has run, the search does not find the notes indexed under the old key. The notes of
    anonymised cases keep none. Safe to run again, or after an interruption. Returns the indexes
    that changed."""
    notes = CaseEvent.objects.filter(kind=CaseEvent.Kind.NOTE, case__anonymised_at__isnull=True).order_by("pk")
    changed, after = 0, 0
    while batch := list(notes.filter(pk__gt=after).only("payload", "note_index")[:REINDEX_BATCH]):
        stale = []
        for event in batch:
            if event.note_index != (tokens := note_tokens(event.payload.get("text") or "")):
                event.note_index = tokens
                stale.append(event)
        CaseEvent.objects.bulk_update(stale, ["note_index"])
        changed, after = changed + len(stale), batch[-1].pk
    return changed
