"""An escalation in a real browser: 李娜 escalates a case at night, the supervisor on duty is paged,
opens the page and finds the case in the list of escalated cases; the reason stays on the case."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from interventions.models import Case, DutyShift
from tests import factories
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REASON = "她说今晚等家人睡了就去江边,电话没人接"


def test_an_escalation_pages_the_supervisor_on_duty_who_finds_it_among_the_escalated(
    browser, live_server, specialist, supervisor
):
    now = timezone.now()
    DutyShift.objects.create(
        desk="life",
        role="supervisor",
        user=supervisor,
        starts_at=now - timedelta(hours=4),
        ends_at=now + timedelta(hours=4),
    )
    case = factories.CaseFactory(owner=specialist, risk_level=Case.RiskLevel.HIGH, title="深夜告别,提到江边")
    quiet = factories.CaseFactory(owner=specialist, risk_level=Case.RiskLevel.MODERATE, title="网贷逾期")

    li = log_in(browser.new_context(locale="zh-CN").new_page(), live_server.url, specialist.email)
    li.goto(f"{live_server.url}/cases/{case.pk}/")
    li.get_by_text("备注、升级、移交").click()
    li.get_by_label("升级给主管的原因").fill(REASON)
    li.get_by_role("button", name="升级", exact=True).click()
    expect(li.get_by_test_id("timeline")).to_contain_text("已升级")

    wang = log_in(browser.new_context(locale="zh-CN").new_page(), live_server.url, supervisor.email)
    expect(wang.get_by_test_id("unread-count")).to_have_text("1")
    wang.get_by_test_id("notifications-link").click()
    page = wang.get_by_test_id("notifications").locator("li").first
    expect(page).to_contain_text(case.reference)
    expect(page).to_contain_text("李娜")
    expect(page).not_to_contain_text("江边")  # the reason is on the case, not in the page
    page.get_by_role("button").click()
    expect(wang.get_by_test_id("timeline")).to_contain_text(REASON)

    wang.get_by_test_id("nav-cases").click()
    wang.get_by_test_id("view-escalated").click()
    expect(wang.get_by_test_id("count-escalated")).to_have_text("1")
    listed = wang.get_by_test_id("cases").locator("tbody tr")
    expect(listed).to_have_count(1)
    expect(listed.first).to_contain_text(case.reference)
    expect(listed.first).not_to_contain_text(quiet.reference)
