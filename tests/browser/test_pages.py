"""A supervisor is paged in the portal when a critical alert waits unclaimed past five minutes."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from interventions.models import Severity
from interventions.services import reminders_sweep
from tests import factories
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_sees_the_page_for_an_unclaimed_critical_alert(browser, live_server, supervisor):
    alert = factories.AlertFactory(
        desk="life",
        severity=Severity.CRITICAL,
        summary="危急:明确意图 + 已备好药物",
        created_at=timezone.now() - timedelta(minutes=6),
        sla_due_at=timezone.now() - timedelta(minutes=1),
    )
    reminders_sweep()  # beat's minute

    page = log_in(browser.new_context(locale="zh-CN").new_page(), live_server.url, supervisor.email)
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    page.get_by_test_id("notifications-link").click()
    notice = page.get_by_test_id("notifications").locator("li").first
    expect(notice).to_contain_text("危急预警已 6 分钟未认领")
    notice.get_by_role("button").click()
    expect(page).to_have_url(f"{live_server.url}/alerts/{alert.pk}/")
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
