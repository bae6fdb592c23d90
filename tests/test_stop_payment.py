"""Stop-payment: sent to an anti-fraud centre with a 30-minute clock, answered by its liaison."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from fraud.models import StopPaymentRequest
from interventions.models import CaseEvent, EmergencyAction, PoliceUnit
from interventions.services import stop_payment_answer, stop_payment_request
from tests import factories


@pytest.fixture
def fraud_case(fraud_specialist):
    return factories.CaseFactory(desk="fraud", owner=fraud_specialist, risk_level=3, title="游戏币诈骗 · 13,000 元")


def _request(case, liaison_unit, by):
    now = timezone.now()
    return stop_payment_request(
        case=case,
        unit=liaison_unit,
        by=by,
        payee_account="alipay:game_coin_seller_88",
        amount=Decimal("13000"),
        paid_at=now - timedelta(minutes=25),
        reported_at=now - timedelta(minutes=10),
        transaction_ref="2026112320001",
    )


def test_a_stop_payment_runs_on_a_30_minute_clock_and_links_the_payee(fraud_case, fraud_specialist, liaison):
    unit = PoliceUnit.objects.get(liaisons__user=liaison)
    request = _request(fraud_case, unit, fraud_specialist)
    assert request.deadline == request.reported_at + timedelta(minutes=30)
    assert fraud_case.sightings.get().indicator.value == "alipay:game_coin_seller_88"
    assert EmergencyAction.objects.get().stop_payment == request
    assert fraud_case.events.filter(kind=CaseEvent.Kind.STOP_PAYMENT_REQUESTED).exists()


def test_only_an_anti_fraud_centre_takes_a_stop_payment(fraud_case, fraud_specialist):
    with pytest.raises(ValueError, match="反诈中心"):
        _request(fraud_case, factories.PoliceUnitFactory(kind="police"), fraud_specialist)


def test_the_centre_freezes_and_the_case_shows_the_amount_protected(client, fraud_case, fraud_specialist, liaison):
    request = _request(fraud_case, PoliceUnit.objects.get(liaisons__user=liaison), fraud_specialist)
    client.force_login(liaison)
    page = client.get(reverse("interventions:liaison_home")).text
    assert "alipay:game_coin_seller_88" in page
    url = reverse("interventions:stop_payment_answer", args=[request.pk])
    client.post(url, {"status": "frozen"})  # a freeze without its amount is refused
    request.refresh_from_db()
    assert request.status == "requested"
    client.post(url, {"status": "frozen", "frozen_amount": "13000.00"})
    request.refresh_from_db()
    assert (request.status, request.frozen_amount, request.answered_by) == ("frozen", Decimal("13000.00"), liaison)
    client.force_login(fraud_specialist)
    assert "13000.00 元已保住" in client.get(reverse("interventions:case", args=[fraud_case.pk])).text


def test_another_centre_cannot_answer(fraud_case, fraud_specialist, liaison, client):
    other = factories.PoliceUnitFactory(kind="anti_fraud_centre", name="深圳反诈中心")
    request = _request(fraud_case, other, fraud_specialist)
    client.force_login(liaison)
    url = reverse("interventions:stop_payment_answer", args=[request.pk])
    assert client.post(url, {"status": "too_late"}).status_code == 404
    from interventions.services import NotYourUnit

    with pytest.raises(NotYourUnit):
        stop_payment_answer(request=request, by=liaison, status="too_late")
    assert StopPaymentRequest.objects.get().status == "requested"


def test_the_packet_is_for_the_case_desk_and_the_centre_only(
    client, fraud_case, fraud_specialist, liaison, merchant_a, specialist, outsider
):
    request = _request(fraud_case, PoliceUnit.objects.get(liaisons__user=liaison), fraud_specialist)
    url = reverse("interventions:stop_payment_packet", args=[request.pk])
    for allowed in (fraud_specialist, liaison):
        client.force_login(allowed)
        page = client.get(url).text
        assert "alipay:game_coin_seller_88" in page
        assert "13000.00" in page
        assert "2026112320001" in page
    for refused in (merchant_a, specialist, outsider):  # a life-desk specialist does not work fraud cases
        client.force_login(refused)
        assert client.get(url).status_code == 404
