"""Asking a payment company to stop a payment to a scammer, and its answer, each on the case's
timeline; at high risk queued for a supervisor's review after the fact."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.history import save_with_history
from accounts.models import User
from accounts.refusals import Invalid
from fraud.models import StopPaymentRequest
from fraud.services import indicator_sight

from ..models import (
    Case,
    CaseEvent,
    EmergencyAction,
    PoliceUnit,
    WebhookSubscription,
)
from .cases import ensure_case_open
from .police import NotYourUnit
from .reviews import emergency_action_queue
from .timeline import case_event_record
from .webhooks import webhook_emit


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
    ensure_case_open(case)
    if unit.kind != PoliceUnit.Kind.ANTI_FRAUD_CENTRE:
        raise Invalid(_("A stop-payment goes to an anti-fraud centre."))
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
    emergency_action_queue(case=case, by=by, kind=EmergencyAction.Kind.STOP_PAYMENT, stop_payment=request)
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
