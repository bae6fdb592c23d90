"""A shift hand-over in a real browser: 李娜 goes off shift, the supervisor hands all her open cases
to 张伟 with one note, and 张伟 finds them under his open cases, the note on each timeline."""

import pytest
from playwright.sync_api import expect

from interventions.models import Case
from interventions.services import case_close, order_intercept
from tests import factories
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOTE = "交班:两起今晚要回访,康宁大药房的拦截还没回"


def test_a_supervisor_hands_a_specialists_open_cases_to_a_colleague(
    browser, live_server, specialist, supervisor, colleague
):
    zhang = colleague
    herbicide = factories.CaseFactory(owner=specialist, risk_level=Case.RiskLevel.HIGH, title="年轻母亲欲服除草剂")
    order_intercept(case=herbicide, order=factories.OrderFactory(buyer=herbicide.buyer), by=specialist)
    pills = factories.CaseFactory(owner=specialist, risk_level=Case.RiskLevel.CRITICAL, title="12岁女孩要买安眠药")
    debt = factories.CaseFactory(owner=specialist, risk_level=Case.RiskLevel.MODERATE, title="网贷逾期想不开")
    done = factories.CaseFactory(owner=specialist, title="已结案的个案")
    case_close(case=done, by=specialist, outcome="safe", summary="已确认安全")

    wang = log_in(browser.new_context(locale="zh-CN").new_page(), live_server.url, supervisor.email)
    wang.get_by_test_id("nav-cases").click()
    expect(wang.get_by_role("heading", name="个案")).to_be_visible()
    expect(wang.get_by_test_id("view-desk")).to_have_attribute("aria-current", "page")
    expect(wang.get_by_test_id("count-desk")).to_have_text("3")
    expect(wang.get_by_test_id("count-waiting")).to_have_text("1")
    rows = wang.get_by_test_id("cases").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text(pills.reference)  # the highest risk first

    form = wang.get_by_test_id("handover-form")
    form.get_by_label("移交", exact=True).select_option(label="李娜 的全部未结个案")
    form.get_by_label("移交给").select_option(label="张伟")
    form.get_by_label("交接说明").fill(NOTE)
    form.get_by_role("button", name="移交").click()
    expect(wang.get_by_text("已将 3 起个案移交给 张伟。")).to_be_visible()
    expect(rows.locator("td", has_text="张伟")).to_have_count(3)

    page = log_in(browser.new_context(locale="zh-CN").new_page(), live_server.url, zhang.email)
    expect(page.get_by_test_id("nav-cases-count")).to_have_text("3")
    page.get_by_test_id("nav-cases").click()
    expect(page.get_by_test_id("view-mine")).to_have_attribute("aria-current", "page")
    mine = page.get_by_test_id("cases").locator("tbody tr")
    expect(mine).to_have_count(3)
    for row, case in zip([0, 1, 2], [pills, herbicide, debt], strict=True):
        expect(mine.nth(row)).to_contain_text(case.reference)
    expect(mine.nth(1).get_by_test_id("clock")).to_contain_text("等待商家答复")
    mine.nth(1).get_by_role("link", name=herbicide.reference).click()
    expect(page.get_by_test_id("timeline")).to_contain_text(NOTE)
    expect(page.get_by_test_id("timeline")).to_contain_text("已移交")
