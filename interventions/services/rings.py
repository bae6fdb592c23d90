"""Anti-fraud casework on cases: indicators added to a case, a ring's indicators blocklisted from
it, cases merged into one ring case (串并案), a ring referred to an anti-fraud centre as one, and
the record of its evidence leaving the portal."""

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import AccessLog, User
from accounts.refusals import Conflict, Invalid
from accounts.services import access_record
from fraud.indicators import normalise
from fraud.models import Indicator, Sighting
from fraud.services import indicator_block, indicator_sight
from interventions.models import Case, CaseEvent, PoliceReferral, PoliceUnit
from interventions.selectors.rings import Ring

from .cases import case_open, ensure_case_open
from .police import police_refer
from .timeline import case_change_save, case_event_record


@transaction.atomic
def case_indicator_add(*, case: Case, kind: str, raw: str, by: User) -> Sighting:
    """A specialist adds an indicator to a case by hand (a payee read out on the phone)."""
    if not normalise(kind, raw):
        raise Invalid(_("The value is empty once tidied."))
    sighting = indicator_sight(kind=kind, raw=raw, case=case, by=by)
    indicator = sighting.indicator
    case_event_record(
        case=case, actor=by, kind=CaseEvent.Kind.INDICATOR_ADDED, indicator_id=indicator.pk, value=indicator.value
    )
    return sighting


@transaction.atomic
def indicators_block(*, indicators: Sequence[Indicator], case: Case, by: User, reason: str) -> list[Indicator]:
    """Blocklist several indicators at once (a ring's payees and phones), from a case whose
    timeline records which. Those already listed keep who listed them first and why."""
    newly = [indicator_block(indicator=i, by=by, reason=reason) for i in indicators if not i.is_blocked]
    if newly:
        case_event_record(
            case=case,
            actor=by,
            kind=CaseEvent.Kind.INDICATORS_BLOCKED,
            values=[i.value for i in newly],
            reason=reason.strip(),
        )
    return newly


class RingConflict(Conflict, ValueError):
    """The chosen cases already belong to two different ring cases."""


@transaction.atomic
def ring_merge(*, cases: Sequence[Case], by: User, reason: str, title: str) -> Case:
    """Merge the cases of a ring into one ring case (串并案), with history on every case.

    The ring case is the one some of them already belong to, if any; otherwise a new case on
    their desk, owned by `by`, at the highest risk among them. Each merged case keeps its own
    work for its victim and points at the ring case; both timelines say who merged what and why.
    Merging again a case that is already in the ring changes nothing."""
    if not reason.strip():
        raise Invalid(_("Say why these cases are one ring."))
    chosen = list(Case.objects.select_for_update().filter(pk__in=[c.pk for c in cases]).order_by("pk"))
    if len({case.desk for case in chosen}) > 1:
        raise Invalid(_("A ring case gathers cases of one desk."))
    gathering = set(Case.objects.filter(ring__in=chosen).values_list("ring_id", flat=True))
    rings = {case.ring_id for case in chosen if case.ring_id} | gathering
    if len(rings) > 1:
        raise RingConflict(_("These cases are already in two different ring cases."))
    members = [case for case in chosen if case.pk not in rings]
    if rings:
        ring_case = Case.objects.select_for_update().get(pk=rings.pop())
        ensure_case_open(ring_case)
    elif len(members) < 2:
        raise Invalid(_("A ring case needs at least two cases."))
    else:
        ring_case = case_open(desk=members[0].desk, title=title, opened_by=by)
        ring_case.risk_level = max(case.risk_level for case in members)
        ring_case.save(update_fields=["risk_level", "updated_at"])
    joining = [case for case in members if case.ring_id != ring_case.pk]
    for case in joining:
        case.ring = ring_case
        case_change_save(
            case,
            by=by,
            fields=["ring", "updated_at"],
            kind=CaseEvent.Kind.RING_MERGED,
            ring_case_id=ring_case.pk,
            reason=reason.strip(),
        )
    if joining:
        case_event_record(
            case=ring_case,
            actor=by,
            kind=CaseEvent.Kind.RING_GATHERED,
            case_ids=[case.pk for case in joining],
            references=[case.reference for case in joining],
            reason=reason.strip(),
        )
    return ring_case


@transaction.atomic
def ring_refer(
    *, ring: Ring, case: Case, unit: PoliceUnit, by: User, what_reported: str, reference_no: str = ""
) -> PoliceReferral:
    """Refer a whole ring to an anti-fraud centre as one referral, made on `case` (the ring case
    when there is one) and covering the ring's other cases, whose timelines say so."""
    if unit.kind != PoliceUnit.Kind.ANTI_FRAUD_CENTRE:
        raise Invalid(_("A ring goes to an anti-fraud centre."))
    referral = police_refer(case=case, unit=unit, by=by, what_reported=what_reported, reference_no=reference_no)
    others = [member for member in ring.cases.values() if member.pk != case.pk]
    referral.covers.add(*others)
    for member in others:
        case_event_record(
            case=member,
            actor=by,
            kind=CaseEvent.Kind.RING_REFERRED,
            referral_id=referral.pk,
            unit=unit.name,
            via=case.reference,
        )
    return referral


@transaction.atomic
def ring_export_record(
    *, ring: Ring, case: Case, by: User, file_format: str, purpose: str, address: str | None = None
) -> CaseEvent:
    """Write down who took the ring's evidence out of the portal, why, in which form, and how
    much: on the case's timeline and in the access log."""
    access_record(
        user=by,
        action=AccessLog.Action.EXPORT,
        obj=case,
        object_label=f"{case.reference} ring ({file_format})",
        purpose=purpose,
        address=address,
    )
    return case_event_record(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.RING_EXPORTED,
        format=file_format,
        purpose=purpose,
        cases=len(ring.cases),
        indicators=len(ring.indicators),
    )
