"""A specialist logs in through the browser and lands on the triage queue."""

import pytest
from playwright.sync_api import expect

from accounts.models import Desk
from interventions.models import Severity
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_specialist_logs_in_and_sees_the_queue_most_dangerous_first(log_in, live_server, specialist):
    """Li's first login: the password, then setting up her authenticator app (the code typed is
    the one the app would show for the secret on the page), keeping the recovery codes, and on
    to the queue."""
    buyer = factories.BuyerFactory(nickname="小鹿")
    factories.AlertFactory(desk=Desk.LIFE, severity=Severity.MEDIUM, summary="长期失眠 · 求购助眠药")
    factories.AlertFactory(desk=Desk.LIFE, severity=Severity.CRITICAL, summary="未成年人 · 跳楼威胁", buyer=buyer)
    factories.AlertFactory(desk=Desk.FRAUD, severity=Severity.CRITICAL, summary="另一个工作台的预警")

    page = log_in(specialist.email)

    expect(page).to_have_url(f"{live_server.url}/queue/")
    expect(page.get_by_role("heading", name="分诊队列")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_text("李娜")
    rows = page.get_by_test_id("queue").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("未成年人 · 跳楼威胁")
    expect(rows.first).to_contain_text("危急")
    expect(rows.nth(1)).to_contain_text("长期失眠")


def test_a_wrong_password_is_refused_in_chinese(log_in, specialist):
    page = log_in(specialist.email, password="not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("密码不正确")
