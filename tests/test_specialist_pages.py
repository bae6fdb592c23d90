"""Every specialist page and action is 404 for a merchant, a liaison and an outsider, and the
pages run the same number of queries however much data they show."""

import pytest
from django.urls import reverse

from interventions.models import IncidentReview, ReviewAction, ScannerBacktest, ScanTermChange
from interventions.urls import urlpatterns
from orders.models import Order
from tests import factories
from tests.pages import shown

# URL name → how to build its arguments from one alert and one case
ARGS = {
    "alert": "alert",
    "alert_act": "alert_action",
    "alert_contact": "alert",
    "case": "case",
    "case_act": "case_action",
    "case_legal_hold": "case",
    "case_contact": "case",
    "review_act": "review",
    "checkin_call": "checkin",
    "object_history": "case_history",
    "figures_export": "figures_table",
    "incident_review_start": "case",
    "incident_review": "incident_review",
    "incident_review_act": "incident_review_action",
    "review_follow_up_done": "follow_up",
    "scanner_withdraw": "term_change",
    "scanner_publish": "backtest",
}


@pytest.fixture
def objects(specialist):
    case = factories.CaseFactory(owner=specialist, risk_level=3)
    alert = factories.AlertFactory()
    action = factories.EmergencyActionFactory(case=case, taken_by=specialist)
    review = IncidentReview.objects.create(case=case, title="复盘", opened_by=specialist)
    follow_up = ReviewAction.objects.create(review=review, description="x", owner=specialist, created_by=specialist)
    return {
        "alert": [alert.pk],
        "alert_action": [alert.pk, "claim"],
        "case": [case.pk],
        "case_action": [case.pk, "note"],
        "review": [action.pk],
        "checkin": [factories.CheckInFactory(case=case, owner=specialist, channel="phone").pk],
        "case_history": ["case", case.pk],
        "figures_table": ["claim"],
        "incident_review": [review.pk],
        "incident_review_action": [review.pk, "conclude"],
        "follow_up": [follow_up.pk],
        "term_change": [
            ScanTermChange.objects.create(
                action="add", phrase="x", category="intent", weight=2, reason="x", proposed_by=specialist
            ).pk
        ],
        "backtest": [ScannerBacktest.objects.create(fingerprint="x", requested_by=specialist).pk],
    }


# Pages of other roles, or shared with them, checked in their own tests (test_liaison,
# test_stop_payment, test_summary_and_heartbeat).
# The notification pages serve every signed-in user their own (tests/test_reminders.py).
OTHER_ROLES_PAGES = {
    "liaison_home",
    "referral_answer",
    "stop_payment_answer",
    "stop_payment_packet",
    "summary",
    "notifications",
    "notifications_read",
    "notification_open",
}
SPECIALIST_PAGES = [p.name for p in urlpatterns if p.name not in OTHER_ROLES_PAGES]


def test_the_list_of_specialist_pages_is_complete():
    assert {
        "queue",
        "queue_next",
        "alert_new",
        "alert",
        "alert_act",
        "case",
        "case_act",
        "reviews",
        "review_act",
    } <= set(SPECIALIST_PAGES)


@pytest.mark.parametrize("url_name", SPECIALIST_PAGES)
@pytest.mark.parametrize("persona", ["merchant_a", "liaison", "outsider"])
def test_specialist_pages_are_404_for_merchants_liaisons_and_outsiders(client, personas, objects, url_name, persona):
    url = reverse(f"interventions:{url_name}", args=objects.get(ARGS.get(url_name), []))
    client.force_login(personas[persona])
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "x", "reason": "false_alarm", "decision": "confirm"}).status_code == 404


def _fill_case(case, times: int) -> None:
    for _ in range(times):
        order = factories.OrderFactory(buyer=case.buyer)
        factories.CaseEventFactory(case=case)
        alert = factories.AlertFactory(buyer=case.buyer, case=case, status="promoted")
        alert.messages.add(factories.MessageFactory(buyer=case.buyer))
        factories.CheckInFactory(case=case, owner=case.owner, created_by=case.owner)
        interception = factories.InterceptionRequestFactory(
            case=case, order=order, requested_by=case.owner, status="shipped", tracking_no="SF0000000001"
        )
        # Timeline lines that show the row they are about: read with the rows, not one by one.
        for kind, key, row in (
            ("interception_updated", "interception_id", interception),
            ("assessed", "assessment_id", factories.RiskAssessmentFactory(case=case)),
            ("police_referred", "referral_id", factories.PoliceReferralFactory(case=case)),
        ):
            factories.CaseEventFactory(case=case, kind=kind, payload={key: row.pk, "status": "shipped"})


def test_the_case_page_runs_the_same_queries_when_its_data_doubles(client, specialist, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = factories.CaseFactory(owner=specialist)
    _fill_case(case, 4)
    client.force_login(specialist)
    url = reverse("interventions:case", args=[case.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        shown(client.get(url), case.reference)
    _fill_case(case, 4)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url)
    shown(page, case.reference, *(order.external_ref for order in Order.objects.filter(buyer=case.buyer)))


def test_the_queue_runs_the_same_queries_when_its_data_doubles(client, specialist, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(times):
        for _ in range(times):
            order = factories.OrderFactory()
            alert = factories.AlertFactory(order=order, merchant=order.merchant)
            alert.messages.add(factories.MessageFactory())

    add(10)
    client.force_login(specialist)
    url = reverse("interventions:queue")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        shown(client.get(url), "明确意图 + 方法")
    add(10)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert shown(page).count("明确意图 + 方法") == 20  # every alert is a row
