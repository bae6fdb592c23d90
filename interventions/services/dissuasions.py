"""Talking a person out of paying a scammer: each attempt and what came of it, on the timeline."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.refusals import Invalid
from fraud.models import Dissuasion

from ..models import (
    Case,
    CaseEvent,
)
from .cases import ensure_case_open
from .timeline import case_event_record


@transaction.atomic
def dissuasion_record(
    *, case: Case, by: User, scam_type: str, reached: bool, convinced: bool, amount_protected: Decimal, note: str = ""
) -> Dissuasion:
    """Record an attempt to stop a victim paying; the figures count the people convinced and the
    money they kept."""
    ensure_case_open(case)
    if convinced and not reached:
        raise Invalid(_("Someone not reached cannot have been convinced."))
    dissuasion = Dissuasion.objects.create(
        case=case,
        by=by,
        scam_type=scam_type,
        reached=reached,
        convinced=convinced,
        amount_protected=amount_protected or Decimal(0),
        note=note,
    )
    case_event_record(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.DISSUADED,
        dissuasion_id=dissuasion.pk,
        convinced=convinced,
        amount=str(dissuasion.amount_protected),
        text=note,
    )
    return dissuasion
