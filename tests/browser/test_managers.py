"""A manager's morning on the demo data: the audit trail of a risk change, the review of an
emergency interception, and the figures drawn as charts."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.stories import DEMO_PASSWORD
from interventions.models import Case, EmergencyAction, IncidentReview
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_a_manager_reads_a_risk_change_reviews_an_interception_and_sees_the_figures(page, live_server, demo):
    herbicide = Case.objects.get(title__contains="除草剂")
    log_in(page, live_server.url, "zhao@shouhu.demo", DEMO_PASSWORD)

    # The case's history shows who moved the risk, from what to what.
    page.goto(f"{live_server.url}/cases/{herbicide.pk}/")
    page.get_by_test_id("case-history-link").click()
    expect(page.get_by_text("风险: 未评估 → 危急").or_(page.get_by_text("风险: 未评估 → 高"))).to_be_visible()

    # The interception Li asked for without waiting is in the review queue; Zhao flags it with a
    # note, which opens a blameless review of the case.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="审核").click()
    row = page.get_by_test_id("review-queue").locator("tr", has_text=herbicide.reference)
    row.get_by_label("备注").fill("拦截很及时;想看看商家电话为什么打不通")
    row.get_by_role("button", name="标记待复盘").click()
    expect(page.get_by_test_id("review-queue").locator("tr", has_text=herbicide.reference)).to_have_count(0)
    action = EmergencyAction.objects.get(case=herbicide, kind="interception")
    assert (action.review, action.reviewed_by.email) == ("flagged", "zhao@shouhu.demo")

    page.get_by_role("link", name=f"{herbicide.reference} 复盘").click()
    expect(page.get_by_test_id("flagged-action")).to_contain_text("商家电话为什么打不通")
    expect(page.get_by_test_id("timeline")).to_contain_text("已请求拦截")
    page.get_by_label("做得好的地方").fill("从举报到请求拦截不到五分钟")
    page.get_by_label("困难在哪里").fill("商家只留了一个座机,夜里无人接听")
    page.get_by_role("button", name="保存").click()
    page.get_by_test_id("follow-up-form").get_by_label("要改变什么").fill("请商家登记夜间紧急联系人")
    page.get_by_test_id("follow-up-form").get_by_label("负责人").select_option(label="王磊")
    page.get_by_role("button", name="添加跟进事项").click()
    page.get_by_test_id("review-conclude").click()
    expect(page.get_by_test_id("review-status")).to_have_text("已完成")
    expect(page.get_by_test_id("follow-ups")).to_contain_text("请商家登记夜间紧急联系人")
    review = IncidentReview.objects.get(case=herbicide)
    assert review.follow_ups.get().owner.email == "wang@shouhu.demo"

    # The figures: every chart is drawn from the demo's weeks of work.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="数据看板").click()
    for chart in ("alerts", "claim", "first_action", "outcomes", "interceptions", "checkins"):
        expect(page.locator(f"canvas[data-chart={chart}]")).to_have_attribute("data-drawn", re.compile(r"^[1-9]\d*$"))
    expect(page.get_by_test_id("figures-table-terms").locator("tbody tr").first).to_be_visible()
