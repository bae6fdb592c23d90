"""Writes to the police liaison directory."""

from django.db import transaction
from django.utils import timezone

from accounts.history import save_with_history
from accounts.models import User
from accounts.refusals import NotYours
from orders.models import Region

from ..models import (
    Case,
    CaseEvent,
    EmergencyAction,
    PoliceLiaison,
    PoliceReferral,
    PoliceUnit,
)
from .cases import ensure_case_open
from .reviews import emergency_action_queue
from .timeline import case_event_record


@transaction.atomic
def police_unit_register(
    *, name: str, kind: str, region: Region, phone_24h: str, address: str = "", by: User | None = None
) -> PoliceUnit:
    unit = PoliceUnit(name=name, kind=kind, region=region, phone_24h=phone_24h, address=address)
    unit.full_clean()
    save_with_history(unit, by=by)
    return unit


@transaction.atomic
def police_liaison_link(*, user: User, unit: PoliceUnit, by: User | None) -> PoliceLiaison:
    """Make `user` a liaison of `unit`; a liaison belongs to exactly one unit."""
    liaison = PoliceLiaison(user=user, unit=unit)
    save_with_history(liaison, by=by)
    return liaison


class NotYourUnit(NotYours):
    """A liaison may only answer referrals made to their own unit."""


@transaction.atomic
def referral_record_receipt(*, referral: PoliceReferral, by: User, status: str, outcome: str = "") -> PoliceReferral:
    """The liaison of the referral's unit notes that it was received, or how it ended. The case's
    timeline shows it."""
    if not PoliceLiaison.objects.filter(user=by, unit=referral.unit_id).exists():
        raise NotYourUnit(referral)
    referral.status = PoliceReferral.Status(status)
    if referral.received_at is None:
        referral.received_at = timezone.now()
    if outcome:
        referral.outcome = outcome
    save_with_history(referral, by=by, update_fields=["status", "received_at", "outcome"])
    case_event_record(
        case=referral.case,
        actor=by,
        kind=CaseEvent.Kind.REFERRAL_ANSWERED,
        referral_id=referral.pk,
        unit=referral.unit.name,
        status=referral.status,
        text=outcome,
    )
    return referral


@transaction.atomic
def police_refer(
    *, case: Case, unit: PoliceUnit, by: User, what_reported: str, reference_no: str = ""
) -> PoliceReferral:
    """Record a report to a police unit or anti-fraud centre (made by phone on its 24h line)."""
    ensure_case_open(case)
    referral = PoliceReferral(
        case=case, unit=unit, referred_by=by, what_reported=what_reported, reference_no=reference_no
    )
    save_with_history(referral, by=by)
    case_event_record(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.POLICE_REFERRED,
        referral_id=referral.pk,
        unit=unit.name,
        reference_no=reference_no,
        text=what_reported,
    )
    emergency_action_queue(case=case, by=by, kind=EmergencyAction.Kind.REFERRAL, referral=referral)
    return referral
