"""Who reaches what: every named URL of the portal and the API, asked by every role, against one
table. A new URL fails the completeness check until its row says who may reach it.

"Reaches" means the role and object checks let the request through: any answer but a refusal.
A refusal is 404 on portal pages (they do not say what exists), the login page for an anonymous
visitor, 401 or 403 on the API. GET is asked everywhere, so nothing is changed: a POST-only view
that lets the role through answers 405. The Django admin is checked against the role table of
accounts/roles.py, model by model, in the second test.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Desk
from accounts.roles import ADMIN_ROLES, ROLE_PERMISSIONS, Role
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
    # One's own account only. No one here has an authenticator yet, so there is nothing to switch
    # off or to show; the page for new recovery codes opens, and refuses to make any.
    "mfa_deactivate_totp": set(),
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
    "interventions:case": LIFE_DESK,
    "interventions:case_act": LIFE_DESK,
    "interventions:case_legal_hold": LIFE_DESK & OVERSIGHT,  # a supervisor or manager who reads the case
    "interventions:case_contact": LIFE_DESK,
    "interventions:police_units": DESK_STAFF,
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


def _named_urls() -> set[str]:
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                yield from walk(pattern.url_patterns, f"{namespace}:{inner}".strip(":") if inner else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return {name for name in walk(get_resolver().url_patterns) if not name.startswith("admin:")}


def test_every_named_url_is_in_the_matrix():
    assert set(EXPECTED) == _named_urls()


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
    review = IncidentReview.objects.create(case=life_case, title="复盘", opened_by=people["supervisor"])
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
    backtest = ScannerBacktest.objects.create(fingerprint="x", requested_by=people["manager"])
    return {
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
        "fraud:indicator": [factories.SightingFactory(case=fraud_case).indicator.pk],
        "fraud:indicator_act": [fraud_case.sightings.get().indicator.pk, "block"],
        "orders:report": [report.pk],
        "orders:report_status": [report.pk],
        "orders:report_note": [report.pk],
        "orders:interception_answer": [interception.pk],
        "orders:staff_act": [merchant.merchant_membership.pk, "remove"],
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


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code == 302 and response.url.startswith(reverse("account_login"))


# What a POST-only view is sent: the least that gets past its checks to do its work.
POST_DATA = {
    "accounts:language": {"language": "en"},
    "account_logout": {"next": "/healthz"},  # not the login page, which would read as a refusal
    "interventions:case_act": {"text": "x"},
    "interventions:review_act": {"decision": "confirm"},
    "interventions:figures_export": {"purpose": "review"},
    "interventions:referral_answer": {"status": "received"},
    "interventions:stop_payment_answer": {"status": "received"},
    "fraud:ring_export": {"purpose": "review"},
    "fraud:case_indicator_add": {"kind": "phone", "value": "13800000000"},
    "fraud:indicator_act": {"reason": "x"},
    "orders:report_note": {"text": "x"},
    "orders:interception_answer": {"status": "held"},
}


def _ask(client, person, url: str, name: str):
    """GET the URL as the person; a view that answers GET with 405 is sent its POST. Whatever the
    request changed is rolled back, so each question starts from the same world."""
    with transaction.atomic():
        client.logout()
        if person is not None:
            client.force_login(person)
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url, POST_DATA.get(name, {}))
        transaction.set_rollback(True)
    return response


def test_each_role_reaches_exactly_what_the_matrix_says(client, people, world):
    reached: dict[str, set[str]] = {name: set() for name in EXPECTED}
    for role, person in people.items():
        for name in EXPECTED:
            response = _ask(client, person, reverse(name, args=world.get(name, [])), name)
            assert response.status_code < 500, (name, role, response.status_code)
            if not _refused(response):
                reached[name].add(role)
    wrong = {
        name: {"expected": sorted(EXPECTED[name]), "reached": sorted(reached[name])}
        for name in EXPECTED
        if reached[name] != EXPECTED[name]
    }
    assert wrong == {}, "\n".join(f"{name}: {roles}" for name, roles in wrong.items())


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


def _admin_may(role: str | None, model, action: str) -> bool:
    """What accounts/roles.py grants: the admin site to ADMIN_ROLES with ACCESS_ADMIN, and each
    model's page to a role with its view (or change) permission."""
    if role not in ADMIN_ROLES:
        return False
    granted = set(ROLE_PERMISSIONS[role])
    label = f"{model._meta.app_label}.%s_{model._meta.model_name}"
    if action == "changelist":
        return label % "view" in granted or label % "change" in granted
    return label % "add" in granted


def test_the_admin_never_opens_more_than_the_role_table_grants(client, people):
    """A model's admin may be stricter than the role table (records are changed through the
    portal's services, so most have no add page), never looser."""
    opened: dict[str, int] = {}
    for persona, person in people.items():
        for model in admin.site._registry:
            for action in ("changelist", "add"):
                url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}")
                response = _ask(client, person, url, url)
                if response.status_code == 200:
                    assert _admin_may(ROLE_OF.get(persona), model, action), (persona, url)
                    opened[persona] = opened.get(persona, 0) + 1
    assert set(opened) == {"supervisor", "manager"}
    assert opened["manager"] > opened["supervisor"] > 10  # managers also keep the reference data
