"""Playbooks on a case: attaching one, ticking its checklist, and the default playbooks."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.history import save_with_history
from accounts.models import User
from accounts.refusals import Invalid

from ..default_playbooks import DEFAULT_PLAYBOOKS
from ..models import (
    Case,
    CaseEvent,
    ChecklistTick,
    Playbook,
)
from .cases import ensure_case_open
from .timeline import case_event_record


@transaction.atomic
def case_attach_playbook(*, case: Case, by: User, playbook: Playbook) -> Case:
    """Follow this playbook on the case; its steps become the case's checklist."""
    ensure_case_open(case)
    if playbook.desk != case.desk or not playbook.is_active:
        raise Invalid(_("Choose an active playbook of the case's desk."))
    case.playbook = playbook
    save_with_history(case, by=by, update_fields=["playbook", "updated_at"])
    case_event_record(case=case, actor=by, kind=CaseEvent.Kind.PLAYBOOK_ATTACHED, playbook=playbook.name)
    return case


@transaction.atomic
def checklist_tick(*, case: Case, by: User, step: int) -> ChecklistTick:
    """Mark a step of the case's playbook done. Ticking it again changes nothing."""
    ensure_case_open(case)
    if case.playbook is None or not 0 <= step < len(case.playbook.steps):
        raise Invalid(_("No such step in the case's playbook."))
    tick, created = ChecklistTick.objects.get_or_create(
        case=case, playbook=case.playbook, step=step, defaults={"text": case.playbook.steps[step][:300], "done_by": by}
    )
    if created:
        case_event_record(case=case, actor=by, kind=CaseEvent.Kind.STEP_DONE, step=step + 1, text=tick.text)
    return tick


def playbooks_load_defaults(*, using: str = "default") -> int:
    """Fill an empty playbook table with the starting playbooks; a table with any is left alone."""
    if Playbook.objects.using(using).exists():
        return 0
    Playbook.objects.using(using).bulk_create(
        [Playbook(name=name, desk=desk, steps=steps) for name, desk, steps in DEFAULT_PLAYBOOKS]
    )
    return len(DEFAULT_PLAYBOOKS)
