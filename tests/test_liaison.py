"""A liaison sees the referrals made to their own unit, and records receipt and outcome."""

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from interventions.models import CaseEvent, PoliceUnit
from interventions.services import stop_payment_request
from tests import factories


def test_a_liaison_sees_only_their_units_referrals_and_answers_them(client, liaison, specialist):
    unit = PoliceUnit.objects.get(liaisons__user=liaison)
    ours = factories.PoliceReferralFactory(unit=unit, what_reported="游戏币诈骗 13,000 元,请求止付")
    theirs = factories.PoliceReferralFactory(what_reported="别的单位的报警")
    client.force_login(liaison)
    page = client.get(reverse("interventions:liaison_home")).text
    assert "游戏币诈骗 13,000 元" in page
    assert "别的单位的报警" not in page
    client.post(reverse("interventions:referral_answer", args=[ours.pk]), {"status": "received", "outcome": "已受理"})
    ours.refresh_from_db()
    assert (ours.status, ours.outcome, ours.received_at is not None) == ("received", "已受理", True)
    event = ours.case.events.get(kind=CaseEvent.Kind.REFERRAL_ANSWERED)
    assert event.actor == liaison
    assert (
        client.post(reverse("interventions:referral_answer", args=[theirs.pk]), {"status": "closed"}).status_code == 404
    )
    theirs.refresh_from_db()
    assert theirs.status == "reported"


def test_only_liaisons_reach_the_liaison_pages(client, specialist, merchant_a, outsider, liaison, fraud_specialist):
    unit = liaison.police_liaison.unit
    referral = factories.PoliceReferralFactory(unit=unit)
    stop = stop_payment_request(
        case=factories.CaseFactory(desk="fraud", owner=fraud_specialist),
        unit=unit,
        by=fraud_specialist,
        payee_account="alipay:game_coin_seller_88",
        amount=Decimal("13000"),
        paid_at=timezone.now() - timedelta(minutes=25),
        reported_at=timezone.now() - timedelta(minutes=10),
    )
    answers = {"referral_answer": referral.pk, "stop_payment_answer": stop.pk}
    client.force_login(liaison)  # the unit's liaison gets past the checks (a form is posted, not got): real objects
    for name, pk in answers.items():
        assert client.get(reverse(f"interventions:{name}", args=[pk])).status_code == 405
    for user in (specialist, merchant_a, outsider):
        client.force_login(user)
        assert client.get(reverse("interventions:liaison_home")).status_code == 404
        for name, pk in answers.items():
            url = reverse(f"interventions:{name}", args=[pk])
            assert client.post(url, {"status": "closed"}).status_code == 404
            assert client.get(url).status_code == 404
    referral.refresh_from_db()
    stop.refresh_from_db()
    assert (referral.status, stop.status) == ("reported", "requested")  # as they were made
