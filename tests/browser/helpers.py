"""Logging in as a person would, second factor included."""

from playwright.sync_api import Page

from demo.codes import code_now
from demo.stories import DEMO_TOTP_SECRET
from tests.factories import PASSWORD


def password_give(page: Page, base_url: str, email: str, password: str = PASSWORD) -> Page:
    """The login form alone: the page it leads to (for staff, the one asking for the code)."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return page


def log_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> Page:
    """The login form, then what follows it: the code of the authenticator app for the demo's
    staff (they have one with the demo's secret), or, for staff logging in for the first time,
    setting one up with the secret the page shows and keeping the recovery codes."""
    password_give(page, base_url, email, password)
    if "/accounts/2fa/authenticate/" in page.url:
        page.locator("input[name=code]").fill(code_now(DEMO_TOTP_SECRET))
        page.locator("main button[type=submit]").first.click()
        page.wait_for_load_state()
    elif "/accounts/2fa/totp/activate/" in page.url:
        secret = page.locator("#authenticator_secret").input_value()
        page.locator("input[name=code]").fill(code_now(secret))
        page.locator("main button[type=submit]").first.click()
        page.get_by_test_id("recovery-codes").wait_for()
        page.get_by_test_id("continue").click()
        page.wait_for_load_state()
    return page
