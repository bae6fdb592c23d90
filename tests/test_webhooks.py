"""Webhooks out: the order system hears of a hold at once, signed; a failing receiver is retried
with backoff and its final status recorded; a delivery can be sent again from the admin."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from interventions.models import Severity, WebhookDelivery, WebhookSubscription
from interventions.services import (
    alert_raise,
    case_close,
    order_intercept,
    reminders_sweep,
    stop_payment_request,
    webhooks_resend,
)
from tests import factories, receiver


@pytest.fixture
def order_system(integration):
    server, received = receiver.start("will-be-replaced")
    subscription = WebhookSubscription.objects.create(
        integration=integration,
        url=f"http://127.0.0.1:{server.server_port}/shouhu-events",
        events=["order.hold_requested", "order.hold_released", "case.closed"],
    )
    received.secret = subscription.secret
    received.subscription = subscription
    yield received
    server.shutdown()


@pytest.fixture
def case(specialist):
    buyer = factories.BuyerFactory()
    factories.OrderFactory(external_ref="TB-A-1", buyer=buyer)
    return factories.CaseFactory(owner=specialist, buyer=buyer, risk_level=3)


def test_a_hold_requested_in_the_console_reaches_the_order_system_signed(
    client, order_system, case, specialist, django_capture_on_commit_callbacks
):
    client.force_login(specialist)
    order = case.buyer.orders.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("interventions:case_act", args=[case.pk, "intercept"]), {"order": order.pk})
    [delivery] = order_system.requests
    assert delivery["signed"]
    assert delivery["event"] == "order.hold_requested"
    body = delivery["body"]
    assert (body["event"], body["data"]["order"], body["data"]["case"]) == (
        "order.hold_requested",
        "TB-A-1",
        case.reference,
    )
    assert delivery["key"] == body["id"]
    row = WebhookDelivery.objects.get()
    assert (row.status, row.response_code, row.attempts) == ("delivered", 200, 1)


def test_a_failing_receiver_is_retried_with_backoff_and_its_final_status_recorded(
    order_system, case, specialist, settings
):
    settings.SHOUHU_DELIVERY_MAX_ATTEMPTS = 3
    order_system.fail_next = 10
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        order_intercept(case=case, order=case.buyer.orders.get(), by=specialist)
        reminders_sweep()
    for seconds in (10, 30, 89, 90):  # retried after 30 s, then 60 s more; not in between
        with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
            reminders_sweep()
    delivery = WebhookDelivery.objects.get()
    assert len(order_system.requests) == 3
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 3, 503)
    order_system.fail_next = 0
    webhooks_resend(deliveries=[delivery])
    reminders_sweep()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code) == ("delivered", 200)
    assert len(order_system.accepted) == 1


def test_each_receiver_gets_only_the_events_it_wants(order_system, case, specialist, integration):
    server, payments = receiver.start("x")
    payment_system = WebhookSubscription.objects.create(
        integration=integration,
        url=f"http://127.0.0.1:{server.server_port}/freeze",
        events=["payment.freeze_requested", "alert.critical"],
    )
    payments.secret = payment_system.secret
    centre = factories.PoliceUnitFactory(kind="anti_fraud_centre")
    fraud_case = factories.CaseFactory(desk="fraud", owner=specialist)
    stop_payment_request(
        case=fraud_case,
        unit=centre,
        by=specialist,
        payee_account="alipay:seller_88",
        amount=Decimal("13000"),
        paid_at=timezone.now(),
        reported_at=timezone.now(),
        transaction_ref="T1",
    )
    alert_raise(desk="life", source="chat", severity=Severity.CRITICAL, summary="危急")
    alert_raise(desk="life", source="chat", severity=Severity.HIGH, summary="高")
    case_close(case=case, by=specialist, outcome="safe", summary="当事人安全")
    reminders_sweep()
    server.shutdown()
    assert sorted(request["event"] for request in payments.requests) == ["alert.critical", "payment.freeze_requested"]
    freeze = next(r["body"]["data"] for r in payments.requests if r["event"] == "payment.freeze_requested")
    assert (freeze["payee_account"], freeze["amount"]) == ("alipay:seller_88", "13000.00")
    assert [request["event"] for request in order_system.requests] == ["case.closed"]
    assert all(request["signed"] for request in payments.requests + order_system.requests)


def test_the_admin_sends_a_failed_delivery_again(client, order_system, case, specialist, supervisor, settings):
    settings.SHOUHU_DELIVERY_MAX_ATTEMPTS = 1
    order_system.fail_next = 1
    order_intercept(case=case, order=case.buyer.orders.get(), by=specialist)
    reminders_sweep()
    delivery = WebhookDelivery.objects.get(status="failed")
    admin_user = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    client.post(
        reverse("admin:interventions_webhookdelivery_changelist"),
        {"action": "send_again", "_selected_action": [delivery.pk]},
    )
    reminders_sweep()
    delivery.refresh_from_db()
    assert delivery.status == "delivered"


def test_releasing_a_held_order_tells_the_order_system(client, order_system, case, specialist):
    from interventions.services import interception_record_answer

    interception = order_intercept(case=case, order=case.buyer.orders.get(), by=specialist)
    interception_record_answer(interception=interception, by=specialist, status="held")
    client.force_login(specialist)
    client.post(
        reverse("interventions:case_act", args=[case.pk, "release"]),
        {"interception": interception.pk, "reason": "当事人已安全,家属确认"},
    )
    interception.refresh_from_db()
    assert interception.status == "released"
    assert interception.order.status == "paid"
    reminders_sweep()
    assert [request["event"] for request in order_system.requests] == ["order.hold_requested", "order.hold_released"]
