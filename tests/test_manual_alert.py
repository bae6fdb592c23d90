"""Staff raise an alert by hand from the console: a phone call, a partner's report."""

import pytest
from django.urls import reverse

from interventions.models import Alert, Severity

URL = reverse("interventions:alert_new")
FORM = {
    "desk": "life",
    "severity": "4",
    "summary": "热线来电:女儿说今晚要烧炭",
    "text": "她说已经买好木炭,今晚就烧炭",
    "buyer_ref": "tb_caller_daughter",
}


def test_a_specialist_raises_an_alert_that_lands_in_the_queue(client, specialist):
    client.force_login(specialist)
    response = client.post(URL, FORM, follow=True)
    assert response.redirect_chain[-1][0] == reverse("interventions:queue")
    assert "预警已进入队列" in response.text
    alert = Alert.objects.get()
    assert (alert.source, alert.severity, alert.raised_by, alert.buyer.account_ref) == (
        "manual",
        Severity.CRITICAL,
        specialist,
        "tb_caller_daughter",
    )
    assert {m["term"] for m in alert.matches} >= {"烧炭", "今晚"}
    assert "热线来电" in client.get(reverse("interventions:queue")).text


def test_the_scanner_raises_a_severity_set_too_low(client, specialist):
    client.force_login(specialist)
    client.post(URL, {**FORM, "severity": "1", "text": "她说不想活了,木炭买好了,今晚就烧炭"})
    assert Alert.objects.get().severity == Severity.CRITICAL


def test_the_form_keeps_what_was_typed_and_says_what_is_missing(client, specialist):
    client.force_login(specialist)
    response = client.post(URL, {**FORM, "summary": "", "severity": "9"})
    assert response.status_code == 200
    assert "她说已经买好木炭" in response.text
    assert "该字段是必填项" in response.text
    assert "选择一个有效的选项" in response.text
    assert Alert.objects.count() == 0


@pytest.mark.parametrize("persona", ["merchant_a", "liaison", "integration", "outsider"])
def test_only_queue_workers_can_raise_alerts(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get(URL).status_code == 404
    assert client.post(URL, FORM).status_code == 404
    assert Alert.objects.count() == 0
