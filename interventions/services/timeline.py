"""The case timeline: every service that changes a case writes its line here."""

from accounts.models import User

from ..models import Case, CaseEvent


def case_event_record(*, case: Case, actor: User | None, kind: str, **payload) -> CaseEvent:
    """Append one line to the case's timeline. Call it inside the transaction of the change."""
    return CaseEvent.objects.create(case=case, actor=actor, kind=kind, payload=payload)
