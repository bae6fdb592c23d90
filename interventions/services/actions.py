"""What a specialist does on a case, each one service that the console, the API and the tasks
call, each leaving its timeline event in the same transaction.

At high or critical risk an interception or a police referral takes effect at once, on the
specialist's word, and is put in the supervisors' review queue (EmergencyAction): reviewed
after the fact, never waited for.
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.history import save_with_history
from accounts.models import User
from accounts.roles import REVIEW_EMERGENCY_ACTIONS
from fraud.models import Dissuasion, StopPaymentRequest
from orders.models import InterceptionRequest, Order

from ..choices import Severity, Source
from ..models import (
    Alert,
    Case,
    CaseEvent,
    ChecklistTick,
    EmergencyAction,
    Playbook,
    PoliceReferral,
    PoliceUnit,
    RiskAssessment,
    WebhookSubscription,
)
from ..risk import risk_level
from .alerts import alert_raise
from .cases import CaseClosed
from .reports import interception_page_shop
from .timeline import case_change_save, case_event_record
from .webhooks import webhook_emit


class NotAllowed(Exception):
    """The acting user may not do this (the view shows why)."""


def _ensure_open(case: Case) -> None:
    if case.is_closed:
        raise CaseClosed(case)


def _review_if_emergency(*, case: Case, by: User, kind: str, **action) -> None:
    """At high or critical risk an action took effect on one person's word: queue it for a
    supervisor's look after the fact. `action` names the interception, referral or stop-payment."""
    if case.risk_level >= Case.RiskLevel.HIGH:
        EmergencyAction.objects.create(case=case, kind=kind, taken_by=by, risk_level=case.risk_level, **action)


@transaction.atomic
def case_assess_risk(
    *, case: Case, by: User, cssrs: dict[str, bool], factors: Iterable[str], note: str = ""
) -> RiskAssessment:
    """Rate the person's risk (C-SSRS + the seeds' factors). A new assessment never overwrites an
    old one; the case's risk follows the latest."""
    factors = sorted({RiskAssessment.Factor(f) for f in factors})
    answers = {key: bool(cssrs.get(key)) for key in ("q1", "q2", "q3", "q4", "q5", "q6", "q6_recent")}
    assessment = RiskAssessment.objects.create(
        case=case,
        assessed_by=by,
        cssrs=answers,
        factors=[str(f) for f in factors],
        note=note,
        level=risk_level(answers, set(factors)),
    )
    previous = case.risk_level
    case.risk_level = assessment.level
    case_change_save(
        case,
        by=by,
        fields=["risk_level", "updated_at"],
        kind=CaseEvent.Kind.ASSESSED,
        assessment_id=assessment.pk,
        previous=previous,
        level=assessment.level,
        reason=note,
    )
    return assessment


@transaction.atomic
def order_intercept(*, case: Case, order: Order, by: User, note: str = "") -> InterceptionRequest:
    """Ask the merchant to hold the order (or recall it from the carrier once shipped). Asking
    again while a request is open returns that request."""
    _ensure_open(case)
    existing = InterceptionRequest.objects.filter(order=order, status__in=InterceptionRequest.OPEN_STATUSES).first()
    if existing is not None:
        return existing
    now = timezone.now()
    request = InterceptionRequest(
        case=case,
        order=order,
        requested_by=by,
        requested_at=now,
        note=note,
        kind=InterceptionRequest.Kind.HOLD if order.can_still_be_held else InterceptionRequest.Kind.RECALL,
        deadline=now + settings.SHOUHU_INTERCEPTION_ANSWER_WITHIN,
    )
    save_with_history(request, by=by)
    case_event_record(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.INTERCEPTION_REQUESTED,
        interception_id=request.pk,
        order=order.external_ref,
        merchant=order.merchant.name,
        kind_of=request.kind,
        reason=note,
    )
    _review_if_emergency(case=case, by=by, kind=EmergencyAction.Kind.INTERCEPTION, interception=request)
    interception_page_shop(interception=request)
    webhook_emit(
        event=WebhookSubscription.Event.ORDER_HOLD_REQUESTED,
        event_id=f"order.hold_requested:{request.pk}",
        data={
            "interception": request.pk,
            "order": order.external_ref,
            "merchant": order.merchant.external_ref,
            "kind": request.kind,
            "answer_by": request.deadline.isoformat(),
            "case": case.reference,
        },
    )
    return request


@transaction.atomic
def interception_release(*, interception: InterceptionRequest, by: User, reason: str) -> InterceptionRequest:
    """The danger has passed: the held order may ship again. The shop and the order system are told."""
    if not reason.strip():
        raise ValueError("Say why the order may ship again.")
    if interception.status not in (InterceptionRequest.Status.HELD, *InterceptionRequest.OPEN_STATUSES):
        raise ValueError("Only a held or requested order can be released.")
    interception.status = InterceptionRequest.Status.RELEASED
    interception.note = "\n".join(filter(None, [interception.note, reason.strip()]))
    save_with_history(interception, by=by, update_fields=["status", "note"])
    order = interception.order
    if order.status == Order.Status.HELD:
        order.status = Order.Status.PAID
        save_with_history(order, by=by, update_fields=["status", "updated_at"])
    case_event_record(
        case=interception.case,
        actor=by,
        kind=CaseEvent.Kind.INTERCEPTION_UPDATED,
        interception_id=interception.pk,
        order=order.external_ref,
        status=interception.status,
        reason=reason.strip(),
    )
    webhook_emit(
        event=WebhookSubscription.Event.ORDER_HOLD_RELEASED,
        event_id=f"order.hold_released:{interception.pk}",
        data={"interception": interception.pk, "order": order.external_ref, "merchant": order.merchant.external_ref},
    )
    return interception


@transaction.atomic
def interception_record_answer(
    *, interception: InterceptionRequest, by: User, status: str, note: str = "", tracking_no: str = ""
) -> InterceptionRequest:
    """Record the merchant's answer (by phone, or from the merchant portal). A held order is
    marked held on the order itself."""
    interception.status = InterceptionRequest.Status(status)
    interception.answered_at = timezone.now()
    interception.note = "\n".join(filter(None, [interception.note, note]))
    interception.tracking_no = tracking_no or interception.tracking_no
    save_with_history(interception, by=by, update_fields=["status", "answered_at", "note", "tracking_no"])
    if interception.status == InterceptionRequest.Status.HELD:
        order = interception.order
        order.status = Order.Status.HELD
        save_with_history(order, by=by, update_fields=["status", "updated_at"])
    case_event_record(
        case=interception.case,
        actor=by,
        kind=CaseEvent.Kind.INTERCEPTION_UPDATED,
        interception_id=interception.pk,
        order=interception.order.external_ref,
        status=interception.status,
        reason=note,
    )
    return interception


@transaction.atomic
def reorders_watch(*, orders: Iterable[Order]) -> list[Alert]:
    """While a life-protection case is open, a new order of high-risk goods by the same person, at
    any shop, raises a critical alert linked to the case (the second shop of the herbicide story).
    Seeing the same order again raises nothing new."""
    raised = []
    for order in orders:
        if not order.product.is_high_risk:
            continue
        case = (
            Case.objects.filter(buyer=order.buyer_id, desk="life")
            .exclude(status=Case.Status.CLOSED)
            .order_by("-opened_at")
            .first()
        )
        if case is None or Alert.objects.filter(order=order, case=case).exists():
            continue
        alert = alert_raise(
            desk=case.desk,
            source=Source.ORDER,
            severity=Severity.CRITICAL,
            buyer=order.buyer,
            merchant=order.merchant,
            order=order,
            summary=f"{case.reference}:在办个案的当事人在「{order.merchant.name}」下单{order.product.get_risk_category_display()}",
        )
        alert.case = case
        alert.save(update_fields=["case"])
        case_event_record(
            case=case,
            actor=None,
            kind=CaseEvent.Kind.REORDER_DETECTED,
            alert_id=alert.pk,
            order=order.external_ref,
            merchant=order.merchant.name,
            summary=alert.summary,
        )
        raised.append(alert)
    return raised


@transaction.atomic
def police_refer(
    *, case: Case, unit: PoliceUnit, by: User, what_reported: str, reference_no: str = ""
) -> PoliceReferral:
    """Record a report to a police unit or anti-fraud centre (made by phone on its 24h line)."""
    _ensure_open(case)
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
    _review_if_emergency(case=case, by=by, kind=EmergencyAction.Kind.REFERRAL, referral=referral)
    return referral


@transaction.atomic
def case_escalate(*, case: Case, by: User, reason: str) -> Case:
    """Hand the case up to the supervisors; the clock restarts at the supervisor tier."""
    _ensure_open(case)
    case.tier = Case.Tier.SUPERVISOR
    case.escalated_at = timezone.now()
    case_change_save(
        case, by=by, fields=["tier", "escalated_at", "updated_at"], kind=CaseEvent.Kind.ESCALATED, reason=reason
    )
    return case


@transaction.atomic
def case_hand_over(*, case: Case, by: User, to: User, note: str) -> Case:
    """Give the case to another specialist, with what they need to know."""
    _ensure_open(case)
    previous = case.owner
    case.owner = to
    case_change_save(
        case,
        by=by,
        fields=["owner", "updated_at"],
        kind=CaseEvent.Kind.HANDED_OVER,
        previous=str(previous or ""),
        to=str(to),
        text=note,
    )
    return case


@transaction.atomic
def case_close(*, case: Case, by: User, outcome: str, summary: str) -> Case:
    """Close the case with how it ended; the summary is required (what happened, where the person is)."""
    _ensure_open(case)
    if not summary.strip():
        raise ValueError("A closing summary is required.")
    case.status, case.outcome = Case.Status.CLOSED, Case.Outcome(outcome)
    case.closing_summary, case.closed_at = summary.strip(), timezone.now()
    save_with_history(case, by=by, update_fields=["status", "outcome", "closing_summary", "closed_at", "updated_at"])
    case_event_record(case=case, actor=by, kind=CaseEvent.Kind.CLOSED, outcome=case.outcome, text=case.closing_summary)
    webhook_emit(
        event=WebhookSubscription.Event.CASE_CLOSED,
        event_id=f"case.closed:{case.pk}:{case.closed_at.isoformat()}",
        data={"case": case.reference, "desk": case.desk, "outcome": case.outcome},
    )
    return case


@transaction.atomic
def case_reopen(*, case: Case, by: User, reason: str) -> Case:
    if not case.is_closed:
        return case
    if case.is_anonymised:
        # Nothing of the person is left to work with, and retention would not come back to it.
        raise ValueError(_("The case is anonymised: open a new case for the person."))
    if not reason.strip():
        raise ValueError("A reason is required.")
    case.status, case.outcome, case.closed_at = Case.Status.OPEN, "", None
    case_change_save(
        case,
        by=by,
        fields=["status", "outcome", "closed_at", "updated_at"],
        kind=CaseEvent.Kind.REOPENED,
        reason=reason,
    )
    return case


@transaction.atomic
def emergency_action_review(*, action: EmergencyAction, by: User, confirmed: bool, note: str = "") -> EmergencyAction:
    """A supervisor confirms an emergency action or flags it for a (blameless) review."""
    if not by.has_perm(REVIEW_EMERGENCY_ACTIONS):
        raise NotAllowed("Only supervisors review emergency actions.")
    locked = EmergencyAction.objects.select_for_update().get(pk=action.pk)
    if locked.review != EmergencyAction.Review.PENDING:
        return locked
    locked.review = EmergencyAction.Review.CONFIRMED if confirmed else EmergencyAction.Review.FLAGGED
    locked.reviewed_by, locked.reviewed_at, locked.review_note = by, timezone.now(), note
    save_with_history(locked, by=by, update_fields=["review", "reviewed_by", "reviewed_at", "review_note"])
    case_event_record(
        case=locked.case,
        actor=by,
        kind=CaseEvent.Kind.REVIEWED,
        action_id=locked.pk,
        review=locked.review,
        reason=note,
    )
    if locked.review == EmergencyAction.Review.FLAGGED:
        from .reviews import incident_review_open

        incident_review_open(case=locked.case, by=by, flagged_action=locked)
    return locked


@transaction.atomic
def case_attach_playbook(*, case: Case, by: User, playbook: Playbook) -> Case:
    """Follow this playbook on the case; its steps become the case's checklist."""
    _ensure_open(case)
    if playbook.desk != case.desk or not playbook.is_active:
        raise ValueError("Choose an active playbook of the case's desk.")
    case.playbook = playbook
    save_with_history(case, by=by, update_fields=["playbook", "updated_at"])
    case_event_record(case=case, actor=by, kind=CaseEvent.Kind.PLAYBOOK_ATTACHED, playbook=playbook.name)
    return case


@transaction.atomic
def checklist_tick(*, case: Case, by: User, step: int) -> ChecklistTick:
    """Mark a step of the case's playbook done. Ticking it again changes nothing."""
    _ensure_open(case)
    if case.playbook is None or not 0 <= step < len(case.playbook.steps):
        raise ValueError("No such step in the case's playbook.")
    tick, created = ChecklistTick.objects.get_or_create(
        case=case, playbook=case.playbook, step=step, defaults={"text": case.playbook.steps[step][:300], "done_by": by}
    )
    if created:
        case_event_record(case=case, actor=by, kind=CaseEvent.Kind.STEP_DONE, step=step + 1, text=tick.text)
    return tick


def playbooks_load_defaults(*, using: str = "default") -> int:
    """Fill an empty playbook table with the starting playbooks; a table with any is left alone."""
    from ..default_playbooks import DEFAULT_PLAYBOOKS

    if Playbook.objects.using(using).exists():
        return 0
    Playbook.objects.using(using).bulk_create(
        [Playbook(name=name, desk=desk, steps=steps) for name, desk, steps in DEFAULT_PLAYBOOKS]
    )
    return len(DEFAULT_PLAYBOOKS)


@transaction.atomic
def stop_payment_request(
    *,
    case: Case,
    unit: PoliceUnit,
    by: User,
    payee_account: str,
    amount: Decimal,
    paid_at: datetime,
    reported_at: datetime,
    transaction_ref: str = "",
) -> StopPaymentRequest:
    """Ask an anti-fraud centre to stop a payment the victim just made. The 30-minute clock runs
    from the victim's report; the payee becomes an indicator of the case, linking it."""
    from fraud.services import indicator_sight

    _ensure_open(case)
    if unit.kind != PoliceUnit.Kind.ANTI_FRAUD_CENTRE:
        raise ValueError("A stop-payment goes to an anti-fraud centre.")
    request = StopPaymentRequest(
        case=case,
        unit=unit,
        requested_by=by,
        payee_account=payee_account.strip(),
        amount=amount,
        paid_at=paid_at,
        reported_at=reported_at,
        transaction_ref=transaction_ref,
    )
    request.full_clean()
    save_with_history(request, by=by)
    indicator_sight(kind="payee", raw=request.payee_account, case=case, by=by)
    case_event_record(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.STOP_PAYMENT_REQUESTED,
        stop_payment_id=request.pk,
        unit=unit.name,
        amount=str(amount),
        text=request.payee_account,
    )
    _review_if_emergency(case=case, by=by, kind=EmergencyAction.Kind.STOP_PAYMENT, stop_payment=request)
    # The platform's payment system holds what it can at once, while the centre works.
    webhook_emit(
        event=WebhookSubscription.Event.PAYMENT_FREEZE_REQUESTED,
        event_id=f"payment.freeze_requested:{request.pk}",
        data={
            "stop_payment": request.pk,
            "payee_account": request.payee_account,
            "amount": f"{request.amount:.2f}",
            "paid_at": request.paid_at.isoformat(),
            "transaction_ref": request.transaction_ref,
            "case": case.reference,
        },
    )
    return request


@transaction.atomic
def stop_payment_answer(
    *, request: StopPaymentRequest, by: User, status: str, frozen_amount: Decimal | None = None
) -> StopPaymentRequest:
    """The centre's liaison records what became of the request: received, frozen (how much), or
    too late. The case shows the amount protected."""
    from .police import NotYourUnit

    if not request.unit.liaisons.filter(user=by).exists():
        raise NotYourUnit(request)
    request.status = StopPaymentRequest.Status(status)
    request.frozen_amount = frozen_amount if request.status == StopPaymentRequest.Status.FROZEN else None
    request.answered_by, request.answered_at = by, timezone.now()
    request.full_clean()
    save_with_history(request, by=by, update_fields=["status", "frozen_amount", "answered_by", "answered_at"])
    case_event_record(
        case=request.case,
        actor=by,
        kind=CaseEvent.Kind.STOP_PAYMENT_ANSWERED,
        stop_payment_id=request.pk,
        status=request.status,
        amount=str(request.frozen_amount or ""),
        unit=request.unit.name,
    )
    return request


@transaction.atomic
def dissuasion_record(
    *, case: Case, by: User, scam_type: str, reached: bool, convinced: bool, amount_protected: Decimal, note: str = ""
) -> Dissuasion:
    """Record an attempt to stop a victim paying; the figures count the people convinced and the
    money they kept."""
    _ensure_open(case)
    if convinced and not reached:
        raise ValueError("Someone not reached cannot have been convinced.")
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
