"""The ring in a real browser: drawn from the page's data by the vendored library, with no script
error, and merged into one ring case from the same page."""

import pytest
from playwright.sync_api import expect

from fraud.services import indicator_sight
from tests import factories
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Five complaints about one game-currency ring: two payees and three phones tie them together.
SHARED = {
    "payee": {"alipay:coin_a": [0, 1, 2], "alipay:coin_b": [2, 3, 4]},
    "phone": {"17055501001": [0, 4], "17055501002": [1, 3], "17055501003": [2, 3]},
}


def test_the_ring_is_drawn_and_merged_into_one_ring_case(browser, live_server, fraud_specialist):
    cases = [factories.CaseFactory(desk="fraud", owner=fraud_specialist, title=f"游戏币诈骗 {n}") for n in range(5)]
    for kind, values in SHARED.items():
        for value, members in values.items():
            for member in members:
                indicator_sight(kind=kind, raw=value, case=cases[member])
    page = log_in(browser.new_context(locale="zh-CN").new_page(), live_server.url, fraud_specialist.email)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto(f"{live_server.url}/cases/{cases[0].pk}/")
    page.get_by_test_id("ring-link").click()
    # five cases and the five indicators they share, drawn on a canvas
    expect(page.get_by_test_id("ring-graph")).to_have_attribute("data-drawn", "10")
    expect(page.get_by_test_id("ring-graph").locator("canvas").first).to_be_visible()
    assert errors == []

    page.get_by_label("串并理由").fill("同一收款账户,同一批电话")
    page.get_by_test_id("ring-merge").click()
    expect(page.get_by_test_id("ring-members")).to_contain_text("游戏币诈骗 4")
    expect(page.get_by_test_id("timeline")).to_contain_text("个案并入本串并案")
    assert errors == []
