"""A liaison sees the referrals made to their own unit, and records receipt and outcome."""

from django.urls import reverse

from interventions.models import CaseEvent, PoliceUnit
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


def test_only_liaisons_reach_the_liaison_pages(client, specialist, merchant_a, outsider):
    referral = factories.PoliceReferralFactory()
    for user in (specialist, merchant_a, outsider):
        client.force_login(user)
        assert client.get(reverse("interventions:liaison_home")).status_code == 404
        for name in ("referral_answer", "stop_payment_answer"):
            url = reverse(f"interventions:{name}", args=[referral.pk])
            assert client.post(url, {"status": "closed"}).status_code == 404
            assert client.get(url).status_code == 404
