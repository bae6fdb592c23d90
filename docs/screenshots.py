"""Screenshots of the portal as each role sees it, from a running `make demo`.

Usage: start `make demo` in one terminal, then `make screenshots` (or
`.venv/bin/python docs/screenshots.py [BASE_URL]`). Pictures go to docs/screenshots/.
"""

import os
import shutil
import sys
from pathlib import Path

import django
from playwright.sync_api import sync_playwright

# The login helper of the browser stories types the authenticator's code as a person would; it
# needs the project on the path and its settings loaded (it reads nothing from the database).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
django.setup()

from tests.browser.helpers import log_in, password_give  # noqa: E402

BASE_URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).parent / "screenshots"
PASSWORD = "shouhu-demo-2026"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",  # the browser's own words too (the file picker), as a Chinese user sees them
]

# (file name, login, page)
SHOTS = [
    ("login", None, "/accounts/login/"),
    ("second-factor-li", "li@shouhu.demo", "/accounts/2fa/"),
    ("queue-specialist", "li@shouhu.demo", "/queue/"),
    ("summary-manager", "zhao@shouhu.demo", "/summary/"),
    ("figures-manager", "zhao@shouhu.demo", "/figures/"),
    ("history-herbicide-case", "zhao@shouhu.demo", "/audit/case/1/"),
    ("case-herbicide", "li@shouhu.demo", "/cases/1/"),
    # The herbicide story's number, as the family says it: two accounts share it.
    ("search-phone", "li@shouhu.demo", "/search/?q=%2B86+138+0000+2266&purpose=contact"),
    ("alert-sleeping-pills", "li@shouhu.demo", "/alerts/3/"),
    # The desks' open cases, the two highest risks ticked.
    ("cases-supervisor", "wang@shouhu.demo", "/cases/?view=desk&risk=4&risk=3"),
    ("reviews-supervisor", "wang@shouhu.demo", "/reviews/"),
    ("incident-reviews-supervisor", "wang@shouhu.demo", "/reviews/incidents/"),
    ("case-game-currency", "chen@shouhu.demo", "/cases/3/"),
    ("ring-sms-codes", "chen@shouhu.demo", "/fraud/cases/2/ring/"),
    ("today-specialist", "li@shouhu.demo", "/today/"),
    ("notifications-supervisor", "wang@shouhu.demo", "/notifications/"),
    ("merchant-home", "kangning@shop.demo", "/merchant/"),
    ("merchant-report-form", "kangning-kefu@shop.demo", "/merchant/reports/new/"),
    ("merchant-report-guide", "kangning-kefu@shop.demo", "/merchant/reports/1/"),
    ("liaison-home", "xiamen-fzzx@police.demo", "/liaison/"),
    ("admin-index", "wang@shouhu.demo", "/admin/"),
]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        # One signed-in browser context per person, as a person would: the login page counts
        # attempts per address, and a dozen logins in a row would be refused.
        contexts = {}
        for name, email, path in SHOTS:
            if email not in contexts:
                contexts[email] = browser.new_context(viewport={"width": 1360, "height": 820}, locale="zh-CN")
                if email:
                    log_in(contexts[email].new_page(), BASE_URL, email, PASSWORD).close()
            page = contexts[email].new_page()
            page.goto(f"{BASE_URL}{path}")
            page.screenshot(path=OUT / f"{name}.png", full_page=True)
            print(f"{OUT / name}.png")
            page.close()
        _code_page(browser)
        _contact_revealed(contexts["li@shouhu.demo"])
        _scanner_backtest(contexts["zhao@shouhu.demo"])
        _login_paused(browser)
        browser.close()


def _code_page(browser) -> None:
    """The step between the password and the portal: the authenticator app's code."""
    page = browser.new_context(viewport={"width": 1360, "height": 820}, locale="zh-CN").new_page()
    password_give(page, BASE_URL, "wang@shouhu.demo", PASSWORD).wait_for_url("**/accounts/2fa/authenticate/")
    page.screenshot(path=OUT / "login-code.png", full_page=True)
    print(f"{OUT / 'login-code'}.png")


def _contact_revealed(context) -> None:
    """The herbicide case's person after a reveal for a purpose (written to the demo's access log)."""
    page = context.new_page()
    page.goto(f"{BASE_URL}/cases/1/")
    page.get_by_text("查看完整电话和地址").click()
    page.get_by_test_id("reveal-form").locator("select[name=purpose]").select_option("contact")
    page.fill("input[name=reason]", "回访确认安全")
    page.get_by_role("button", name="查看", exact=True).click()
    page.get_by_test_id("contact-revealed").wait_for()
    page.screenshot(path=OUT / "case-contact-revealed.png")
    print(f"{OUT / 'case-contact-revealed'}.png")


def _scanner_backtest(context) -> None:
    """A manager proposes a term and backtests it; the demo's worker runs the backtest."""
    page = context.new_page()
    page.goto(f"{BASE_URL}/scanner/")
    form = page.get_by_test_id("propose")
    form.locator("input[name=phrase]").fill("想不开了")
    form.locator("select[name=category]").select_option("intent")
    form.locator("input[name=weight]").fill("3")
    form.locator("input[name=reason]").fill("漏报个案里买家这样说")
    form.get_by_role("button").click()
    page.get_by_test_id("backtest").click()
    for _ in range(60):  # the backtest scans the corpus's test half and the stored messages
        page.goto(f"{BASE_URL}/scanner/")
        if page.get_by_test_id("publish").count():
            break
        page.wait_for_timeout(2000)
    page.screenshot(path=OUT / "scanner-manager.png", full_page=True)
    print(f"{OUT / 'scanner-manager'}.png")


def _login_paused(browser) -> None:
    """Five wrong passwords from one address: that address waits, the login is not locked. Last,
    and for a login nobody has, so the pause keeps no one out of the other shots."""
    page = browser.new_context(viewport={"width": 1360, "height": 820}, locale="zh-CN").new_page()
    for attempt in range(5):
        password_give(page, BASE_URL, "zhou@shouhu.demo", f"wrong-{attempt}")
    page.screenshot(path=OUT / "login-paused.png", full_page=True)
    print(f"{OUT / 'login-paused'}.png")


if __name__ == "__main__":
    main()
