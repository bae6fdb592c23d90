"""The triage console's stories in a real browser, from login to a closed case."""

import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import AccessLog
from accounts.services import user_set_roles
from interventions.models import Alert, Case, CheckIn, EmergencyAction, PoliceReferral
from orders.models import InterceptionRequest, Order
from tests import factories
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chengdu(db):
    province = factories.RegionFactory(code="510000", name="四川省", level=1)
    city = factories.RegionFactory(code="510100", name="成都市", parent=province)
    factories.PoliceUnitFactory(name="杭州市公安局")
    factories.PoliceUnitFactory(name="成都市公安局", region=city, phone_24h="028-5550-0110")
    return city


def test_the_herbicide_story_from_alert_to_a_safe_person(page, live_server, api, specialist, shop_a, shop_b, chengdu):
    mother = factories.BuyerFactory(account_ref="tb_xiaoyu_mama", nickname="小雨妈妈", region=chengdu)
    herbicide = factories.ProductFactory(merchant=shop_a, risk_category="pesticide", name="草甘膦除草剂")
    order_a = factories.OrderFactory(external_ref="TB-A-1", buyer=mother, product=herbicide, merchant=shop_a)
    report = {
        "source": "complaint",
        "external_id": "c-88120",
        "buyer_ref": "tb_xiaoyu_mama",
        "order_ref": "TB-A-1",
        "buyer_phone": "13800002266",
        "buyer_address": "四川省成都市锦江区示范路18号3栋2单元501",
        "text": "有用户举报:一位年轻妈妈在朋友圈说今晚就想结束自己的生命,还晒出了刚买的除草剂截图",
        "sent_at": "2026-11-23T15:00:00+08:00",
    }
    assert api.post(reverse("api-intake-messages"), {"messages": [report]}, format="json").status_code == 202

    # 15:00 the alert is at the top of the queue; the specialist claims it with the keyboard.
    log_in(page, live_server.url, specialist.email)
    first_row = page.get_by_test_id("queue").locator("tbody tr").first
    expect(first_row).to_contain_text("危急")
    expect(first_row.locator("mark").first).to_be_visible()
    # The keys are handled by a deferred script: press them once it has run, as a person would
    # after the page has settled, and see the row selected before claiming it.
    page.wait_for_load_state("load")
    page.keyboard.press("j")
    expect(first_row).to_have_class(re.compile("selected"))
    page.keyboard.press("c")
    expect(page.get_by_text("您已认领这条预警")).to_be_visible()

    # She opens a case, rates the risk with the C-SSRS: high.
    page.get_by_label("立案").fill("年轻妈妈 · 朋友圈轻生 · 已购除草剂")
    page.get_by_role("button", name="立案").click()
    expect(page.get_by_role("heading", name=re.compile("年轻妈妈"))).to_be_visible()
    page.get_by_role("checkbox", name=re.compile("4\\. 你是否有过按这些自杀念头去行动的打算")).check()
    page.get_by_role("checkbox", name=re.compile("5\\. 你是否已开始或已经想好了自杀的具体细节")).check()
    page.get_by_label("明确意图").check()
    page.get_by_label("已准备方法(已购买、触手可及)").check()
    page.get_by_role("button", name="评定风险").click()
    expect(page.get_by_test_id("case-risk")).to_contain_text("高")

    # She asks shop A to hold the herbicide.
    page.locator("tr[data-order='TB-A-1']").get_by_role("button", name="拦截").click()
    expect(page.get_by_test_id("interceptions")).to_contain_text("TB-A-1")

    # An hour later the mother re-orders the same product at shop B: a critical alert lands in the case.
    reorder = {
        "order_ref": "TB-B-1",
        "buyer_ref": "tb_xiaoyu_mama",
        "merchant_ref": shop_b.external_ref,
        "product_ref": "wt-001",
        "product_name": "除草剂 高浓度",
        "risk_category": "pesticide",
        "quantity": 1,
        "status": "paid",
        "ordered_at": "2026-11-23T16:05:00+08:00",
    }
    assert api.post(reverse("api-intake-orders"), {"orders": [reorder]}, format="json").status_code == 202
    page.reload()
    expect(page.get_by_test_id("case-alert").filter(has_text="下单")).to_contain_text("危急")
    expect(page.get_by_test_id("timeline")).to_contain_text("再次购买高危商品")
    page.locator("tr[data-order='TB-B-1']").get_by_role("button", name="拦截").click()
    expect(page.get_by_test_id("interceptions")).to_contain_text("TB-B-1")

    # The police will need where she lives: the page shows the phone masked until she says why.
    expect(page.get_by_test_id("phone-masked")).to_have_text("138****2266")
    page.get_by_text("查看完整电话和地址").click()
    page.get_by_test_id("reveal-form").locator("select[name=purpose]").select_option("police")
    page.get_by_role("button", name="查看", exact=True).click()
    expect(page.get_by_test_id("contact-revealed")).to_contain_text("13800002266")
    expect(page.get_by_test_id("contact-revealed")).to_contain_text("示范路18号")

    # She calls the police in the mother's city (listed first) and records it.
    page.get_by_text("报警", exact=True).click()
    expect(page.get_by_label("警方单位")).to_contain_text("成都市公安局")
    page.get_by_label("报告内容").fill("成都一位年轻妈妈欲服除草剂轻生,两笔订单已拦截")
    page.get_by_label("警方受理编号").fill("JJ-2026-1123")
    page.get_by_role("button", name="记录报警").click()
    expect(page.get_by_test_id("referrals")).to_contain_text("成都市公安局")

    # The shops answer: both parcels held.
    for order_ref in ("TB-A-1", "TB-B-1"):
        row = page.get_by_test_id("interceptions").locator("tr", has_text=order_ref)
        row.get_by_label("商家答复").select_option("held")
        row.get_by_role("button", name="记录").click()

    # Good morning tomorrow at 08:30, then the case closes: she is safe.
    page.get_by_text("安排回访", exact=True).click()
    page.get_by_role("button", name="安排", exact=True).click()
    expect(page.get_by_test_id("checkins")).to_contain_text("08:30")
    page.get_by_text("结案", exact=True).first.click()
    page.get_by_label("结果").select_option("safe")
    page.get_by_label("结案小结").fill("两笔除草剂订单均已拦截,成都警方上门,当事人情绪稳定,家人陪同")
    page.get_by_role("button", name="结案", exact=True).click()
    expect(page.get_by_test_id("case-status")).to_contain_text("已结案")

    case = Case.objects.get()
    assert (case.status, case.outcome, case.risk_level) == ("closed", "safe", Case.RiskLevel.HIGH)
    assert set(Order.objects.values_list("status", flat=True)) == {"held"}
    assert InterceptionRequest.objects.filter(status="held").count() == 2
    assert PoliceReferral.objects.get().unit.name == "成都市公安局"
    assert CheckIn.objects.get().due_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M") == "08:30"
    assert case.alerts.count() == 2
    assert EmergencyAction.objects.filter(case=case).count() == 3  # two holds and the referral, at high risk
    assert order_a.interceptions.exists()
    assert AccessLog.objects.filter(action="reveal", purpose="police", user=specialist).count() == 1


def test_two_specialists_claim_the_same_alert_and_exactly_one_wins(browser, live_server, specialist, life_team):
    colleague = factories.UserFactory(email="wugang@example.test", display_name="武纲")
    user_set_roles(user=colleague, roles=["specialist"], by=None)
    life_team.members.add(colleague)
    alert = factories.AlertFactory(severity=4, summary="未成年人 · 跳楼威胁")
    pages = []
    for email in (specialist.email, colleague.email):
        context = browser.new_context(locale="zh-CN")
        pages.append(log_in(context.new_page(), live_server.url, email))
    for page in pages:
        expect(page.get_by_test_id("queue")).to_contain_text("未成年人")
    for page in pages:
        page.get_by_test_id("queue").get_by_role("button", name="认领").first.click()
    expect(pages[0].get_by_text("您已认领这条预警")).to_be_visible()
    expect(pages[1].get_by_text("李娜 已抢先认领了这条预警")).to_be_visible()
    alert.refresh_from_db()
    assert alert.claimed_by == specialist


def test_a_supervisor_reviews_the_emergency_interception(page, live_server, specialist, supervisor):
    case = factories.CaseFactory(owner=specialist, risk_level=Case.RiskLevel.CRITICAL, title="朋友圈轻生 · 已购除草剂")
    order = factories.OrderFactory(buyer=case.buyer, product=factories.ProductFactory(risk_category="pesticide"))
    log_in(page, live_server.url, specialist.email)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.locator(f"tr[data-order='{order.external_ref}']").get_by_role("button", name="拦截").click()
    expect(page.get_by_text("1 项紧急处置待审核")).to_be_visible()
    page.get_by_role("button", name="退出登录").click()

    log_in(page, live_server.url, supervisor.email)
    page.get_by_role("link", name="审核").click()
    queue = page.get_by_test_id("review-queue")
    expect(queue).to_contain_text(case.reference)
    expect(queue).to_contain_text("订单拦截")
    queue.get_by_role("textbox").fill("处置及时")
    queue.get_by_role("button", name="确认").click()
    expect(page.get_by_text("没有待审核的事项")).to_be_visible()
    action = EmergencyAction.objects.get()
    assert (action.review, action.reviewed_by) == ("confirmed", supervisor)
    assert Alert.objects.count() == 0
