"""The triage queue and the alert page: filters, pages, claims, next, dismiss, promote, merge."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Desk
from interventions.models import Alert, Case, CaseEvent, Severity
from interventions.services import alert_claim
from tests import factories
from tests.pages import shown

QUEUE = reverse("interventions:queue")


def act(pk: int, action: str) -> str:
    return reverse("interventions:alert_act", args=[pk, action])


def test_the_queue_puts_life_risk_first_then_the_nearest_deadline(client, specialist):
    now = timezone.now()
    medium_old = factories.AlertFactory(severity=Severity.MEDIUM, created_at=now - timedelta(hours=3))
    critical_late = factories.AlertFactory(severity=Severity.CRITICAL, created_at=now - timedelta(minutes=1))
    critical_early = factories.AlertFactory(severity=Severity.CRITICAL, created_at=now - timedelta(minutes=4))
    client.force_login(specialist)
    alerts = client.get(QUEUE).context["alerts"]
    assert alerts == [critical_early, critical_late, medium_old]


def test_keyset_pages_show_every_open_alert_once_in_order(client, specialist):
    factories.AlertFactory.create_batch(60, severity=Severity.HIGH)
    factories.AlertFactory.create_batch(55, severity=Severity.MEDIUM)
    client.force_login(specialist)
    seen, url = [], QUEUE
    while url:
        response = client.get(url)
        seen += response.context["alerts"]
        cursor = response.context["next_cursor"]
        url = f"{QUEUE}?after={cursor}" if cursor else ""
    assert len(seen) == len(set(seen)) == 115
    keys = [(-a.severity, a.sla_due_at, a.created_at, a.pk) for a in seen]
    assert keys == sorted(keys)


def test_filters_narrow_the_queue(client, specialist, supervisor):
    region = factories.RegionFactory(code="510100", name="成都市")
    mine = factories.AlertFactory(severity=Severity.HIGH)
    alert_claim(alert=mine, by=specialist)
    factories.AlertFactory(severity=Severity.MEDIUM, buyer=factories.BuyerFactory(region=region))
    factories.AlertFactory(severity=Severity.CRITICAL, source="complaint")
    client.force_login(specialist)

    def shown(query: str) -> set[int]:
        return {a.severity for a in client.get(f"{QUEUE}?{query}").context["alerts"]}

    assert shown("show=mine") == {Severity.HIGH}
    assert shown("show=unclaimed") == {Severity.MEDIUM, Severity.CRITICAL}
    assert shown("severity=4&severity=2") == {Severity.CRITICAL, Severity.MEDIUM}
    assert shown("source=complaint") == {Severity.CRITICAL}
    assert shown("region=510000") == {Severity.MEDIUM}


def test_a_specialist_sees_only_the_desks_they_work(client, specialist):
    factories.AlertFactory(desk=Desk.FRAUD, summary="另一个工作台")
    client.force_login(specialist)
    assert client.get(QUEUE).context["alerts"] == []


def test_the_excerpt_marks_the_match_and_escapes_the_rest(client, specialist):
    text = "<b>你好</b>我真的不想活了"
    start = text.index("不想活了")
    message = factories.MessageFactory(text=text)
    alert = factories.AlertFactory(
        matches=[{"term": "不想活了", "category": "intent", "start": start, "end": start + 4, "message_id": message.pk}]
    )
    alert.messages.add(message)
    client.force_login(specialist)
    page = client.get(QUEUE).text
    assert "&lt;b&gt;你好&lt;/b&gt;我真的<mark>不想活了</mark>" in page


def test_polling_returns_only_the_live_part_and_counts_arrivals(client, specialist):
    client.force_login(specialist)
    since = int((timezone.now() - timedelta(minutes=1)).timestamp())
    factories.AlertFactory(severity=Severity.CRITICAL)
    factories.AlertFactory(severity=Severity.MEDIUM)
    response = client.get(f"{QUEUE}?since={since}", headers={"hx-request": "true"})
    assert "<html" not in response.text
    assert 'data-critical-new="1"' in response.text
    assert "自您打开队列以来有 2 条新预警" in response.text


@pytest.mark.parametrize("rows", [3, 30])
def test_the_queue_runs_the_same_queries_whatever_the_rows(client, specialist, rows, django_assert_num_queries):
    for _ in range(rows):
        message = factories.MessageFactory()
        order = factories.OrderFactory()
        factories.AlertFactory(order=order, merchant=order.merchant).messages.add(message)
    client.force_login(specialist)
    client.get(QUEUE)  # warm the session and the lexicon-free caches
    # one more than before the reminders: the unread-notifications count on the top bar; one more
    # since the case list: my open cases beside "Cases" in the navigation, counted on the desks the
    # page has read already
    with django_assert_num_queries(10):
        page = client.get(QUEUE)
    assert shown(page).count("明确意图 + 方法") == rows  # every alert is a row


def test_next_claims_the_most_urgent_unclaimed_alert(client, specialist, supervisor):
    factories.AlertFactory(severity=Severity.MEDIUM)
    critical = factories.AlertFactory(severity=Severity.CRITICAL)
    client.force_login(specialist)
    response = client.post(reverse("interventions:queue_next"))
    assert response.url == reverse("interventions:alert", args=[critical.pk])
    critical.refresh_from_db()
    assert critical.claimed_by == specialist
    client.force_login(supervisor)
    second = client.post(reverse("interventions:queue_next"))
    assert second.url != response.url


def test_next_with_an_empty_queue_says_so(client, specialist):
    client.force_login(specialist)
    response = client.post(reverse("interventions:queue_next"), follow=True)
    assert "您的工作台没有未认领的预警" in response.text


def test_losing_a_claim_race_tells_who_won(client, specialist, supervisor):
    alert = factories.AlertFactory()
    alert_claim(alert=alert, by=supervisor)
    client.force_login(specialist)
    response = client.post(act(alert.pk, "claim"), follow=True)
    assert "王磊 已抢先认领了这条预警" in response.text


def test_promoting_opens_a_case_owned_by_the_promoter(client, specialist):
    alert = factories.AlertFactory(summary="明确意图 + 农药")
    client.force_login(specialist)
    response = client.post(act(alert.pk, "promote"), {"title": "年轻妈妈 · 除草剂"})
    case = Case.objects.get()
    assert response.url == reverse("interventions:case", args=[case.pk])
    assert (case.title, case.owner, case.buyer) == ("年轻妈妈 · 除草剂", specialist, alert.buyer)
    alert.refresh_from_db()
    assert (alert.status, alert.case) == (Alert.Status.PROMOTED, case)
    page = client.get(response.url).text
    assert "年轻妈妈 · 除草剂" in page
    assert "关联预警" in page


def test_merging_adds_the_alert_to_the_persons_open_case(client, specialist):
    case = factories.CaseFactory(owner=specialist)
    alert = factories.AlertFactory(buyer=case.buyer)
    client.force_login(specialist)
    client.post(act(alert.pk, "merge"), {"case": case.pk})
    alert.refresh_from_db()
    assert (alert.status, alert.case) == (Alert.Status.MERGED, case)
    assert any(e.payload.get("alert_id") == alert.pk for e in case.events.filter(kind=CaseEvent.Kind.ALERT_LINKED))


def test_an_alert_cannot_be_merged_into_a_case_of_another_desk(client, specialist):
    other_desk = factories.CaseFactory(desk=Desk.FRAUD)
    alert = factories.AlertFactory()
    client.force_login(specialist)
    assert client.post(act(alert.pk, "merge"), {"case": other_desk.pk}).status_code == 404
    alert.refresh_from_db()
    assert alert.status == Alert.Status.NEW


def test_dismissing_needs_a_reason_from_the_list(client, specialist):
    alert = factories.AlertFactory()
    client.force_login(specialist)
    client.post(act(alert.pk, "dismiss"), {"reason": "because"})
    alert.refresh_from_db()
    assert alert.status == Alert.Status.NEW
    client.post(act(alert.pk, "dismiss"), {"reason": "false_alarm"})
    alert.refresh_from_db()
    assert (alert.status, alert.dismiss_reason) == (Alert.Status.DISMISSED, "false_alarm")


def test_an_alert_claimed_by_a_colleague_is_theirs_but_a_supervisor_may_act(client, specialist, supervisor):
    colleague = factories.UserFactory(display_name="武纲")
    from accounts.services import user_set_roles

    user_set_roles(user=colleague, roles=["specialist"], by=None)
    alert = factories.AlertFactory()
    alert_claim(alert=alert, by=colleague)
    client.force_login(specialist)
    response = client.post(act(alert.pk, "dismiss"), {"reason": "false_alarm"}, follow=True)
    assert "武纲 正在处理这条预警" in response.text
    client.force_login(supervisor)
    client.post(act(alert.pk, "dismiss"), {"reason": "duplicate"})
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DISMISSED


@pytest.mark.parametrize("persona", ["merchant_a", "liaison", "integration", "outsider"])
def test_alert_and_case_pages_are_404_for_everyone_off_the_queue(client, personas, persona):
    alert, case = factories.AlertFactory(), factories.CaseFactory()
    client.force_login(personas[persona])
    for url in (
        reverse("interventions:alert", args=[alert.pk]),
        reverse("interventions:case", args=[case.pk]),
        act(alert.pk, "claim"),
        reverse("interventions:queue_next"),
    ):
        response = client.post(url) if url.endswith(("/claim/", "/next/")) else client.get(url)
        assert response.status_code == 404, url
    alert.refresh_from_db()
    assert alert.status == Alert.Status.NEW


def test_an_unknown_action_is_not_found(client, specialist):
    alert = factories.AlertFactory()
    client.force_login(specialist)
    assert client.post(act(alert.pk, "delete")).status_code == 404
    assert Alert.objects.filter(pk=alert.pk, status=Alert.Status.NEW).exists()


def test_a_supervisor_dismisses_in_bulk_and_each_alert_keeps_its_history(client, supervisor, specialist):
    alerts = factories.AlertFactory.create_batch(3)
    already_gone = factories.AlertFactory(status=Alert.Status.DISMISSED, dismiss_reason="duplicate")
    client.force_login(supervisor)
    response = client.post(
        reverse("interventions:queue_bulk"),
        {"alerts": [a.pk for a in alerts] + [already_gone.pk], "reason": "false_alarm"},
        follow=True,
    )
    assert "3 条中已处理 3 条" in response.text  # the one that had left the queue is not counted
    for alert in alerts:
        alert.refresh_from_db()
        assert alert.status == Alert.Status.DISMISSED
        assert alert.history.latest().history_user == supervisor


def test_a_supervisor_merges_in_bulk_into_one_case(client, supervisor):
    case = factories.CaseFactory(owner=supervisor)
    alerts = factories.AlertFactory.create_batch(2)
    client.force_login(supervisor)
    client.post(reverse("interventions:queue_bulk"), {"alerts": [a.pk for a in alerts], "case": case.pk})
    assert set(case.alerts.values_list("status", flat=True)) == {Alert.Status.MERGED}
    assert case.events.filter(kind=CaseEvent.Kind.ALERT_LINKED).count() == 2


def test_specialists_do_not_triage_in_bulk(client, specialist):
    alert = factories.AlertFactory()
    client.force_login(specialist)
    assert (
        client.post(reverse("interventions:queue_bulk"), {"alerts": [alert.pk], "reason": "false_alarm"}).status_code
        == 404
    )
    assert 'form="bulk-form"' not in client.get(QUEUE).text
    alert.refresh_from_db()
    assert alert.status == Alert.Status.NEW
