"""Holding or recalling a person's order: asked of the shop on the specialist's word, answered by the
shop, released when the danger has passed; and the watch for new orders of people with an open
case. At high or critical risk an interception takes effect at once and is queued for a
supervisor's review after the fact (reviews.emergency_action_queue)."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.history import save_with_history
from accounts.models import Desk, User
from accounts.refusals import Conflict, Invalid
from orders.models import InterceptionRequest, Order

from ..choices import Severity, Source
from ..models import (
    Alert,
    Case,
    CaseEvent,
    EmergencyAction,
    WebhookSubscription,
)
from .alerts import alert_raise
from .cases import ensure_case_open
from .reports import interception_page_shop
from .reviews import emergency_action_queue
from .timeline import case_event_record
from .webhooks import webhook_emit


@transaction.atomic
def order_intercept(*, case: Case, order: Order, by: User, note: str = "") -> InterceptionRequest:
    """Ask the merchant to hold the order (or recall it from the carrier once shipped). Asking
    again while a request is open returns that request."""
    ensure_case_open(case)
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
    emergency_action_queue(case=case, by=by, kind=EmergencyAction.Kind.INTERCEPTION, interception=request)
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
        raise Invalid(_("Say why the order may ship again."))
    if interception.status not in (InterceptionRequest.Status.HELD, *InterceptionRequest.OPEN_STATUSES):
        raise Invalid(_("Only a held or requested order can be released."))
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
    """Record the merchant's answer (by phone, or from the merchant portal) to a request still
    open: confirmed, held, already shipped or could not. A held order is marked held on the order
    itself. Releasing a held order is interception_release's, not an answer."""
    if status not in InterceptionRequest.SHOP_ANSWERS:
        raise Invalid(_("That is not an answer a shop gives."))
    if not interception.is_open:
        raise Conflict(_("This request was already answered."))
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
        tracking_no=tracking_no,
        reason=note,
    )
    return interception


@transaction.atomic
def reorders_watch(*, orders: Iterable[Order]) -> list[Alert]:
    """While a life-protection case is open, a new order of high-risk goods by the same person, at
    any shop, raises a critical alert linked to the case (the second shop of the herbicide story).
    Seeing the same order again raises nothing new."""
    raised = []
    risky = [order for order in orders if order.product.is_high_risk]
    open_case_of = _open_life_cases_of({order.buyer_id for order in risky})
    seen = set(Alert.objects.filter(order__in=risky, case__in=open_case_of.values()).values_list("order_id", "case_id"))
    for order in risky:
        case = open_case_of.get(order.buyer_id)
        if case is None or (order.pk, case.pk) in seen:
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


def _open_life_cases_of(buyer_ids: set[int]) -> dict[int, Case]:
    """Each buyer's newest open life-protection case, in one query for a whole batch of orders."""
    cases = (
        Case.objects.filter(buyer__in=buyer_ids, desk=Desk.LIFE)
        .exclude(status=Case.Status.CLOSED)
        .order_by("buyer_id", "-opened_at")
    )
    newest: dict[int, Case] = {}
    for case in cases:
        if case.buyer_id is not None:
            newest.setdefault(case.buyer_id, case)
    return newest
