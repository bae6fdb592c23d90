"""Every write to indicators, sightings, the blocklist and the official domains, and the fraud
signals of a message (a blocklisted indicator, a look-alike link)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.history import save_with_history
from accounts.models import AccessLog, User
from accounts.refusals import Conflict, Invalid
from accounts.services import access_record
from interventions.models import Alert, Case, CaseEvent, PoliceReferral, PoliceUnit

from . import lookalike
from .indicators import Found, normalise
from .models import DissuasionScript, Indicator, OfficialDomain, Sighting
from .selectors import Ring

DEFAULT_OFFICIAL_DOMAINS = ["taobao.com", "tmall.com", "alipay.com", "1688.com", "alibaba.com", "fliggy.com"]


@transaction.atomic
def indicator_sight(
    *, kind: str, raw: str, alert: Alert | None = None, case: Case | None = None, by: User | None = None
) -> Sighting:
    """Record that an indicator was seen in one alert or one case. Seeing it again there is a no-op."""
    if (alert is None) == (case is None):
        raise ValueError("A sighting needs an alert or a case, not both.")
    indicator, _created = Indicator.objects.get_or_create(
        kind=kind, value=normalise(kind, raw), defaults={"created_by": by}
    )
    place = {"alert": alert} if alert is not None else {"case": case}
    sighting, _ = Sighting.objects.get_or_create(indicator=indicator, **place, defaults={"created_by": by})
    return sighting


def indicators_sight_all(*, found: Iterable[Found], alert: Alert) -> None:
    """Record each indicator found in a message as seen in the alert the message is part of."""
    for item in found:
        indicator_sight(kind=item.kind, raw=item.value, alert=alert)


@transaction.atomic
def indicator_block(*, indicator: Indicator, by: User, reason: str) -> Indicator:
    """Blocklist an indicator confirmed as fraudulent: any new message carrying it alerts at once."""
    if not reason.strip():
        raise Invalid(_("Say why the indicator is blocklisted."))
    indicator.blocked_at, indicator.blocked_by, indicator.block_reason = timezone.now(), by, reason.strip()
    save_with_history(indicator, by=by, reason=reason, update_fields=["blocked_at", "blocked_by", "block_reason"])
    return indicator


@transaction.atomic
def indicator_unblock(*, indicator: Indicator, by: User, reason: str) -> Indicator:
    indicator.blocked_at, indicator.blocked_by, indicator.block_reason = None, None, ""
    save_with_history(indicator, by=by, reason=reason, update_fields=["blocked_at", "blocked_by", "block_reason"])
    return indicator


def official_domains_load_defaults(*, using: str = "default") -> int:
    """Fill an empty official-domain list; a list with any domain is left as its managers made it."""
    if OfficialDomain.objects.using(using).exists():
        return 0
    OfficialDomain.objects.using(using).bulk_create([OfficialDomain(domain=d) for d in DEFAULT_OFFICIAL_DOMAINS])
    return len(DEFAULT_OFFICIAL_DOMAINS)


@dataclass(frozen=True)
class FraudSignal:
    """Something in a message that needs the anti-fraud desk whatever words surround it."""

    reason: str


def fraud_signals(
    found: Iterable[Found], *, official_domains: list[str], blocked: set[tuple[str, str]]
) -> list[FraudSignal]:
    """Blocklisted indicators and look-alike links among the indicators found in a message."""
    signals = []
    for item in found:
        if (item.kind, item.value) in blocked:
            signals.append(
                FraudSignal(
                    _("blocklisted %(kind)s %(value)s") % {"kind": Indicator.Kind(item.kind).label, "value": item.value}
                )
            )
        elif item.kind == Indicator.Kind.DOMAIN:
            verdict = lookalike.check(item.value, official_domains)
            if verdict.flagged:
                signals.append(
                    FraudSignal(
                        _("phishing link %(domain)s imitates %(official)s")
                        % {"domain": verdict.domain, "official": verdict.lookalike_of}
                    )
                )
    return signals


def dissuasion_scripts_load_defaults(*, using: str = "default") -> int:
    """Fill an empty script table with the starting scripts; one its managers shaped is left alone."""
    from .default_scripts import DEFAULT_SCRIPTS

    if DissuasionScript.objects.using(using).exists():
        return 0
    DissuasionScript.objects.using(using).bulk_create(
        [DissuasionScript(scam_type=scam_type, points=points) for scam_type, points in DEFAULT_SCRIPTS.items()]
    )
    return len(DEFAULT_SCRIPTS)


# The ring's writes call the case services (timeline, referral). Those are imported where they are
# used: the scanner in interventions.services imports this module, so a module-level import back
# would be circular.


@transaction.atomic
def case_indicator_add(*, case: Case, kind: str, raw: str, by: User) -> Sighting:
    """A specialist adds an indicator to a case by hand (a payee read out on the phone)."""
    from interventions.services import case_event_record

    if not normalise(kind, raw):
        raise ValueError(_("The value is empty once tidied."))
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
    from interventions.services import case_event_record

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
    from interventions.services import case_change_save, case_event_record, case_open, ensure_case_open

    if not reason.strip():
        raise ValueError(_("Say why these cases are one ring."))
    chosen = list(Case.objects.select_for_update().filter(pk__in=[c.pk for c in cases]).order_by("pk"))
    if len({case.desk for case in chosen}) > 1:
        raise ValueError(_("A ring case gathers cases of one desk."))
    gathering = set(Case.objects.filter(ring__in=chosen).values_list("ring_id", flat=True))
    rings = {case.ring_id for case in chosen if case.ring_id} | gathering
    if len(rings) > 1:
        raise RingConflict(_("These cases are already in two different ring cases."))
    members = [case for case in chosen if case.pk not in rings]
    if rings:
        ring_case = Case.objects.select_for_update().get(pk=rings.pop())
        ensure_case_open(ring_case)
    elif len(members) < 2:
        raise ValueError(_("A ring case needs at least two cases."))
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
    from interventions.services import case_event_record, police_refer

    if unit.kind != PoliceUnit.Kind.ANTI_FRAUD_CENTRE:
        raise ValueError(_("A ring goes to an anti-fraud centre."))
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
    from interventions.services import case_event_record

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
