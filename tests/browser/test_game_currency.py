"""The game-currency story in a real browser: a victim's complaint, a payee already seen in other
complaints, a stop-payment on the clock, and the anti-fraud centre freezing the money in time."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.services import user_set_roles
from interventions.models import PoliceLiaison
from tests import factories
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PAYEE_TEXT = "转到对方提供的支付宝: game_coin_seller_88"


def _complaint(api, n: int, buyer: str, text: str, *, sent_at: str = "2026-11-23T13:00:00+08:00") -> None:
    message = {
        "source": "complaint",
        "external_id": f"fraud-{n}",
        "buyer_ref": buyer,
        "text": text,
        "sent_at": sent_at,
    }
    assert api.post(reverse("api-intake-messages"), {"messages": [message]}, format="json").status_code == 202


def test_the_game_currency_victims_money_is_frozen_within_the_window(browser, live_server, api, fraud_specialist):
    xiamen = factories.RegionFactory(code="350200", name="厦门市")
    centre = factories.PoliceUnitFactory(
        name="厦门市反诈骗中心", kind="anti_fraud_centre", region=xiamen, phone_24h="0592-5550-0096"
    )
    officer = factories.UserFactory(email="fzzx@police.test", display_name="厦门反诈中心联络员")
    user_set_roles(user=officer, roles=["police_liaison"], by=None)
    PoliceLiaison.objects.create(user=officer, unit=centre)
    factories.BuyerFactory(account_ref="tb_lin_0915", nickname="林先生", region=xiamen)
    for n, buyer in enumerate(["tb_earlier_1", "tb_earlier_2"]):
        _complaint(api, n, buyer, f"我买点券被骗了,{PAYEE_TEXT},之后联系不上了")
    reported = timezone.localtime() - timedelta(minutes=8)
    victim = f"游戏好友说2亿游戏币只卖1.3万,我{PAYEE_TEXT},转完就联系不上了"
    _complaint(api, 9, "tb_lin_0915", victim, sent_at=reported.isoformat())

    specialist_page = log_in(browser.new_context(locale="zh-CN").new_page(), live_server.url, fraud_specialist.email)
    row = specialist_page.get_by_test_id("queue").locator("tbody tr", has_text="林先生")
    row.get_by_role("link").first.click()
    specialist_page.get_by_role("button", name="认领").click()
    specialist_page.get_by_role("button", name="立案").click()
    expect(specialist_page.get_by_test_id("linked-alerts")).to_contain_text("另有 2 条投诉或预警")

    specialist_page.get_by_label("反诈中心").select_option(label="厦门市反诈骗中心 · 24小时 0592-5550-0096")
    # Filled from her complaint: the payee it names, the sum, and when she reported.
    expect(specialist_page.get_by_label("收款账户")).to_have_value("alipay:game_coin_seller_88")
    expect(specialist_page.get_by_label("付款金额(元)")).to_have_value("13000.00")
    expect(specialist_page.get_by_label("受害人报案时间")).to_have_value(f"{reported:%Y-%m-%dT%H:%M}")
    specialist_page.get_by_label("付款时间").fill(f"{reported - timedelta(minutes=15):%Y-%m-%dT%H:%M}")
    specialist_page.get_by_label("交易流水号").fill("2026091512000001")
    specialist_page.get_by_role("button", name="发起止付").click()
    stops = specialist_page.get_by_test_id("stop-payments")
    expect(stops).to_contain_text("已请求")
    # The clock runs from her complaint, to the minute: 8 minutes and a few seconds are gone.
    expect(stops.locator(".countdown")).to_have_text(re.compile(r"^(20|21|22):\d\d$"))

    liaison_page = log_in(browser.new_context(locale="zh-CN").new_page(), live_server.url, officer.email)
    request_row = liaison_page.get_by_test_id("liaison-stop-payments").locator("tbody tr").first
    expect(request_row).to_contain_text("alipay:game_coin_seller_88")
    request_row.get_by_label("状态").select_option("frozen")
    request_row.get_by_label("冻结金额(元)").fill("13000")
    request_row.get_by_role("button", name="记录").click()
    expect(liaison_page.get_by_text("已记录,专员会在个案中看到。")).to_be_visible()

    specialist_page.reload()
    expect(specialist_page.get_by_test_id("stop-payments")).to_contain_text("13000.00 元已保住")
    expect(specialist_page.get_by_test_id("timeline")).to_contain_text("止付已答复")
