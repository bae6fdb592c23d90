"""The case workspace: risk ratings, interceptions, re-order watch, referrals, check-ins, closing,
and the supervisors' review of what was done at once."""

from datetime import UTC, date, datetime, time

import pytest
from django.urls import reverse

from accounts.refusals import Invalid
from interventions.models import Alert, Case, CaseEvent, CheckIn, EmergencyAction, PoliceReferral, RiskAssessment
from interventions.risk import cssrs_level, factors_level
from interventions.selectors import police_units_for_case
from interventions.services import (
    CaseClosed,
    case_assess_risk,
    case_close,
    case_reopen,
    checkin_plan,
    order_intercept,
    police_refer,
)
from orders.models import InterceptionRequest, Order
from tests import factories
from tests.pages import shown

R = Case.RiskLevel
F = RiskAssessment.Factor


@pytest.mark.parametrize(
    ("answers", "level"),
    [
        ({}, R.UNASSESSED),
        ({"q1": True}, R.LOW),
        ({"q1": True, "q2": True}, R.LOW),
        ({"q2": True, "q3": True}, R.MODERATE),
        ({"q6": True}, R.MODERATE),
        ({"q6": True, "q6_recent": True}, R.HIGH),
        ({"q2": True, "q4": True}, R.HIGH),
        ({"q5": True}, R.HIGH),
    ],
)
def test_cssrs_screener_triage_follows_the_published_rule(answers, level):
    assert cssrs_level(answers) == level


@pytest.mark.parametrize(
    ("factors", "level"),
    [
        (set(), R.UNASSESSED),
        ({F.RECENT_SETBACK}, R.LOW),
        ({F.EXPLICIT_INTENT, F.PSYCHIATRIC_HISTORY}, R.MODERATE),
        ({F.EXPLICIT_INTENT, F.PREPARED_METHOD}, R.HIGH),
        ({F.EXPLICIT_INTENT, F.PREPARED_METHOD, F.BACKUP_PLAN}, R.CRITICAL),
    ],
)
def test_the_seeds_rule_intent_plus_prepared_method_is_high(factors, level):
    assert factors_level(factors) == level


@pytest.fixture
def case(specialist):
    region = factories.RegionFactory(code="510100", name="成都市")
    return factories.CaseFactory(owner=specialist, buyer=factories.BuyerFactory(region=region))


def test_a_reassessment_is_a_new_entry_and_the_case_follows_the_latest(case, specialist):
    case_assess_risk(case=case, by=specialist, cssrs={"q1": True}, factors=[], note="只说累")
    case_assess_risk(case=case, by=specialist, cssrs={"q4": True}, factors=[F.EXPLICIT_INTENT, F.PREPARED_METHOD])
    case.refresh_from_db()
    assert case.risk_level == R.HIGH
    assert list(case.assessments.values_list("level", flat=True)) == [R.HIGH, R.LOW]
    assert case.events.filter(kind=CaseEvent.Kind.ASSESSED).count() == 2


def test_an_interception_at_high_risk_takes_effect_and_waits_for_review(case, specialist):
    case.risk_level = R.HIGH
    case.save()
    order = factories.OrderFactory(buyer=case.buyer, product=factories.ProductFactory(risk_category="pesticide"))
    request = order_intercept(case=case, order=order, by=specialist)
    assert (request.kind, request.status) == ("hold", "requested")
    assert order_intercept(case=case, order=order, by=specialist) == request  # asking twice: one request
    action = EmergencyAction.objects.get()
    assert (action.interception, action.review, action.risk_level) == (request, "pending", R.HIGH)


def test_an_interception_at_low_risk_is_not_an_emergency(case, specialist):
    order_intercept(case=case, order=factories.OrderFactory(buyer=case.buyer), by=specialist)
    assert not EmergencyAction.objects.exists()


def test_a_shipped_order_is_recalled_and_a_held_answer_marks_the_order(client, case, specialist):
    order = factories.OrderFactory(buyer=case.buyer, status=Order.Status.SHIPPED, tracking_no="SF9")
    client.force_login(specialist)
    client.post(reverse("interventions:case_act", args=[case.pk, "intercept"]), {"order": order.pk})
    request = InterceptionRequest.objects.get()
    assert request.kind == "recall"
    client.post(
        reverse("interventions:case_act", args=[case.pk, "answer"]),
        {"interception": request.pk, "status": "held", "note": "快递已拦回"},
    )
    order.refresh_from_db()
    request.refresh_from_db()
    assert (order.status, request.status) == (Order.Status.HELD, "held")
    assert case.events.filter(kind=CaseEvent.Kind.INTERCEPTION_UPDATED).exists()


def test_another_persons_order_cannot_be_intercepted_from_the_case(client, case, specialist):
    client.force_login(specialist)
    stranger = factories.OrderFactory()
    response = client.post(reverse("interventions:case_act", args=[case.pk, "intercept"]), {"order": stranger.pk})
    assert response.status_code == 404
    assert not InterceptionRequest.objects.exists()


def test_a_reorder_of_high_risk_goods_at_another_shop_raises_a_critical_alert_on_the_case(api, case, shop_b):
    order = {
        "order_ref": "TB-B-1",
        "buyer_ref": case.buyer.account_ref,
        "merchant_ref": shop_b.external_ref,
        "product_ref": "wt-001",
        "product_name": "除草剂 高浓度",
        "risk_category": "pesticide",
        "quantity": 1,
        "status": "paid",
        "ordered_at": "2026-11-23T16:05:00+08:00",
    }
    assert api.post(reverse("api-intake-orders"), {"orders": [order]}, format="json").status_code == 202
    alert = Alert.objects.get()
    assert (alert.severity, alert.case, alert.status, alert.merchant) == (4, case, "new", shop_b)
    assert case.events.filter(kind=CaseEvent.Kind.REORDER_DETECTED).exists()
    api.post(reverse("api-intake-orders"), {"orders": [{**order, "status": "shipped"}]}, format="json")
    assert Alert.objects.count() == 1


def test_an_ordinary_order_or_a_closed_case_raises_nothing(api, case, shop_b):
    order = {
        "order_ref": "TB-B-2",
        "buyer_ref": case.buyer.account_ref,
        "merchant_ref": shop_b.external_ref,
        "product_ref": "cup",
        "product_name": "保温杯",
        "quantity": 1,
        "status": "paid",
        "ordered_at": "2026-11-23T16:05:00+08:00",
    }
    api.post(reverse("api-intake-orders"), {"orders": [order]}, format="json")
    case_close(case=case, by=case.owner, outcome="safe", summary="已安全")
    risky = {**order, "order_ref": "TB-B-3", "product_ref": "x", "risk_category": "pesticide"}
    api.post(reverse("api-intake-orders"), {"orders": [risky]}, format="json")
    assert not Alert.objects.exists()


def test_the_police_of_the_persons_city_come_first(case):
    province = factories.RegionFactory(code="510000", name="四川省", level=1)
    case.buyer.region.parent = province
    case.buyer.region.save()
    elsewhere = factories.PoliceUnitFactory(name="杭州市公安局")
    city = factories.PoliceUnitFactory(name="成都市公安局", region=case.buyer.region)
    provincial = factories.PoliceUnitFactory(name="四川省公安厅", region=province)
    assert police_units_for_case(case)[:3] == [city, provincial, elsewhere]


def test_a_referral_at_critical_risk_is_queued_for_review(case, specialist):
    case.risk_level = R.CRITICAL
    case.save()
    referral = police_refer(
        case=case,
        unit=factories.PoliceUnitFactory(),
        by=specialist,
        what_reported="年轻妈妈欲服除草剂,地址在成都",
        reference_no="JJ2026-1",
    )
    assert EmergencyAction.objects.get().referral == referral
    assert case.events.get(kind=CaseEvent.Kind.POLICE_REFERRED).payload["reference_no"] == "JJ2026-1"


def test_good_morning_at_0830_shanghai_is_0030_utc(case, specialist):
    [checkin] = checkin_plan(
        case=case, by=specialist, local_day=date(2026, 11, 24), local_time=time(8, 30), channel="chat", text="早上好"
    )
    assert checkin.due_at == datetime(2026, 11, 24, 0, 30, tzinfo=UTC)
    assert (checkin.status, checkin.owner) == (CheckIn.Status.PLANNED, specialist)


def test_a_check_in_across_a_dst_change_keeps_the_local_time(case, specialist):
    case.buyer.time_zone = "America/New_York"
    case.buyer.save()
    days = checkin_plan(
        case=case, by=specialist, local_day=date(2026, 10, 31), local_time=time(8, 30), channel="sms", days=3
    )
    assert [checkin.due_at for checkin in days] == [
        datetime(2026, 10, 31, 12, 30, tzinfo=UTC),  # EDT, UTC-4
        datetime(2026, 11, 1, 13, 30, tzinfo=UTC),  # the clocks went back at 02:00 that morning: EST, UTC-5
        datetime(2026, 11, 2, 13, 30, tzinfo=UTC),
    ]


def test_a_closed_case_needs_a_summary_refuses_actions_and_reopens_with_a_reason(client, case, specialist):
    with pytest.raises(Invalid, match="结案小结"):  # refusals reach the person in their language
        case_close(case=case, by=specialist, outcome="safe", summary=" ")
    case_close(case=case, by=specialist, outcome="safe", summary="当事人已安全,家属陪同")
    with pytest.raises(CaseClosed):
        order_intercept(case=case, order=factories.OrderFactory(buyer=case.buyer), by=specialist)
    client.force_login(specialist)
    refused = client.post(reverse("interventions:case_act", args=[case.pk, "reopen"]), {"reason": ""}, follow=True)
    assert "未保存" in refused.text
    with pytest.raises(Invalid, match="必须填写原因"):
        case_reopen(case=case, by=specialist, reason=" ")
    case.refresh_from_db()
    assert case.is_closed
    client.post(reverse("interventions:case_act", args=[case.pk, "reopen"]), {"reason": "当事人再次发消息"})
    case.refresh_from_db()
    assert (case.status, case.outcome) == (Case.Status.OPEN, "")


def test_bad_input_to_an_action_saves_nothing_and_says_why(client, case, specialist):
    client.force_login(specialist)
    response = client.post(reverse("interventions:case_act", args=[case.pk, "refer"]), {"unit": "x"}, follow=True)
    assert "未保存" in response.text
    assert not PoliceReferral.objects.exists()
    assert client.post(reverse("interventions:case_act", args=[case.pk, "explode"])).status_code == 404


def test_the_case_can_only_be_handed_over_to_someone_on_the_desk(client, case, specialist, outsider):
    client.force_login(specialist)
    response = client.post(
        reverse("interventions:case_act", args=[case.pk, "handover"]), {"to": outsider.pk, "note": "x"}
    )
    assert response.status_code == 404


def test_a_specialist_hands_the_case_over_to_a_colleague_on_the_desk_with_what_they_need_to_know(
    client, case, specialist, supervisor
):
    note = "今晚21点要回访,她妈妈的电话在联系人里"
    client.force_login(specialist)
    response = client.post(
        reverse("interventions:case_act", args=[case.pk, "handover"]), {"to": supervisor.pk, "note": note}
    )
    assert response.url == reverse("interventions:case", args=[case.pk])
    case.refresh_from_db()
    assert case.owner == supervisor
    event = case.events.get(kind=CaseEvent.Kind.HANDED_OVER)
    assert (event.actor, event.payload) == (
        specialist,
        {"previous": str(specialist), "to": str(supervisor), "text": note},
    )
    assert case.history.latest().history_user == specialist
    client.force_login(supervisor)  # the new owner reads what they need to know on the timeline
    shown(client.get(reverse("interventions:case", args=[case.pk])), note, str(specialist))


def test_a_supervisor_reviews_an_emergency_action(client, case, specialist, supervisor):
    case.risk_level = R.HIGH
    case.save()
    order_intercept(case=case, order=factories.OrderFactory(buyer=case.buyer), by=specialist)
    action = EmergencyAction.objects.get()
    client.force_login(specialist)
    assert client.get(reverse("interventions:reviews")).status_code == 404
    client.force_login(supervisor)
    page = client.get(reverse("interventions:reviews"))
    assert case.reference in page.text
    client.post(reverse("interventions:review_act", args=[action.pk]), {"decision": "flag", "note": "先打电话再拦截"})
    action.refresh_from_db()
    assert (action.review, action.reviewed_by, action.review_note) == ("flagged", supervisor, "先打电话再拦截")
    assert case.events.filter(kind=CaseEvent.Kind.REVIEWED).exists()


@pytest.mark.parametrize("persona", ["merchant_a", "liaison", "outsider"])
def test_case_actions_are_404_off_the_queue(client, personas, persona, case):
    client.force_login(personas[persona])
    assert client.post(reverse("interventions:case_act", args=[case.pk, "note"]), {"text": "x"}).status_code == 404
    assert not case.events.exists()


def test_the_case_page_shows_the_workspace_in_a_bounded_number_of_queries(
    client, case, specialist, django_assert_max_num_queries
):
    for _ in range(5):
        factories.OrderFactory(buyer=case.buyer)
        factories.CaseEventFactory(case=case)
    client.force_login(specialist)
    client.get(reverse("accounts:home"))  # the session notes the activity, once a minute at most
    # 32 today, of which one is the access-log row written for every opening, one the count of my
    # open cases in the navigation (on the desks the page has read already) and one the first-action
    # clock; the count does not grow with the data (test_specialist_pages).
    with django_assert_max_num_queries(32):
        response = client.get(reverse("interventions:case", args=[case.pk]))
    shown(response, case.reference, *(order.external_ref for order in case.buyer.orders.all()))


def test_the_case_shows_the_persons_other_alerts_cases_and_shared_indicators(client, case, specialist):
    from fraud.services import indicator_sight

    earlier = factories.AlertFactory(buyer=case.buyer, summary="三个月前的预警")
    older_case = factories.CaseFactory(buyer=case.buyer, owner=specialist)
    for each in (case, older_case):
        indicator_sight(kind="phone", raw="138 0013 8000", case=each)
    client.force_login(specialist)
    page = client.get(reverse("interventions:case", args=[case.pk])).text
    assert earlier.summary in page
    assert older_case.reference in page
    assert "+8613800138000" in page
    assert "另有 1 个个案" in page


def test_the_police_directory_lists_units_by_region_with_24h_phones(client, specialist):
    unit = factories.PoliceUnitFactory(name="厦门市反诈骗中心", kind="anti_fraud_centre", phone_24h="0592-5550-0096")
    client.force_login(specialist)
    page = client.get(reverse("interventions:police_units")).text
    assert unit.name in page
    assert "0592-5550-0096" in page


def test_the_suicide_risk_screener_is_shown_on_life_cases_only(client, specialist, fraud_specialist):
    life = factories.CaseFactory(owner=specialist)
    fraud = factories.CaseFactory(desk="fraud", owner=fraud_specialist)
    client.force_login(specialist)
    assert "C-SSRS" in client.get(reverse("interventions:case", args=[life.pk])).text
    client.force_login(fraud_specialist)
    assert "C-SSRS" not in client.get(reverse("interventions:case", args=[fraud.pk])).text
