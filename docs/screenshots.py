"""Screenshots of the portal as each role sees it, from a running `make demo`.

Usage: start `make demo` in one terminal, then `make screenshots` (or
`.venv/bin/python docs/screenshots.py [BASE_URL]`). Pictures go to docs/screenshots/.
"""

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE_URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).parent / "screenshots"
PASSWORD = "shouhu-demo-2026"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# (file name, login, page)
SHOTS = [
    ("login", None, "/accounts/login/"),
    ("queue-specialist", "li@shouhu.demo", "/queue/"),
    ("summary-manager", "zhao@shouhu.demo", "/summary/"),
    ("case-herbicide", "li@shouhu.demo", "/cases/1/"),
    ("alert-sleeping-pills", "li@shouhu.demo", "/alerts/3/"),
    ("reviews-supervisor", "wang@shouhu.demo", "/reviews/"),
    ("case-game-currency", "chen@shouhu.demo", "/cases/3/"),
    ("ring-sms-codes", "chen@shouhu.demo", "/fraud/cases/2/ring/"),
    ("today-specialist", "li@shouhu.demo", "/today/"),
    ("notifications-supervisor", "wang@shouhu.demo", "/notifications/"),
    ("merchant-home", "kangning@shop.demo", "/merchant/"),
    ("liaison-home", "xiamen-fzzx@police.demo", "/liaison/"),
    ("admin-index", "wang@shouhu.demo", "/admin/"),
]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        for name, email, path in SHOTS:
            context = browser.new_context(viewport={"width": 1360, "height": 820}, locale="zh-CN")
            page = context.new_page()
            if email:
                page.goto(f"{BASE_URL}/accounts/login/")
                page.fill("input[name=username]", email)
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit].primary")
            page.goto(f"{BASE_URL}{path}")
            page.screenshot(path=OUT / f"{name}.png", full_page=True)
            print(f"{OUT / name}.png")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
