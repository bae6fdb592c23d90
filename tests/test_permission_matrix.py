"""Who reaches what: every URL of the portal and the API, asked by every role, against one table.
A new URL fails the completeness check until its row says who may reach it, and a URL without a
name fails it too, so that none goes unasked.

"Reaches" means the role and object checks and the service let the request through: any answer
but a refusal. A refusal is 404 on portal pages (they do not say what exists), the login page for
an anonymous visitor, 401 or 403 on the API, or an error told to the person (a service that
refuses says why and sends them back). GET is asked everywhere, so nothing is changed; a
POST-only view is sent its POST, and whatever it changed is rolled back. Every action of an action
URL is asked, not one. Each person logs in through the real pages, the staff with the code of an
authenticator app, and a staff login without one reaches nothing but the pages that set it up.
The Django admin is checked against the role table of accounts/roles.py, model by model and page
by page.
"""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib import admin, messages
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Desk
from accounts.roles import ADMIN_ROLES, ROLE_PERMISSIONS, Role
from accounts.security import second_factor_required
from demo.codes import code_now
from fraud.models import StopPaymentRequest
from interventions.models import (
    EmergencyAction,
    IncidentReview,
    Notification,
    ReviewAction,
    ScannerBacktest,
    ScanTermChange,
)
from interventions.services import order_intercept
from interventions.services.scanner import changes_fingerprint
from interventions.views.alerts import _ALERT_ACTIONS
from interventions.views.cases import _CASE_ACTIONS
from interventions.views.figures import TABLES
from interventions.views.rings import _RING_ACTIONS
from orders.models import MerchantReport, ReportAttachment
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "specialist",
    "fraud_specialist",
    "supervisor",
    "manager",
    "merchant_a",
    "liaison",
    "integration",
    "outsider",
]
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
LIFE_DESK = {"specialist", "supervisor"}  # the objects below are the life desk's
FRAUD_DESK = {"fraud_specialist", "supervisor"}
DESK_STAFF = {"specialist", "fraud_specialist", "supervisor", "manager"}  # may work a queue
OVERSIGHT = {"supervisor", "manager"}
SHOP = {"merchant_a"}
LIAISON = {"liaison"}

# URL name → the roles that get through, for the objects built by `world`.
EXPECTED: dict[str, set[str]] = {
    # accounts
    "accounts:home": SIGNED_IN,
    # django-allauth: logging in, out, the second factor, reauthentication and passwords
    "account_login": EVERYONE,
    "account_logout": SIGNED_IN,  # an anonymous visitor is sent to the login page
    "account_inactive": EVERYONE,
    "account_reset_password": EVERYONE,
    "account_reset_password_done": EVERYONE,
    "account_reset_password_from_key": EVERYONE,  # the emailed key is the credential
    "account_reset_password_from_key_done": EVERYONE,
    "account_reauthenticate": SIGNED_IN,
    "account_change_password": SIGNED_IN,
    "mfa_index": SIGNED_IN,
    "mfa_activate_totp": SIGNED_IN,
    # One's own account only. The staff have an authenticator: the page to switch it off asks for
    # the password again, and then refuses them (test_second_factor). No one here has recovery
    # codes to show; the page for new ones opens, and refuses to make any.
    "mfa_deactivate_totp": DESK_STAFF,
    "mfa_generate_recovery_codes": SIGNED_IN,
    "mfa_view_recovery_codes": set(),
    "mfa_download_recovery_codes": set(),
    "mfa_reauthenticate": SIGNED_IN,  # without an authenticator, it asks for the password instead
    "mfa_authenticate": SIGNED_IN,  # between the password and the code of a login; else it sends one home
    # pages django-allauth has that are not offered: there is no sign-up, no changing addresses
    "account_signup": set(),
    "account_email": set(),
    "account_email_verification_sent": set(),
    "account_confirm_email": set(),
    "account_set_password": set(),
    "account_confirm_login_code": set(),
    "account_request_reauthentication_code": set(),
    "account_confirm_reauthentication_code": set(),
    "accounts:language": EVERYONE,
    "accounts:password_set": EVERYONE,  # the link itself is the credential
    "health": EVERYONE,
    # the console
    "interventions:queue": DESK_STAFF,
    "interventions:queue_next": DESK_STAFF,
    "interventions:queue_bulk": OVERSIGHT,  # bulk triage is a supervisor's
    "interventions:alert_new": DESK_STAFF,
    "interventions:alert": LIFE_DESK,
    "interventions:alert_act": LIFE_DESK,
    "interventions:alert_contact": LIFE_DESK,  # revealing the person's phone: as reading the alert
    "interventions:break_glass": DESK_STAFF,
    # The case list opens for every desk's staff and lists their own desks' cases (a manager on no
    # desk's team gets an empty list); handing over in bulk is a supervisor's, for the cases of
    # their desks (the manager has the right, but no desk: the life case is not a choice).
    "interventions:cases": DESK_STAFF,
    "interventions:cases_hand_over": LIFE_DESK & OVERSIGHT,
    "interventions:case": LIFE_DESK,
    "interventions:case_act": LIFE_DESK,
    "interventions:case_legal_hold": LIFE_DESK & OVERSIGHT,  # a supervisor or manager who reads the case
    "interventions:case_contact": LIFE_DESK,
    "interventions:police_units": DESK_STAFF,
    # Every desk's staff may search; what a search finds is their own desks' (below).
    "interventions:search": DESK_STAFF,
    # The stream of changes opens for every desk's staff; which channels it carries is the desk's
    # (asked without a channel here; test_live asks a case of another desk).
    "interventions:live_events": DESK_STAFF,
    "interventions:today": DESK_STAFF,
    "interventions:checkin_call": {"specialist"},  # the owner's call to make
    "interventions:notifications": SIGNED_IN,
    "interventions:notifications_read": SIGNED_IN,
    "interventions:notification_open": {"specialist"},  # one's own only
    # oversight
    "interventions:reviews": OVERSIGHT,
    "interventions:review_act": OVERSIGHT,
    "interventions:incident_reviews": OVERSIGHT,
    "interventions:incident_review_start": OVERSIGHT,
    "interventions:incident_review": OVERSIGHT,
    "interventions:incident_review_act": OVERSIGHT,
    "interventions:review_follow_up_done": {"specialist", "supervisor", "manager"},  # its owner or a reviewer
    "interventions:summary": OVERSIGHT,
    "interventions:figures": OVERSIGHT,
    "interventions:figures_export": OVERSIGHT,
    "interventions:scanner": OVERSIGHT,
    # tuning the scanner's lists is the managers'
    "interventions:scanner_propose": {"manager"},
    "interventions:scanner_withdraw": {"manager"},
    "interventions:scanner_backtest": {"manager"},
    "interventions:scanner_publish": {"manager"},
    "interventions:audit": OVERSIGHT,
    "interventions:object_history": OVERSIGHT,
    # police liaisons
    "interventions:liaison_home": LIAISON,
    "interventions:referral_answer": LIAISON,
    "interventions:stop_payment_answer": LIAISON,
    "interventions:stop_payment_packet": FRAUD_DESK | LIAISON,
    # the anti-fraud desk
    "fraud:ring": FRAUD_DESK,
    "fraud:ring_export": FRAUD_DESK,
    "fraud:ring_act": FRAUD_DESK,
    "fraud:case_indicator_add": FRAUD_DESK,
    # An indicator opens only on the desks it was seen on (this one: a fraud case's), and lists
    # only those desks' alerts and cases; blocklisting is the fraud desk's.
    "fraud:indicator": FRAUD_DESK,
    "fraud:indicator_act": FRAUD_DESK,
    # the merchant portal
    "orders:merchant_home": SHOP,
    "orders:report_new": SHOP,
    "orders:reports": SHOP,
    "orders:report": SHOP,
    "orders:report_status": SHOP,
    "orders:report_note": SHOP,
    "orders:interceptions": SHOP,
    "orders:interception_answer": SHOP,
    "orders:staff": SHOP,
    "orders:staff_act": SHOP,
    "orders:staff_second_factor": SHOP,
    "orders:attachment": SHOP | LIFE_DESK,  # the shop, and the desk of the report's alert
    # the API
    # Intake takes a token with the intake:write scope, never a session (scopes: test_api).
    "api-intake-messages": set(),
    "api-intake-orders": set(),
    # Counts and blocklist status only, for either desk's tools.
    "api-indicator-lookup": DESK_STAFF,
    "api-blocklist-check": DESK_STAFF,
    "api-alert-list": DESK_STAFF,
    "api-alert-detail": LIFE_DESK,
    "api-case-list": DESK_STAFF,
    "api-case-detail": LIFE_DESK,
    "api-case-timeline": LIFE_DESK,
    "api-case-checkins": LIFE_DESK,
    "api-case-close": LIFE_DESK,
    "api-case-interceptions": LIFE_DESK,
    "api-case-referrals": LIFE_DESK,
    "api-order-list": DESK_STAFF,
    "api-order-detail": DESK_STAFF,
    "api-merchant-list": DESK_STAFF,
    "api-merchant-detail": DESK_STAFF,
    "api-police-unit-list": DESK_STAFF,
    "api-police-unit-detail": DESK_STAFF,
    # The schema and its docs are for staff signed in to the portal; no shop, liaison or token.
    "api-schema": DESK_STAFF,
    "api-docs": DESK_STAFF,
}


def _url_patterns(patterns=None, namespace="", prefix=""):
    """(namespace, the whole route, the pattern) for every URL pattern, outside the admin."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            if inner == "admin":
                continue  # asked model by model and page by page below
            within = f"{namespace}:{inner}".strip(":") if inner else namespace
            yield from _url_patterns(pattern.url_patterns, within, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield namespace, prefix + str(pattern.pattern), pattern


def _named_urls() -> set[str]:
    return {f"{ns}:{p.name}" if ns else p.name for ns, _, p in _url_patterns() if p.name}


# A pattern without a name cannot be reversed, so the matrix could not ask it. The one there is
# catches django-allauth's pages that are not offered; the names below are allauth's own for those
# pages, asked in the matrix, and each must land on it.
UNNAMED_ASKED_THROUGH = {
    "^accounts/(?:signup|email|confirm-email|password/set|login/code|reauthenticate/code)/": {
        "account_signup",
        "account_email",
        "account_confirm_email",
        "account_set_password",
        "account_confirm_login_code",
        "account_confirm_reauthentication_code",
    },
}


def test_every_named_url_is_in_the_matrix():
    assert set(EXPECTED) == _named_urls()


def test_every_url_has_a_name_so_that_the_matrix_asks_it(world):
    unnamed = {route: p for _, route, p in _url_patterns() if not p.name}
    assert unnamed.keys() == UNNAMED_ASKED_THROUGH.keys(), "give the new URL a name and a row in EXPECTED"
    for route, names in UNNAMED_ASKED_THROUGH.items():
        for name in names:
            assert resolve(reverse(name, args=world.get(name, []))).func == unnamed[route].callback, name


@pytest.fixture
def people(specialist, fraud_specialist, supervisor, manager, merchant_a, liaison, integration, outsider):
    return {
        "anonymous": None,
        "specialist": specialist,
        "fraud_specialist": fraud_specialist,
        "supervisor": supervisor,
        "manager": manager,
        "merchant_a": merchant_a,
        "liaison": liaison,
        "integration": integration,
        "outsider": outsider,
    }


@pytest.fixture
def world(people, shop_a, settings, tmp_path):
    """One object of each kind the URLs name: the life desk's alert and case, the fraud desk's case
    and indicator, shop A's report, screenshot and interception, the liaison's referral and
    stop-payment, Li's check-in, notification and review follow-up."""
    settings.MEDIA_ROOT = tmp_path
    specialist, liaison = people["specialist"], people["liaison"]
    unit = liaison.police_liaison.unit
    life_case = factories.CaseFactory(owner=specialist, desk=Desk.LIFE, risk_level=3)
    fraud_case = factories.CaseFactory(owner=people["fraud_specialist"], desk=Desk.FRAUD)
    alert = factories.AlertFactory(desk=Desk.LIFE, buyer=life_case.buyer)
    order = factories.OrderFactory(buyer=life_case.buyer, product=factories.ProductFactory(merchant=shop_a))
    interception = order_intercept(case=life_case, order=order, by=specialist)
    report = MerchantReport.objects.create(
        merchant=shop_a, reported_by=people["merchant_a"], kind="life", text="想不开", alert=alert
    )
    attachment = ReportAttachment.objects.create(
        report=report, file="screenshots/x.png", content_type="image/png", extension="png", size=1, width=1, height=1
    )
    (tmp_path / "screenshots").mkdir()
    (tmp_path / "screenshots" / "x.png").write_bytes(b"\x89PNG")
    referral = factories.PoliceReferralFactory(case=life_case, unit=unit)
    stop = StopPaymentRequest.objects.create(
        case=fraud_case,
        unit=unit,
        payee_account="6222000000000001",
        amount=1000,
        paid_at=fraud_case.opened_at,
        reported_at=fraud_case.opened_at,
        requested_by=people["fraud_specialist"],
    )
    action = EmergencyAction.objects.get(interception=interception)
    review = IncidentReview.objects.create(
        case=life_case, title="复盘", opened_by=people["supervisor"], went_well="x", made_it_hard="x"
    )
    follow_up = ReviewAction.objects.create(
        review=review, description="x", owner=specialist, created_by=people["supervisor"]
    )
    notification = Notification.objects.create(
        recipient=specialist, channel="portal", kind="digest", title="x", key="matrix"
    )
    merchant = people["merchant_a"]
    change = ScanTermChange.objects.create(
        action="add", phrase="测试词", category="intent", weight=2, reason="x", proposed_by=people["manager"]
    )
    backtest = ScannerBacktest.objects.create(
        fingerprint=changes_fingerprint([change]), requested_by=people["manager"], status=ScannerBacktest.Status.DONE
    )
    colleague = factories.MerchantMembershipFactory(merchant=shop_a)
    sighting = factories.SightingFactory(case=fraud_case)
    return {
        # What a POST-only view is sent, where it names the objects here.
        ("post", "interventions:queue_bulk"): {"alerts": [alert.pk], "reason": "false_alarm"},
        ("post", "fraud:ring_act"): {"indicators": [sighting.indicator.pk], "reason": "x"},
        ("post", "interventions:cases_hand_over"): {
            "cases": [life_case.pk],
            "to": people["supervisor"].pk,
            "note": "x",
        },
        "interventions:scanner_withdraw": [change.pk],
        "interventions:scanner_publish": [backtest.pk],
        "accounts:password_set": [
            urlsafe_base64_encode(force_bytes(merchant.pk)),
            default_token_generator.make_token(merchant),
        ],
        "account_reset_password_from_key": ["1", "not-a-key"],
        "account_confirm_email": ["not-a-key"],
        "interventions:alert": [alert.pk],
        "interventions:alert_act": [alert.pk, "claim"],
        "interventions:alert_contact": [alert.pk],
        "interventions:case": [life_case.pk],
        "interventions:case_act": [life_case.pk, "note"],
        "interventions:case_legal_hold": [life_case.pk],
        "interventions:case_contact": [life_case.pk],
        "interventions:checkin_call": [factories.CheckInFactory(case=life_case, channel="phone").pk],
        "interventions:notification_open": [notification.pk],
        "interventions:review_act": [action.pk],
        "interventions:incident_review_start": [life_case.pk],
        "interventions:incident_review": [review.pk],
        "interventions:incident_review_act": [review.pk, "conclude"],
        "interventions:review_follow_up_done": [follow_up.pk],
        "interventions:figures_export": ["claim"],
        "interventions:object_history": ["case", life_case.pk],
        "interventions:referral_answer": [referral.pk],
        "interventions:stop_payment_answer": [stop.pk],
        "interventions:stop_payment_packet": [stop.pk],
        "fraud:ring": [fraud_case.pk],
        "fraud:ring_export": [fraud_case.pk, "csv"],
        "fraud:ring_act": [fraud_case.pk, "block"],
        "fraud:case_indicator_add": [fraud_case.pk],
        "fraud:indicator": [sighting.indicator.pk],
        "fraud:indicator_act": [sighting.indicator.pk, "block"],
        "orders:report": [report.pk],
        "orders:report_status": [report.pk],
        "orders:report_note": [report.pk],
        "orders:interception_answer": [interception.pk],
        "orders:staff_act": [colleague.pk, "remove"],
        "orders:attachment": [attachment.pk],
        "api-alert-detail": [alert.pk],
        "api-case-detail": [life_case.pk],
        "api-case-timeline": [life_case.pk],
        "api-case-checkins": [life_case.pk],
        "api-case-close": [life_case.pk],
        "api-case-interceptions": [life_case.pk],
        "api-case-referrals": [life_case.pk],
        "api-order-detail": [order.pk],
        "api-merchant-detail": [shop_a.pk],
        "api-police-unit-detail": [unit.pk],
    }


SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # a base32 secret, as an authenticator app holds it


def _logged_in(person) -> Client:
    """A browser of this person, logged in through the real pages: the password, and the code of
    an authenticator app for whoever must give one."""
    browser = Client()
    if person is None:
        return browser
    needs_code = second_factor_required(person)
    if needs_code:
        TOTP.activate(person, SECRET)
    answer = browser.post(reverse("account_login"), {"login": person.email, "password": factories.PASSWORD})
    assert answer.status_code == 302, answer.content[:300]
    if needs_code:
        assert answer.url == reverse("mfa_authenticate")
        browser.post(reverse("mfa_authenticate"), {"code": code_now(SECRET)})
    assert "_auth_user_id" in browser.session
    return browser


@pytest.fixture
def browsers(people) -> dict[str, Client]:
    return {role: _logged_in(person) for role, person in people.items()}


def _refused_by_access(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code == 302 and response.url.startswith(reverse("account_login"))


def _refused(response) -> bool:
    """Refused by the access checks, or by the service: an error told to the person."""
    told = messages.get_messages(response.wsgi_request)
    return _refused_by_access(response) or any(message.level >= messages.ERROR for message in told)


# What a POST-only view is sent: the least that gets past its checks to do its work.
POST_DATA = {
    "accounts:language": {"language": "en"},
    "account_logout": {"next": "/healthz"},  # not the login page, which would read as a refusal
    "interventions:case_act": {"text": "x"},
    "interventions:review_act": {"decision": "confirm"},
    "interventions:figures_export": {"purpose": "review"},
    "interventions:case_legal_hold": {"hold": "1", "reason": "x"},
    "interventions:scanner_propose": {
        "action": "add",
        "phrase": "矩阵",
        "category": "intent",
        "weight": 2,
        "reason": "x",
    },
    "interventions:referral_answer": {"status": "received"},
    "interventions:stop_payment_answer": {"status": "received"},
    "fraud:ring_export": {"purpose": "review"},
    "fraud:case_indicator_add": {"kind": "phone", "value": "13800000000"},
    "fraud:indicator_act": {"reason": "x"},
    "orders:report_note": {"text": "x"},
    "orders:interception_answer": {"status": "held"},
}


def _ask(browser, url: str, name: str, data: dict | None = None):
    """GET the URL in the person's browser; a view that answers GET with 405 is sent its POST.
    Whatever the request changed is rolled back, so each question starts from the same world."""
    browser.cookies.pop("messages", None)  # only what this request tells counts
    with transaction.atomic():
        response = browser.get(url)
        if response.status_code == 405:
            response = browser.post(url, POST_DATA.get(name, {}) if data is None else data)
        transaction.set_rollback(True)
    return response


def test_each_role_reaches_exactly_what_the_matrix_says(browsers, world):
    reached: dict[str, set[str]] = {name: set() for name in EXPECTED}
    for role, browser in browsers.items():
        for name in EXPECTED:
            response = _ask(browser, reverse(name, args=world.get(name, [])), name, world.get(("post", name)))
            assert response.status_code < 500, (name, role, response.status_code)
            if not _refused(response):
                reached[name].add(role)
    wrong = {
        name: {"expected": sorted(EXPECTED[name]), "reached": sorted(reached[name])}
        for name in EXPECTED
        if reached[name] != EXPECTED[name]
    }
    assert wrong == {}, "\n".join(f"{name}: {roles}" for name, roles in wrong.items())


# What a list shows is asked too, not only whether it opens: each desk's case is listed to the
# people of that desk, in the view of the desks' open cases, and to no one else.
LISTS_SHOW = {"interventions:cases": {"LP": LIFE_DESK, "AF": FRAUD_DESK}}


def test_each_list_shows_a_desks_rows_to_exactly_that_desks_people(browsers, world):
    life_case, fraud_case = world["interventions:case"][0], world["fraud:ring"][0]
    references = {"LP": f"LP-{life_case:06d}", "AF": f"AF-{fraud_case:06d}"}
    wrong = []
    for name, shown_to in LISTS_SHOW.items():
        for role, browser in browsers.items():
            response = _ask(browser, reverse(name) + "?view=desk", name)
            for prefix, roles in shown_to.items():
                if (references[prefix] in response.content.decode()) != (role in roles):
                    wrong.append((name, role, prefix))
    assert wrong == []


def test_the_search_finds_a_desks_case_for_exactly_the_roles_of_that_desk(browsers, world):
    """The search box answers every desk's staff, and leads each only to its own desks' cases: the
    life desk's case by its reference for the life desk, the fraud desk's for the fraud desk (the
    manager works no desk's queue, so finds neither); the same rows as the case pages."""
    cases = {"LP": (world["interventions:case"][0], LIFE_DESK), "AF": (world["fraud:ring"][0], FRAUD_DESK)}
    for prefix, (pk, desk) in cases.items():
        case_page = reverse("interventions:case", args=[pk])
        found = set()
        for role, browser in browsers.items():
            response = _ask(browser, f"{reverse('interventions:search')}?q={prefix}-{pk:06d}", "interventions:search")
            if response.status_code == 302 and response.url == case_page:
                found.add(role)
            else:
                assert _refused_by_access(response) or response.status_code == 200, (role, response.status_code)
        assert found == desk, prefix


# Every value the last argument of an action URL takes: the actions its view knows, the tables and
# the file formats of an export. (The audit page's first argument is the kind of record, each with
# records of its own: audit tests ask them.)
ACTIONS = {
    "interventions:alert_act": sorted(_ALERT_ACTIONS),
    "interventions:case_act": sorted(_CASE_ACTIONS),
    "interventions:incident_review_act": ["conclude", "follow_up"],
    "interventions:figures_export": sorted(TABLES),
    "fraud:ring_act": sorted(_RING_ACTIONS),
    "fraud:ring_export": ["csv", "json"],
    "fraud:indicator_act": ["block", "unblock"],
    "orders:staff_act": ["admin", "not_admin", "remove", "resend"],
}
# Where one action of a URL is for fewer roles than its row: taking an indicator off the blocklist is
# a supervisor's.
ACTION_EXPECTED = {("fraud:indicator_act", "unblock"): {"supervisor"}}


def test_every_action_of_an_action_url_is_refused_to_exactly_the_roles_its_row_leaves_out(browsers, world):
    """Whatever the action, the access checks let the row's roles through and no one else; an
    action the view does not know is a 404 for everyone."""
    wrong = []
    for name, actions in ACTIONS.items():
        *args, _ = world[name]
        for action in [*actions, "no-such-action"]:
            url = reverse(name, args=[*args, action])
            for role, browser in browsers.items():
                response = _ask(browser, url, name, data={})
                assert response.status_code < 500, (url, role, response.status_code)
                row = ACTION_EXPECTED.get((name, action), EXPECTED[name])
                expected = role in row and action != "no-such-action"
                if _refused_by_access(response) == expected:
                    wrong.append((url, role, response.status_code))
    assert wrong == []


# What a staff session still waiting for its second factor may open (accounts.middleware).
BEFORE_THE_SECOND_FACTOR = {
    "account_logout",
    "mfa_activate_totp",
    "mfa_reauthenticate",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
    "accounts:language",
}
STAFF = ["specialist", "fraud_specialist", "supervisor", "manager"]


def test_a_staff_login_without_a_second_factor_reaches_no_url_but_the_ones_that_set_it_up(people, world):
    for role in STAFF:
        browser = Client()
        browser.post(reverse("account_login"), {"login": people[role].email, "password": factories.PASSWORD})
        assert "_auth_user_id" in browser.session  # the password alone opens a session, and nothing more
        for name in EXPECTED.keys() - BEFORE_THE_SECOND_FACTOR:
            response = _ask(browser, reverse(name, args=world.get(name, [])), name)
            if name.startswith("api-"):
                assert response.status_code == 403, (role, name, response.status_code)
                assert response.json()["error"]["code"] == "second_factor_required"
            else:
                assert response.status_code == 302, (role, name, response.status_code)
                assert response.url.startswith(reverse("mfa_activate_totp")), (role, name, response.url)


# The role each persona holds (the specialists and the supervisor differ only by desk).
ROLE_OF = {
    "specialist": Role.SPECIALIST,
    "fraud_specialist": Role.SPECIALIST,
    "supervisor": Role.SUPERVISOR,
    "manager": Role.MANAGER,
    "merchant_a": Role.MERCHANT_STAFF,
    "liaison": Role.POLICE_LIAISON,
    "integration": Role.INTEGRATION,
}


def _admin_may(role: str | None, model, page: str) -> bool:
    """What accounts/roles.py grants: the admin site to ADMIN_ROLES with ACCESS_ADMIN, and each
    model's pages to a role with the permission each page needs."""
    if role not in ADMIN_ROLES:
        return False
    return any(_granted(role, model, needed) for needed in ADMIN_PAGE_NEEDS[page])


def _granted(role: str, model, permission: str) -> bool:
    return f"{model._meta.app_label}.{permission}_{model._meta.model_name}" in ROLE_PERMISSIONS[role]


# The permissions each admin page opens with (any one of them).
ADMIN_PAGE_NEEDS = {
    "changelist": ("view", "change"),
    "add": ("add",),
    "change": ("view", "change"),
    "history": ("view", "change"),
    "delete": ("delete",),
}


def test_the_admin_never_opens_more_than_the_role_table_grants(browsers, people):
    """Every page of every model's admin (list, add, one record, its history, deleting it), asked
    by every role. A model's admin may be stricter than the role table (records are changed through
    the portal's services, so most have no add page), never looser."""
    opened: dict[str, int] = {}
    asked_records = 0
    for persona, browser in browsers.items():
        for model in admin.site._registry:
            record = model._default_manager.order_by("pk").first()
            pages = {page: [] for page in ("changelist", "add")}
            if record is not None:
                pages |= {page: [record.pk] for page in ("change", "history", "delete")}
                asked_records += 1
            for page, args in pages.items():
                url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)
                response = _ask(browser, url, url)
                if response.status_code == 200:
                    assert _admin_may(ROLE_OF.get(persona), model, page), (persona, url)
                    opened[persona] = opened.get(persona, 0) + 1
    assert set(opened) == {"supervisor", "manager"}
    assert opened["manager"] > opened["supervisor"] > 10  # managers also keep the reference data
    assert asked_records >= 12 * len(browsers)  # the world holds a record of most models


def test_every_admin_action_needs_a_permission_the_role_table_grants(people, rf):
    """An admin action acts on many records at once. Each one a role is offered must say which
    permission it needs, and the role must hold it: an action that names none is offered to anyone
    who can see the list."""
    offered = set()
    for persona, person in people.items():
        if person is None:
            continue
        request = rf.post("/")
        request.user = person
        if not admin.site.has_permission(request):
            continue
        for model, model_admin in admin.site._registry.items():
            if not model_admin.has_view_or_change_permission(request):
                continue
            for name, (action, _, _) in model_admin.get_actions(request).items():
                needs = getattr(action, "allowed_permissions", ())
                assert needs, f"{model.__name__}: the action {name} names no permission"
                assert ROLE_OF.get(persona) in ADMIN_ROLES, (persona, name)
                assert all(_granted(ROLE_OF[persona], model, need) for need in needs), (persona, model, name)
                offered.add((persona, model.__name__, name))
    assert ("manager", "PeriodicTask", "disable_tasks") in offered
    assert ("supervisor", "PeriodicTask", "disable_tasks") not in offered  # who may only look
