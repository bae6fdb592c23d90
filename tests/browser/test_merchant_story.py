"""The 12-year-old, from the shop's side: the merchant's agent hears a child ask for sleeping
pills, reports it while still talking with her, follows the report live, and holds the order when
the specialist asks; the specialist's open case page shows the shop's answer by itself."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from interventions.models import Case
from interventions.services.reports import merchant_report_submit
from orders.models import InterceptionRequest
from tests import factories
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _screenshot() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (360, 640), (245, 245, 245)).save(out, format="PNG")
    return out.getvalue()


def test_the_shop_reports_while_talking_and_holds_the_sleeping_pills(browser, live_server, merchant_a, specialist):
    girl = factories.BuyerFactory(account_ref="tb_xiaomei_12", nickname="小美")
    pills = factories.ProductFactory(
        merchant=merchant_a.merchant_membership.merchant, name="安眠药", risk_category="sedative"
    )
    factories.OrderFactory(external_ref="TB-PILLS-1", buyer=girl, product=pills, status="paid")

    # 21:14 the shop's agent files a report while the girl is still in the chat.
    shop = log_in(browser.new_context(locale="zh-CN").new_page(), live_server.url, merchant_a.email)
    shop.get_by_test_id("report-link").click()
    shop.get_by_label("自杀或自伤风险").check()
    shop.get_by_label("我正在与此人对话").check()
    shop.get_by_label("买家：订单号或买家账号").fill("TB-PILLS-1")
    shop.get_by_label("对方说了什么（粘贴或输入对话）").fill("我12岁,想买安眠药,吃多少片会睡过去再也不醒")
    shop.get_by_label("截图（最多 5 张；PNG、JPEG 或 WebP，每张不超过 5 MB）").set_input_files(
        files=[{"name": "chat.png", "mimeType": "image/png", "buffer": _screenshot()}]
    )
    shop.get_by_role("button", name="发送上报").click()
    expect(shop.get_by_test_id("guide")).to_contain_text("12356")
    expect(shop.get_by_test_id("report-status")).to_have_attribute("data-status", "received")

    # The specialist sees it at the top of the queue and claims it.
    desk = log_in(browser.new_context(locale="zh-CN").new_page(), live_server.url, specialist.email)
    first_row = desk.get_by_test_id("queue").locator("tbody tr").first
    expect(first_row).to_contain_text("危急")
    expect(first_row).to_contain_text("正在与当事人对话")
    first_row.get_by_role("link").first.click()
    expect(desk.get_by_test_id("merchant-report").locator("img")).to_have_count(1)
    desk.get_by_role("button", name="认领").click()

    # The shop's page says "claimed" without a reload (it polls every 5 seconds).
    expect(shop.get_by_test_id("report-status")).to_have_attribute("data-status", "claimed", timeout=12_000)

    # The specialist opens a case and asks the shop to hold the pills.
    desk.get_by_role("button", name="立案").click()
    desk.locator("tr[data-order='TB-PILLS-1']").get_by_role("button", name="拦截").click()
    expect(desk.get_by_test_id("interceptions")).to_contain_text("TB-PILLS-1")

    # The specialist keeps the case page open; its stream of changes is up.
    expect(desk.locator("[data-live-stream]")).to_have_attribute("data-live-state", "up")

    # The shop is told on its home page, and holds the order.
    shop.goto(f"{live_server.url}/merchant/")
    shop.get_by_test_id("open-interceptions").get_by_role("link").click()
    row = shop.get_by_test_id("shop-interceptions").locator("tr", has_text="TB-PILLS-1")
    row.get_by_label("答复").select_option("held")
    row.get_by_role("button", name="答复").click()
    expect(shop.get_by_text("你的答复已送达专员。")).to_be_visible()

    # The open case page shows the answer within 2 seconds, without a reload: it is pushed. The
    # order's row says what the shop answered and offers no second hold.
    expect(desk.get_by_test_id("interceptions")).to_contain_text("已拦截", timeout=2_000)
    order_row = desk.locator("tr[data-order='TB-PILLS-1']")
    expect(order_row.get_by_test_id("order-interception")).to_contain_text("已拦截")
    expect(order_row.get_by_role("button", name="拦截")).to_have_count(0)
    assert InterceptionRequest.objects.get().status == "held"
    assert Case.objects.get().alerts.get().merchant_report.attachments.count() == 1


def test_a_shop_opening_another_shops_report_sees_a_chinese_not_found_page_naming_no_url(
    browser, live_server, shop_a, merchant_a, merchant_b
):
    report = merchant_report_submit(
        merchant=shop_a,
        by=merchant_a,
        kind="life",
        text="买家说药都备好了,今晚就不麻烦大家了",
        talking_now=False,
    )
    other = log_in(browser.new_context(locale="zh-CN").new_page(), live_server.url, merchant_b.email)
    answer = other.goto(f"{live_server.url}/merchant/reports/{report.pk}/")
    assert answer.status == 404
    expect(other.get_by_test_id("not-found")).to_contain_text("找不到这个页面")
    page = other.content()
    assert "Page not found" not in page
    assert "Not Found" not in page
    # Django's debug page lists every URL pattern; the portal's names none but the way home.
    assert "merchant/reports/" not in page.replace(f"/merchant/reports/{report.pk}/", "")
    assert "药都备好了" not in page
