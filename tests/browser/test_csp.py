"""The Content-Security-Policy holds on every main page: a browser walks them as each role, on the
demo data, and collects every violation it reports. There must be none."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Browser

from demo.stories import DEMO_PASSWORD
from fraud.models import Indicator
from interventions.models import Alert, Case
from orders.models import MerchantReport
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def _pages() -> dict[str, list[str]]:
    """Each demo login and the pages it walks."""
    herbicide = Case.objects.get(title__contains="除草剂")
    ring_case = Case.objects.filter(title__contains="短信验证码").first()
    alert = Alert.objects.filter(case__isnull=True, status="new").first()
    report = MerchantReport.objects.first()
    return {
        "li@shouhu.demo": [
            reverse("interventions:queue"),
            reverse("interventions:cases"),
            reverse("interventions:alert", args=[alert.pk]),
            reverse("interventions:case", args=[herbicide.pk]),
            reverse("interventions:today"),
            reverse("interventions:police_units"),
            reverse("interventions:alert_new"),
            f"{reverse('interventions:search')}?q=%E5%B0%8F%E9%9B%A8&purpose=casework",  # 小雨: people and cases
            reverse("interventions:notifications"),
            reverse("mfa_index"),
            reverse("account_reauthenticate"),
            reverse("account_change_password"),
        ],
        "chen@shouhu.demo": [
            reverse("fraud:ring", args=[ring_case.pk]),
            reverse("fraud:indicator", args=[Indicator.objects.first().pk]),
        ],
        "wang@shouhu.demo": [
            reverse("interventions:cases"),
            reverse("interventions:reviews"),
            reverse("interventions:incident_reviews"),
            reverse("interventions:audit"),
            reverse("interventions:object_history", args=["case", herbicide.pk]),
            reverse("admin:index"),
            reverse("admin:interventions_scanterm_changelist"),
            reverse("api-docs"),
        ],
        "zhao@shouhu.demo": [reverse("interventions:summary"), reverse("interventions:figures")],
        "kangning@shop.demo": [
            reverse("orders:merchant_home"),
            reverse("orders:report_new"),
            reverse("orders:report", args=[report.pk]),
        ],
        "xiamen-fzzx@police.demo": [reverse("interventions:liaison_home")],
    }


def test_no_page_breaks_the_content_security_policy(browser: Browser, live_server):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    found = {}
    for email, paths in [(None, [reverse("account_login")]), *_pages().items()]:
        context = browser.new_context(locale="zh-CN")
        context.add_init_script(COLLECT_VIOLATIONS)
        page = context.new_page()
        if email:
            log_in(page, live_server.url, email, DEMO_PASSWORD)
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response.ok, (email, path, response.status)
            page.wait_for_load_state("networkidle")
            violations = page.evaluate("window.__cspViolations")
            if violations:
                found[path] = violations
        context.close()
    assert found == {}
