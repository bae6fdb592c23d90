"""The case timeline: every service that changes a case writes its line here."""

from accounts.history import save_with_history
from accounts.models import User

from .. import live
from ..models import Case, CaseEvent


def case_event_record(*, case: Case, actor: User | None, kind: str, **payload) -> CaseEvent:
    """Append one line to the case's timeline. Call it inside the transaction of the change: the
    case's open pages are told once it commits."""
    event = CaseEvent.objects.create(case=case, actor=actor, kind=kind, payload=payload)
    live.case_changed(case.pk, kind=kind)
    return event


def case_change_save(case: Case, *, by: User | None, fields: list[str], kind: str, **payload) -> CaseEvent:
    """Save a change to the case with its timeline line, in the caller's transaction. The line holds
    the words written with the change (a reason, a note); the case's history row only points at it
    (CaseEvent.as_change_reason), so that retention can anonymise the words."""
    event = case_event_record(case=case, actor=by, kind=kind, **payload)
    save_with_history(case, by=by, reason=event.as_change_reason, update_fields=fields)
    return event
