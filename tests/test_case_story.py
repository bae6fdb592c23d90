"""A case page that tells the story: timeline lines with what they are about, the alert's
indicators, a stop-payment drafted from the victim's complaint, an answer nobody chose for the
shop, and only the outcomes of the case's desk. And break-glass that looks like what it is: a case
read outside one's desks says why and until when, and offers nothing to do."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Desk
from accounts.refusals import Invalid
from fraud.models import Indicator
from fraud.payments import amount_paid
from fraud.services import indicator_block, indicator_sight
from interventions.choices import Source
from interventions.models import Case, CaseEvent
from interventions.selectors import case_timeline, stop_payment_draft
from interventions.services import (
    case_assess_risk,
    case_close,
    interception_record_answer,
    order_intercept,
    police_refer,
    referral_record_receipt,
)
from orders.models import InterceptionRequest
from tests import factories
from tests.pages import inputs, options, post_forms, shown, texts


def _case_page(client, case) -> str:
    return shown(client.get(reverse("interventions:case", args=[case.pk])), case.reference)


# --- the timeline tells what each action was --------------------------------------------------------


def test_an_assessment_line_shows_its_risk_level_and_answers(client, specialist):
    case = factories.CaseFactory(owner=specialist)
    case_assess_risk(
        case=case,
        by=specialist,
        cssrs={"q1": True, "q2": True, "q4": True, "q6": True, "q6_recent": True},
        factors=["explicit_intent", "prepared_method"],
        note="已买除草剂",
    )
    client.force_login(specialist)
    [line] = texts(_case_page(client, case), "event-assessment")
    assert "风险 高" in line
    assert "1 是 2 是 3 否 4 是 5 否 6 是 (近三个月内)" in line
    assert "明确意图、已准备方法(已购买、触手可及)" in line


def test_an_interception_line_shows_the_shops_answer_and_tracking_number(client, specialist, merchant_a, shop_a):
    case = factories.CaseFactory(owner=specialist)
    order = factories.OrderFactory(buyer=case.buyer, product=factories.ProductFactory(merchant=shop_a))
    interception = order_intercept(case=case, order=order, by=specialist)
    client.force_login(merchant_a)
    client.post(
        reverse("orders:interception_answer", args=[interception.pk]),
        {"status": "shipped", "tracking_no": "SF1234567890", "note": "上午已发出"},
    )
    client.force_login(specialist)
    requested, answered = texts(_case_page(client, case), "event-interception")
    assert requested == f"商家 {shop_a.name} · 发货前拦截"
    assert "商家答复 已发货" in answered
    assert "运单号 SF1234567890" in answered


def test_a_released_order_is_not_told_as_the_shops_answer(client, specialist):
    from interventions.services import interception_release

    case = factories.CaseFactory(owner=specialist)
    interception = order_intercept(case=case, order=factories.OrderFactory(buyer=case.buyer), by=specialist)
    interception_record_answer(interception=interception, by=specialist, status="held")
    interception_release(interception=interception, by=specialist, reason="当事人已安全")
    client.force_login(specialist)
    _requested, held, released = texts(_case_page(client, case), "event-interception")
    assert "商家答复 已拦截" in held
    assert "商家答复" not in released
    assert "状态 已放行：可以发货" in released


@pytest.mark.parametrize("status", ["requested", "released", "nonsense"])
def test_only_a_shops_answer_is_recorded_as_one(specialist, status):
    """Released is the specialist's decision (interception_release), requested is where a request
    starts: neither is an answer, from the case page or the shop's portal."""
    from accounts.refusals import Invalid

    case = factories.CaseFactory(owner=specialist)
    interception = order_intercept(case=case, order=factories.OrderFactory(buyer=case.buyer), by=specialist)
    with pytest.raises(Invalid):
        interception_record_answer(interception=interception, by=specialist, status=status)
    interception.refresh_from_db()
    assert interception.status == "requested"


def test_a_request_already_answered_takes_no_second_answer(specialist):
    from accounts.refusals import Conflict

    case = factories.CaseFactory(owner=specialist)
    interception = order_intercept(case=case, order=factories.OrderFactory(buyer=case.buyer), by=specialist)
    interception_record_answer(interception=interception, by=specialist, status="confirmed")
    interception_record_answer(interception=interception, by=specialist, status="held")  # confirmed, then held
    with pytest.raises(Conflict):
        interception_record_answer(interception=interception, by=specialist, status="shipped")
    interception.refresh_from_db()
    assert interception.status == "held"


def test_a_referral_line_shows_the_unit_and_its_answer(client, specialist, liaison):
    case = factories.CaseFactory(owner=specialist)
    unit = factories.PoliceUnitFactory(name="余杭区公安分局五常派出所", phone_24h="0571-5550-0110")
    police_refer(case=case, unit=unit, by=specialist, what_reported="当事人欲轻生", reference_no="JJ2026-7")
    centre = liaison.police_liaison.unit
    to_centre = police_refer(case=case, unit=centre, by=specialist, what_reported="转账被骗")
    referral_record_receipt(referral=to_centre, by=liaison, status="received")
    client.force_login(specialist)
    station, fraud_centre, received = texts(_case_page(client, case), "event-referral")
    assert station == "警方单位 余杭区公安分局五常派出所 · 属地公安 · 24小时 0571-5550-0110 警方受理编号 JJ2026-7"
    assert fraud_centre.startswith(f"警方单位 {centre.name} · 反诈中心")
    assert received.endswith("状态 警方已接收")


def test_the_timeline_reads_each_kind_of_row_once_however_many_lines(specialist, django_assert_num_queries):
    case = factories.CaseFactory(owner=specialist)

    def act() -> None:
        order = factories.OrderFactory(buyer=case.buyer)
        case_assess_risk(case=case, by=specialist, cssrs={"q2": True}, factors=[])
        interception = order_intercept(case=case, order=order, by=specialist)
        interception_record_answer(interception=interception, by=specialist, status="held")
        police_refer(case=case, unit=factories.PoliceUnitFactory(), by=specialist, what_reported="报警")

    act()
    with CaptureQueriesContext(connection) as few:
        case_timeline(case)
    act()
    act()
    with django_assert_num_queries(len(few.captured_queries)):
        events = case_timeline(case)
    assert len(few.captured_queries) == 4  # the lines, then assessments, interceptions, referrals
    assert sum(1 for event in events if event.assessment) == 3
    assert sum(1 for event in events if event.interception) == 6
    assert all(event.referral.unit.name for event in events if event.kind == CaseEvent.Kind.POLICE_REFERRED)


def test_the_timeline_does_not_show_another_cases_row(specialist):
    case, other = factories.CaseFactory(owner=specialist), factories.CaseFactory(owner=specialist)
    theirs = factories.RiskAssessmentFactory(case=other)
    factories.CaseEventFactory(case=case, kind=CaseEvent.Kind.ASSESSED, payload={"assessment_id": theirs.pk})
    [event] = case_timeline(case)
    assert event.assessment is None


def test_the_incident_review_reads_the_same_timeline(client, supervisor, specialist):
    from interventions.services import incident_review_open

    case = factories.CaseFactory(owner=specialist)
    case_assess_risk(case=case, by=specialist, cssrs={"q5": True}, factors=[])
    review = incident_review_open(case=case, by=supervisor)
    client.force_login(supervisor)
    page = shown(client.get(reverse("interventions:incident_review", args=[review.pk])))
    assert "5 是" in texts(page, "event-assessment")[0]


# --- the alert's indicators ------------------------------------------------------------------------


def test_the_alert_page_lists_its_indicators_and_where_else_they_were_seen(client, fraud_specialist, supervisor):
    alert = factories.AlertFactory(desk=Desk.FRAUD, source=Source.COMPLAINT, summary="游戏币诈骗")
    indicator_sight(kind="payee", raw="alipay:game_coin_seller_88", alert=alert)
    indicator_sight(kind="phone", raw="138 0013 8000", alert=alert)
    for _ in range(2):  # two earlier complaints paid the same account
        indicator_sight(kind="payee", raw="alipay:game_coin_seller_88", alert=factories.AlertFactory(desk=Desk.FRAUD))
    indicator_sight(kind="payee", raw="alipay:game_coin_seller_88", case=factories.CaseFactory(desk=Desk.FRAUD))
    indicator_block(indicator=Indicator.objects.get(kind="phone"), by=supervisor, reason="已确认诈骗号码")
    client.force_login(fraud_specialist)
    page = shown(client.get(reverse("interventions:alert", args=[alert.pk])), alert.summary)
    [listed] = texts(page, "alert-indicators")
    assert "收款账户: alipay:game_coin_seller_88 另有 1 个个案 另有 2 条投诉或预警" in listed
    assert "手机号: +8613800138000 已列入黑名单" in listed
    assert reverse("fraud:indicator", args=[Indicator.objects.get(kind="payee").pk]) in page


def test_an_alert_in_a_case_lists_the_cases_indicators_too(client, fraud_specialist):
    case = factories.CaseFactory(desk=Desk.FRAUD, owner=fraud_specialist)
    alert = factories.AlertFactory(desk=Desk.FRAUD, case=case, status="promoted")
    indicator_sight(kind="payee", raw="6222020200112233445", case=case, by=fraud_specialist)
    client.force_login(fraud_specialist)
    [listed] = texts(shown(client.get(reverse("interventions:alert", args=[alert.pk]))), "alert-indicators")
    assert "收款账户: 6222020200112233445" in listed
    assert "另有" not in listed  # seen in this case only


def test_a_fraud_alert_without_indicators_says_so(client, fraud_specialist):
    alert = factories.AlertFactory(desk=Desk.FRAUD)
    client.force_login(fraud_specialist)
    [listed] = texts(shown(client.get(reverse("interventions:alert", args=[alert.pk]))), "alert-indicators")
    assert listed == "线索 所写内容中未发现线索。"


def test_the_alert_page_reads_its_indicators_in_fixed_queries(client, fraud_specialist, django_assert_num_queries):
    alert = factories.AlertFactory(desk=Desk.FRAUD)

    def sight(n: int) -> None:
        for number in range(n):
            indicator_sight(kind="url", raw=f"http://taobao-refund{number}.top/x", alert=alert)

    sight(2)
    client.force_login(fraud_specialist)
    url = reverse("interventions:alert", args=[alert.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        shown(client.get(url), "taobao-refund1.top")
    sight(6)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert "taobao-refund5.top" in shown(page)


# --- the stop-payment drafted from the complaint -------------------------------------------------------

COMPLAINT = "游戏好友说2亿游戏币只卖1.3万,我通过支付宝转了13000元到他给的账号 支付宝: game_coin_seller_88,联系不上了"


def _complaint_case(fraud_specialist, *, text=COMPLAINT, minutes_ago=12):
    case = factories.CaseFactory(desk=Desk.FRAUD, owner=fraud_specialist, title="游戏币诈骗")
    alert = factories.AlertFactory(desk=Desk.FRAUD, source=Source.COMPLAINT, case=case, status="promoted")
    alert.messages.add(
        factories.MessageFactory(
            source=Source.COMPLAINT,
            buyer=case.buyer,
            text=text,
            sent_at=timezone.now() - timedelta(minutes=minutes_ago),
        )
    )
    return case


def test_the_stop_payment_form_is_filled_from_the_complaint(client, fraud_specialist):
    with time_machine.travel(datetime(2026, 11, 23, 12, 30, tzinfo=timezone.get_current_timezone()), tick=False):
        case = _complaint_case(fraud_specialist)
        client.force_login(fraud_specialist)
        values = inputs(_case_page(client, case))
    assert values["payee_account"] == "alipay:game_coin_seller_88"
    assert values["amount"] == "13000.00"
    assert values["reported_at"] == "2026-11-23T12:18"  # the complaint's time, Beijing time
    assert values["paid_at"] == ""  # when they paid is the specialist's to ask


def test_a_draft_takes_the_complaint_before_a_chat_and_the_cases_payee_when_the_words_name_none(
    fraud_specialist,
):
    case = _complaint_case(fraud_specialist, text="我被骗了,扫码付款2800元后就被拉黑了", minutes_ago=5)
    chat = factories.AlertFactory(desk=Desk.FRAUD, case=case, status="merged")
    chat.messages.add(factories.MessageFactory(text="转了500元", sent_at=timezone.now() - timedelta(hours=2)))
    indicator_sight(kind="payee", raw="wechat:seller_x", case=case, by=fraud_specialist)
    indicator_sight(kind="phone", raw="13800138000", case=case, by=fraud_specialist)
    now = timezone.now()
    draft = stop_payment_draft(
        alerts=case.alerts.prefetch_related("messages"), indicators=list(Indicator.objects.all()), now=now
    )
    assert draft["payee_account"] == "wechat:seller_x"
    assert draft["amount"] == Decimal("2800.00")
    assert now - timedelta(minutes=6) < draft["reported_at"] < now - timedelta(minutes=4)


def test_a_case_without_a_message_drafts_now_and_no_sum(fraud_specialist):
    now = timezone.now()
    assert stop_payment_draft(alerts=[], indicators=[], now=now) == {
        "payee_account": "",
        "amount": None,
        "reported_at": now,
    }


@pytest.mark.parametrize(
    ("text", "paid"),
    [
        (COMPLAINT, "13000.00"),  # the price of the coins (1.3万) is not what was paid
        ("游戏好友说2亿游戏币只卖1.3万,我转到对方提供的支付宝,转完就联系不上了", "13000.00"),
        ("扫码付款２８００元后就被拉黑了", "2800.00"),  # full-width digits
        ("对方让我先付了¥1,299.50的保证金", "1299.50"),
        ("收到退款500元后又转了3000元", "3000.00"),  # the sum after a word of paying
        ("转了1.5万给他", "15000.00"),
        ("我买了2万游戏币", None),  # coins, not money
        ("转了一万三", None),  # Chinese numerals are not read
        ("转了13,000", None),  # a number without a unit of money
        ("你好,请问什么时候发货?", None),
    ],
)
def test_the_sum_paid_is_read_from_the_complaint(text, paid):
    assert amount_paid(text) == (Decimal(paid) if paid else None)


@given(st.text())
def test_reading_a_sum_never_fails_and_never_reads_nothing_as_money(text):
    paid = amount_paid(text)
    assert paid is None or (paid > 0 and paid == paid.quantize(Decimal("0.01")))


# --- nobody chooses the shop's answer for it ----------------------------------------------------------


@pytest.fixture
def asked(specialist, shop_a):
    case = factories.CaseFactory(owner=specialist)
    order = factories.OrderFactory(buyer=case.buyer, product=factories.ProductFactory(merchant=shop_a))
    return order_intercept(case=case, order=order, by=specialist)


def test_the_shops_answer_form_chooses_nothing_for_it(client, merchant_a, asked):
    client.force_login(merchant_a)
    choices = options(shown(client.get(reverse("orders:interceptions"))), "status")
    assert choices[0] == ("", False)
    assert [value for value, _selected in choices[1:]] == ["held", "shipped", "failed"]
    assert not any(selected for _value, selected in choices)


@pytest.mark.parametrize(
    ("language", "told"), [("zh-hans", "请选择这笔订单的处理结果。"), ("en", "Choose what became of the order.")]
)
def test_an_answer_sent_without_a_choice_is_told_and_not_recorded(client, merchant_a, asked, language, told):
    merchant_a.language = language
    merchant_a.save(update_fields=["language"])
    client.force_login(merchant_a)
    url = reverse("orders:interception_answer", args=[asked.pk])
    response = client.post(url, {"status": "", "note": "?"}, follow=True)
    assert told in response.text
    asked.refresh_from_db()
    assert asked.status == InterceptionRequest.Status.REQUESTED
    assert not asked.case.events.filter(kind=CaseEvent.Kind.INTERCEPTION_UPDATED).exists()


def test_the_specialists_record_of_the_shops_answer_chooses_nothing_either(client, specialist, asked):
    client.force_login(specialist)
    choices = options(_case_page(client, asked.case), "status")
    assert choices[0] == ("", False)
    assert not any(selected for _value, selected in choices)
    url = reverse("interventions:case_act", args=[asked.case.pk, "answer"])
    response = client.post(url, {"interception": asked.pk, "status": ""}, follow=True)
    assert "请选择商家答复了什么。" in response.text
    asked.refresh_from_db()
    assert asked.status == InterceptionRequest.Status.REQUESTED


# --- the outcomes of the case's desk --------------------------------------------------------------


def test_the_close_form_offers_the_outcomes_of_the_cases_desk(client, specialist, fraud_specialist):
    life = factories.CaseFactory(owner=specialist)
    fraud = factories.CaseFactory(owner=fraud_specialist, desk=Desk.FRAUD)
    client.force_login(specialist)
    assert [value for value, _ in options(_case_page(client, life), "outcome")] == [
        "",  # the prompt: nothing is chosen beforehand
        "safe",
        "referred",
        "unreachable",
        "false_alarm",
    ]
    client.force_login(fraud_specialist)
    assert [value for value, _ in options(_case_page(client, fraud), "outcome")] == [
        "",
        "fraud_stopped",
        "fraud_loss",
        "referred",
        "unreachable",
        "false_alarm",
    ]


def test_every_outcome_belongs_to_a_desk():
    assert {o for outcomes in Case.DESK_OUTCOMES.values() for o in outcomes} == set(Case.Outcome)
    assert set(Case.DESK_OUTCOMES) == set(Desk)


def test_closing_with_the_other_desks_outcome_is_refused_by_the_service(specialist, fraud_specialist):
    life = factories.CaseFactory(owner=specialist)
    with pytest.raises(Invalid, match="防自杀条线的个案不能以“已阻止诈骗”结案"):
        case_close(case=life, by=specialist, outcome="fraud_stopped", summary="资金已止付")
    fraud = factories.CaseFactory(owner=fraud_specialist, desk=Desk.FRAUD)
    with pytest.raises(Invalid):
        case_close(case=fraud, by=fraud_specialist, outcome="safe", summary="已安全")
    for case in (life, fraud):
        case.refresh_from_db()
        assert (case.status, case.outcome) == ("open", "")
    assert case_close(case=fraud, by=fraud_specialist, outcome="fraud_stopped", summary="已止付").is_closed


def test_a_posted_outcome_of_the_other_desk_is_told_and_nothing_closes(client, specialist):
    case = factories.CaseFactory(owner=specialist)
    client.force_login(specialist)
    url = reverse("interventions:case_act", args=[case.pk, "close"])
    response = client.post(url, {"outcome": "fraud_loss", "summary": "已损失"}, follow=True)
    assert "未保存" in response.text
    assert "不能以“已发生损失”结案" in response.text
    case.refresh_from_db()
    assert case.status == "open"


def test_the_close_form_chooses_no_outcome_and_a_missing_one_is_told(client, specialist):
    case = factories.CaseFactory(owner=specialist)
    client.force_login(specialist)
    page = client.get(reverse("interventions:case", args=[case.pk])).text
    assert '<option value="" selected>请选择结案结果</option>' in page
    url = reverse("interventions:case_act", args=[case.pk, "close"])
    response = client.post(url, {"outcome": "", "summary": "已联系家属"}, follow=True)
    assert "请选择个案的结局。" in response.text
    case.refresh_from_db()
    assert case.status == "open"


# --- break-glass reads, and offers nothing to do ----------------------------------------------------

REASON = "当事人来电称要轻生,需看诈骗经过"


@pytest.fixture
def glass(client, specialist):
    """A fraud case, opened by a life-desk specialist through break-glass at 14:05."""
    case = factories.CaseFactory(desk=Desk.FRAUD, title="游戏币诈骗", risk_level=3)
    order = factories.OrderFactory(buyer=case.buyer)
    interception = order_intercept(case=case, order=order, by=case.owner)
    interception_record_answer(interception=interception, by=case.owner, status="held")
    factories.OrderFactory(buyer=case.buyer)  # one that could still be held
    indicator_sight(kind="payee", raw="alipay:game_coin_seller_88", case=case, by=case.owner)
    client.force_login(specialist)
    with time_machine.travel(datetime(2026, 11, 23, 14, 5, tzinfo=timezone.get_current_timezone()), tick=False):
        client.post(reverse("interventions:break_glass"), {"reference": case.reference, "reason": REASON})
    return case


def test_a_case_read_through_break_glass_names_the_reason_and_the_expiry(client, glass):
    with time_machine.travel(datetime(2026, 11, 23, 14, 20, tzinfo=timezone.get_current_timezone()), tick=False):
        [banner] = texts(_case_page(client, glass), "break-glass-banner")
    assert "经紧急授权打开：仅供查看" in banner
    assert f"你的理由： {REASON}" in banner
    assert "你可以查看该个案至 15:05。" in banner


def test_a_case_read_through_break_glass_offers_no_form_but_the_reveal(client, glass):
    with time_machine.travel(datetime(2026, 11, 23, 14, 20, tzinfo=timezone.get_current_timezone()), tick=False):
        page = _case_page(client, glass)
    assert post_forms(page) == [reverse("interventions:case_contact", args=[glass.pk])]
    assert 'data-testid="ring-link"' not in page
    assert "alipay:game_coin_seller_88" in page  # what it holds is all there to read
    assert texts(page, "event-interception")


def test_a_closed_case_read_through_break_glass_offers_no_reopening(client, glass):
    case_close(case=glass, by=glass.owner, outcome="fraud_loss", summary="资金已被转走")
    with time_machine.travel(datetime(2026, 11, 23, 14, 20, tzinfo=timezone.get_current_timezone()), tick=False):
        page = _case_page(client, glass)
    assert post_forms(page) == [reverse("interventions:case_contact", args=[glass.pk])]
    assert "资金已被转走" in page


def test_the_break_glass_reader_is_still_refused_every_action(client, glass):
    with time_machine.travel(datetime(2026, 11, 23, 14, 20, tzinfo=timezone.get_current_timezone()), tick=False):
        for action in ("note", "close", "escalate", "intercept"):
            url = reverse("interventions:case_act", args=[glass.pk, action])
            assert client.post(url, {"text": "x", "outcome": "fraud_loss", "summary": "x"}).status_code == 404
        url = reverse("fraud:case_indicator_add", args=[glass.pk])
        assert client.post(url, {"kind": "phone", "value": "13800138000"}).status_code == 404
    glass.refresh_from_db()
    assert glass.status == "open"
    assert not glass.events.filter(kind=CaseEvent.Kind.NOTE).exists()


def test_the_grant_ends_after_its_hour(client, glass):
    url = reverse("interventions:case", args=[glass.pk])
    # Read now and then (an idle session is signed out after 30 minutes); the grant ends at 15:05.
    for (hour, minute), status in zip(((14, 30), (15, 0), (15, 4), (15, 6)), (200, 200, 200, 404), strict=True):
        at = datetime(2026, 11, 23, hour, minute, tzinfo=timezone.get_current_timezone())
        with time_machine.travel(at, tick=False):
            assert client.get(url).status_code == status


def test_a_case_of_ones_own_desk_has_no_banner_and_every_form(client, specialist, supervisor):
    case = factories.CaseFactory(owner=specialist)
    client.force_login(specialist)
    page = _case_page(client, case)
    assert not texts(page, "break-glass-banner")
    actions = post_forms(page)
    for action in ("note", "close", "escalate", "assess", "refer", "checkin"):
        assert reverse("interventions:case_act", args=[case.pk, action]) in actions
