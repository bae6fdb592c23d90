"""The portal speaks Chinese first: a complete catalogue, and no English left on any shell page."""

import re
from datetime import date, time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse

from accounts.models import Desk
from interventions.models import Alert, Severity
from tests import factories

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# Latin words a Chinese page may show: the name of the other language on its switch button, the
# screener's name (C-SSRS), file formats and sizes (CSV, PNG, 5 MB), and "App", which Chinese writes so.
ALLOWED_WORDS = {"English", "SSRS", "CSV", "JSON", "PNG", "JPEG", "WebP", "MB", "App"}


class VisibleText(HTMLParser):
    """Text a person sees or hears: text nodes outside script/style, and the labelling attributes."""

    LABELS = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts.extend(value for name, value in attrs if name in self.LABELS and value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def english_words(html: str) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    words = set()
    for token in " ".join(parser.parts).split():
        # Emails, order numbers and tracking numbers are data, not interface text.
        if "@" in token or re.search(r"\d", token):
            continue
        words.update(re.findall(r"[A-Za-z]{2,}", token))
    return words - ALLOWED_WORDS


def _forms(string) -> tuple:
    return string if isinstance(string, tuple) else (string,)


def test_every_message_of_the_catalogue_is_translated():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="zh_Hans")
    # A plural message's string is a tuple: each of its forms must be filled in.
    untranslated = [m.id for m in catalogue if m.id and (m.fuzzy or not all(_forms(m.string)))]
    assert untranslated == []


@pytest.fixture
def busy_portal(specialist, supervisor, shop_a, merchant_a, liaison):
    """Enough data that every branch of the shell's pages shows something."""
    buyer = factories.BuyerFactory(nickname="小雨妈妈")
    product = factories.ProductFactory(merchant=shop_a, risk_category="pesticide", name="草甘膦除草剂")
    order = factories.OrderFactory(buyer=buyer, product=product, merchant=shop_a)
    for severity in Severity.values[1:]:
        factories.AlertFactory(severity=severity, buyer=buyer, order=order, merchant=shop_a, summary="明确意图")
    factories.AlertFactory(
        desk=Desk.LIFE,
        severity=Severity.CRITICAL,
        created_at=factories.minutes_ago(30),
        sla_due_at=factories.minutes_ago(25),
        summary="超时未认领",
    )
    factories.AlertFactory(
        status=Alert.Status.CLAIMED, claimed_by=specialist, claimed_at=factories.minutes_ago(1), summary="已认领"
    )
    factories.HeartbeatFactory(last_beat_at=factories.minutes_ago(10))
    factories.CaseFactory(owner=specialist, risk_level=3)


SHELL_PAGES = [
    (None, "account_login"),
    ("specialist", "interventions:queue"),
    ("supervisor", "interventions:queue"),
    ("manager", "interventions:summary"),
    ("manager", "interventions:audit"),
    ("merchant_a", "orders:merchant_home"),
    ("liaison", "interventions:liaison_home"),
    ("outsider", "accounts:home"),
]


@pytest.mark.parametrize(("persona", "url_name"), SHELL_PAGES)
def test_shell_pages_show_no_english_in_chinese(client, personas, busy_portal, persona, url_name):
    if persona:
        client.force_login(personas[persona])
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"
    assert english_words(response.text) == set()


def test_chinese_is_the_default_even_for_an_english_browser(client, specialist):
    client.force_login(specialist)
    response = client.get(reverse("interventions:queue"), headers={"accept-language": "en-US,en;q=0.9"})
    assert "分诊队列" in response.text


def test_switching_to_english_is_remembered_on_the_profile(client, specialist):
    client.force_login(specialist)
    response = client.post(reverse("accounts:language"), {"language": "en", "next": reverse("interventions:queue")})
    assert response.status_code == 302
    assert response.url == reverse("interventions:queue")
    specialist.refresh_from_db()
    assert specialist.language == "en"
    page = client.get(reverse("interventions:queue"))
    assert "Triage queue" in page.text
    assert page.headers["Content-Language"] == "en"


def test_a_visitor_can_switch_the_login_page_to_english(client):
    client.post(reverse("accounts:language"), {"language": "en", "next": "/accounts/login/"})
    assert "Log in to Shouhu" in client.get(reverse("account_login")).text


def test_language_switch_refuses_an_offsite_next_and_an_unknown_language(client):
    response = client.post(reverse("accounts:language"), {"language": "en", "next": "https://evil.example/"})
    assert response.url == "/"
    assert client.post(reverse("accounts:language"), {"language": "klingon"}).status_code == 400


@pytest.fixture
def workspace(busy_portal, specialist, supervisor, shop_a):
    """A case with something in every section, an alert with a message, and a review waiting."""
    from interventions.services import (
        case_assess_risk,
        checkin_plan,
        incident_review_open,
        order_intercept,
        police_refer,
        review_action_add,
    )

    case = factories.CaseFactory(owner=specialist, buyer=factories.BuyerFactory(nickname="小雨妈妈"))
    order = factories.OrderFactory(buyer=case.buyer, product=factories.ProductFactory(risk_category="pesticide"))
    case_assess_risk(case=case, by=specialist, cssrs={"q4": True}, factors=["explicit_intent", "prepared_method"])
    order_intercept(case=case, order=order, by=specialist)
    police_refer(case=case, unit=factories.PoliceUnitFactory(), by=specialist, what_reported="报警内容")
    checkin_plan(case=case, by=specialist, local_day=date(2026, 11, 24), local_time=time(8, 30), channel="chat")
    message = factories.MessageFactory(text="我不想活了")
    alert = factories.AlertFactory(buyer=case.buyer)
    alert.messages.add(message)
    review = incident_review_open(case=case, by=supervisor)
    review_action_add(review=review, by=supervisor, description="剧本加一步", owner=specialist)
    return {"case": case.pk, "alert": alert.pk, "review": review.pk}


WORK_PAGES = [
    ("specialist", "interventions:alert", "alert"),
    ("specialist", "interventions:case", "case"),
    ("specialist", "interventions:alert_new", None),
    ("specialist", "interventions:police_units", None),
    ("supervisor", "interventions:reviews", None),
    ("supervisor", "interventions:queue", None),
    ("supervisor", "interventions:incident_reviews", None),
    ("supervisor", "interventions:incident_review", "review"),
    ("specialist", "interventions:today", None),
    ("manager", "interventions:figures", None),
    ("specialist", "interventions:cases", None),
    ("supervisor", "interventions:cases", None),
]


@pytest.mark.parametrize(("persona", "url_name", "arg"), WORK_PAGES)
def test_work_pages_show_no_english_in_chinese(client, personas, workspace, persona, url_name, arg):
    client.force_login(personas[persona])
    response = client.get(reverse(url_name, args=[workspace[arg]] if arg else []))
    assert response.status_code == 200
    assert english_words(response.text) == set()


@pytest.fixture
def fraud_workspace(supervisor):
    """A ring of two fraud cases merged into a ring case, a blocklisted payee, and a life alert
    about the victim linked to the fraud case."""
    from fraud.services import indicator_block, indicator_sight
    from interventions.services import alert_raise
    from interventions.services.rings import ring_merge

    victim = factories.BuyerFactory(nickname="小王")
    cases = [factories.CaseFactory(desk=Desk.FRAUD, buyer=victim if n == 0 else None) for n in range(2)]
    for case in cases:
        payee = indicator_sight(kind="payee", raw="alipay:seller_88", case=case).indicator
        indicator_sight(kind="url", raw="https://taoba0.com/refund", case=case)
    indicator_block(indicator=payee, by=supervisor, reason="已确认")
    ring_merge(cases=cases, by=supervisor, reason="同一收款账户", title="团伙")
    alert_raise(desk=Desk.LIFE, source="chat", severity=Severity.HIGH, summary="不想活了", buyer=victim)
    factories.PoliceUnitFactory(kind="anti_fraud_centre", name="市反诈中心")
    return {"case": cases[0].pk, "indicator": payee.pk}


@pytest.mark.parametrize(
    ("url_name", "arg"), [("fraud:ring", "case"), ("fraud:indicator", "indicator"), ("interventions:case", "case")]
)
def test_fraud_pages_show_no_english_in_chinese(client, supervisor, fraud_workspace, url_name, arg):
    client.force_login(supervisor)
    response = client.get(reverse(url_name, args=[fraud_workspace[arg]]))
    assert response.status_code == 200
    assert english_words(response.text) == set()


@pytest.fixture
def shop_workspace(merchant_a, shop_a, specialist, settings, tmp_path):
    """A report with the guide and a thread, and an open interception, for shop A."""
    from interventions.services import merchant_report_submit, order_intercept, report_note_add

    settings.MEDIA_ROOT = tmp_path
    order = factories.OrderFactory(product=factories.ProductFactory(merchant=shop_a, risk_category="sedative"))
    report = merchant_report_submit(
        merchant=shop_a, by=merchant_a, kind="life", text="我不想活了", talking_now=True, order=order
    )
    report_note_add(report=report, by=specialist, text="她在哪里?", from_platform=True)
    order_intercept(case=factories.CaseFactory(owner=specialist, buyer=order.buyer), order=order, by=specialist)
    return {"report": report.pk}


@pytest.mark.parametrize(
    ("url_name", "arg"),
    [
        ("orders:merchant_home", None),
        ("orders:report_new", None),
        ("orders:reports", None),
        ("orders:report", "report"),
        ("orders:interceptions", None),
        ("orders:staff", None),
    ],
)
def test_merchant_pages_show_no_english_in_chinese(client, merchant_a, shop_workspace, url_name, arg):
    client.force_login(merchant_a)
    response = client.get(reverse(url_name, args=[shop_workspace[arg]] if arg else []))
    assert response.status_code == 200
    assert english_words(response.text) == set()
