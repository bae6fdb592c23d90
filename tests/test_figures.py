"""The managers' figures: each number against rows whose answer is known, the period and desk
filters, the page, and the audited CSV export."""

import csv
import io
import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import AccessLog, Desk
from fraud.models import Dissuasion, StopPaymentRequest
from interventions.models import Alert, CaseEvent, CheckIn, PoliceReferral
from interventions.selectors.figures import Period, managers_figures
from interventions.services import figures_roll_up
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)
NOVEMBER = Period(since=date(2026, 11, 1), until=date(2026, 11, 20))

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def shown(period: Period = NOVEMBER):
    """The figures as the dashboard shows them, after the sweep's roll-up."""
    figures_roll_up()
    return managers_figures(period)


def _claimed_alert(raised: datetime, after_minutes: float, *, desk=Desk.LIFE, severity=4, by) -> Alert:
    return factories.AlertFactory(
        desk=desk,
        severity=severity,
        created_at=raised,
        status=Alert.Status.CLAIMED,
        claimed_by=by,
        claimed_at=raised + timedelta(minutes=after_minutes),
    )


def test_alerts_are_counted_per_local_day_desk_and_severity():
    # 16:30 UTC on the 14th is 00:30 on the 15th in Shanghai: it belongs to the 15th.
    factories.AlertFactory(created_at=datetime(2026, 11, 14, 16, 30, tzinfo=ZoneInfo("UTC")), severity=4)
    factories.AlertFactory(created_at=datetime(2026, 11, 15, 9, 0, tzinfo=SHANGHAI), severity=4)
    factories.AlertFactory(created_at=datetime(2026, 11, 15, 9, 0, tzinfo=SHANGHAI), severity=2)
    factories.AlertFactory(created_at=datetime(2026, 11, 15, 9, 0, tzinfo=SHANGHAI), desk=Desk.FRAUD)
    factories.AlertFactory(created_at=datetime(2026, 10, 31, 23, 59, tzinfo=SHANGHAI))  # before the period

    rows = shown().alerts_per_day
    assert [(r["day"], r["desk"], r["severity"], r["total"]) for r in rows] == [
        (date(2026, 11, 15), "fraud", 3, 1),
        (date(2026, 11, 15), "life", 2, 1),
        (date(2026, 11, 15), "life", 4, 2),
    ]


def test_time_to_claim_is_the_median_and_90th_percentile_against_the_sla(specialist):
    raised = datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)
    for minutes in (1, 2, 3, 4, 10):
        _claimed_alert(raised, minutes, by=specialist)
    factories.AlertFactory(created_at=raised, severity=4)  # never claimed

    (row,) = shown().claim_times
    assert (row["raised"], row["claimed"]) == (6, 5)
    assert row["within_sla"] == 4  # critical: within 5 minutes
    # Read from 5 % duration buckets: the wait that holds the rank, within 5 %.
    assert row["median"].total_seconds() == pytest.approx(3 * 60, rel=0.05)
    assert row["p90"].total_seconds() == pytest.approx(10 * 60, rel=0.05)


def test_time_to_first_action_runs_from_the_first_alert_to_the_first_thing_done(specialist):
    raised = datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)
    for minutes in (10, 20, 90):
        case = factories.CaseFactory(owner=specialist, opened_at=raised + timedelta(minutes=5))
        factories.AlertFactory(case=case, created_at=raised, status=Alert.Status.PROMOTED)
        factories.CaseEventFactory(case=case, kind=CaseEvent.Kind.NOTE, created_at=raised + timedelta(minutes=6))
        factories.CaseEventFactory(
            case=case, kind=CaseEvent.Kind.INTERCEPTION_REQUESTED, created_at=raised + timedelta(minutes=minutes)
        )
        factories.CaseEventFactory(
            case=case, kind=CaseEvent.Kind.POLICE_REFERRED, created_at=raised + timedelta(minutes=minutes + 50)
        )
    factories.CaseFactory(owner=specialist, opened_at=raised)  # nothing done yet

    (row,) = shown().first_action_times
    assert (row["opened"], row["acted"], row["within_sla"]) == (4, 3, 2)  # the target is 30 minutes
    assert row["median"].total_seconds() == pytest.approx(20 * 60, rel=0.05)
    assert row["p90"].total_seconds() == pytest.approx(90 * 60, rel=0.05)


def test_outcomes_actions_and_money_are_counted_for_the_period(specialist, fraud_specialist):
    inside = datetime(2026, 11, 12, 10, 0, tzinfo=SHANGHAI)
    before = datetime(2026, 10, 12, 10, 0, tzinfo=SHANGHAI)
    for outcome, closed in (("safe", inside), ("safe", inside), ("referred", inside), ("safe", before)):
        factories.CaseFactory(owner=specialist, status="closed", outcome=outcome, closed_at=closed)
    fraud_case = factories.CaseFactory(desk=Desk.FRAUD, owner=fraud_specialist)
    for status, at in (("held", inside), ("held", inside), ("shipped", inside), ("held", before)):
        factories.InterceptionRequestFactory(status=status, requested_at=at)
    factories.PoliceReferralFactory(referred_at=inside, status=PoliceReferral.Status.RECEIVED)
    for frozen in (Decimal("5000"), None):
        StopPaymentRequest.objects.create(
            case=fraud_case,
            unit=factories.PoliceUnitFactory(kind="anti_fraud_centre"),
            payee_account="6222000000000001",
            amount=Decimal("8000"),
            paid_at=inside,
            reported_at=inside,
            status="frozen" if frozen else "requested",
            frozen_amount=frozen,
            requested_by=fraud_specialist,
            requested_at=inside,
        )
    for convinced in (True, True, False):
        Dissuasion.objects.create(
            case=fraud_case,
            scam_type="refund",
            reached=True,
            convinced=convinced,
            amount_protected=Decimal("1200") if convinced else 0,
            by=fraud_specialist,
            at=inside,
        )

    figures = shown()
    assert {(r["outcome"], r["total"]) for r in figures.case_outcomes} == {("safe", 2), ("referred", 1)}
    assert {(r["status"], r["total"]) for r in figures.interceptions} == {("held", 2), ("shipped", 1)}
    assert [(r["status"], r["total"]) for r in figures.police_referrals] == [("received", 1)]
    assert figures.stop_payments == {
        "requested": 2,
        "frozen": 1,
        "amount_asked": Decimal("16000"),
        "amount_frozen": Decimal("5000"),
    }
    assert figures.dissuasions == {"made": 3, "reached": 3, "convinced": 2, "protected": Decimal("2400")}


def test_the_desk_filter_leaves_the_other_desk_out(specialist, fraud_specialist):
    inside = datetime(2026, 11, 12, 10, 0, tzinfo=SHANGHAI)
    factories.AlertFactory(created_at=inside, desk=Desk.FRAUD)
    factories.InterceptionRequestFactory(requested_at=inside, case__desk=Desk.FRAUD)
    factories.CheckInFactory(due_at=inside, status=CheckIn.Status.REPLIED, sent_at=inside, replied_at=inside)

    life = shown(Period(since=NOVEMBER.since, until=NOVEMBER.until, desks=(Desk.LIFE,)))
    assert life.alerts_per_day == []
    assert life.interceptions == []
    assert [(r["channel"], r["planned"], r["sent"], r["replied"]) for r in life.checkins] == [("chat", 1, 1, 1)]
    fraud = shown(Period(since=NOVEMBER.since, until=NOVEMBER.until, desks=(Desk.FRAUD,)))
    assert len(fraud.alerts_per_day) == 1
    assert fraud.checkins == []


def test_scanner_precision_counts_each_alert_once_per_term(specialist):
    inside = datetime(2026, 11, 12, 10, 0, tzinfo=SHANGHAI)
    case = factories.CaseFactory(owner=specialist)

    def decided(terms, status, reason=""):
        matches = [{"term": t, "category": "intent", "start": 0, "end": 2, "message_id": 1} for t in terms]
        factories.AlertFactory(
            created_at=inside,
            matches=matches,
            status=status,
            dismiss_reason=reason,
            case=case if status in ("promoted", "merged") else None,
            claimed_by=specialist,
            claimed_at=inside,
        )

    decided(["不想活了", "不想活了"], "promoted")  # the same phrase twice in one alert counts once
    decided(["不想活了"], "merged")
    decided(["累死了"], "dismissed", "false_alarm")
    decided(["累死了"], "dismissed", "false_alarm")
    decided(["累死了", "不想活了"], "promoted")
    decided(["累死了"], "dismissed", "duplicate")  # not a judgement on the term
    factories.AlertFactory(created_at=inside, matches=[{"term": "累死了", "category": "intent"}])  # still open

    rows = {row["term"]: row for row in shown().term_precision}
    assert (rows["不想活了"]["confirmed"], rows["不想活了"]["false_alarms"], rows["不想活了"]["precision"]) == (
        3,
        0,
        1.0,
    )
    assert (rows["累死了"]["confirmed"], rows["累死了"]["false_alarms"]) == (1, 2)
    assert rows["累死了"]["precision"] == pytest.approx(1 / 3)
    assert next(iter(rows)) == "累死了"  # least precise first


def test_the_figures_take_the_same_number_of_queries_however_much_there_is(specialist, django_assert_max_num_queries):
    raised = datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)
    for minutes in range(30):
        _claimed_alert(raised + timedelta(hours=minutes), minutes, by=specialist)
    figures_roll_up()
    with django_assert_max_num_queries(14):
        managers_figures(NOVEMBER)


# --- the daily roll-up -------------------------------------------------------------------------------


def test_the_roll_up_takes_in_a_later_decision_about_an_older_alert(specialist):
    raised = datetime(2026, 11, 3, 9, 0, tzinfo=SHANGHAI)
    alert = _claimed_alert(raised, 2, by=specialist)
    alert.matches = [{"term": "累死了", "category": "intent", "start": 0, "end": 3, "message_id": 1}]
    alert.save()
    assert shown().term_precision == []  # still open: no judgement on the term yet

    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        alert.status, alert.dismiss_reason = Alert.Status.DISMISSED, Alert.DismissReason.FALSE_ALARM
        alert.save()
        days = figures_roll_up()
    assert days == [date(2026, 11, 3), date(2026, 11, 20)]  # the alert's day, and today
    (row,) = managers_figures(NOVEMBER).term_precision
    assert (row["term"], row["confirmed"], row["false_alarms"]) == ("累死了", 0, 1)


def test_the_roll_up_run_twice_changes_nothing(specialist):
    for minutes in (1, 4, 9):
        _claimed_alert(datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI), minutes, by=specialist)
    first = shown()
    figures_roll_up()
    figures_roll_up()
    again = managers_figures(NOVEMBER)
    assert (again.alerts_per_day, again.claim_times) == (first.alerts_per_day, first.claim_times)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        assert figures_roll_up() == [date(2026, 11, 10), date(2026, 11, 20)]  # looks back past its mark
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        assert figures_roll_up() == [date(2026, 11, 20)]  # nothing changed since: only today is looked at


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=0, max_value=3 * 24 * 3600), min_size=1, max_size=40))
def test_a_percentile_from_the_buckets_is_within_5_percent_of_the_exact_one(specialist, waits):
    Alert.objects.all().delete()
    raised = datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)
    for seconds in waits:
        _claimed_alert(raised, seconds / 60, by=specialist)
    (row,) = shown().claim_times
    ordered = sorted(waits)
    for share, found in ((0.5, row["median"]), (0.9, row["p90"])):
        exact = ordered[math.ceil(share * len(ordered)) - 1]  # nearest rank
        assert found.total_seconds() == pytest.approx(exact, rel=0.05, abs=1)


# --- the page and the export -------------------------------------------------------------------------


def test_the_figures_page_is_for_managers_only(client, manager, specialist):
    client.force_login(specialist)
    assert client.get(reverse("interventions:figures")).status_code == 404
    client.force_login(manager)
    response = client.get(reverse("interventions:figures"), {"since": "2026-11-01", "until": "2026-11-20"})
    assert response.status_code == 200
    assert response.context["period"] == NOVEMBER
    assert 'id="figures-data"' in response.text


def test_a_period_that_ends_before_it_starts_is_refused_and_the_default_shown(client, manager):
    client.force_login(manager)
    response = client.get(reverse("interventions:figures"), {"since": "2026-11-20", "until": "2026-11-01"})
    assert response.context["form"].errors
    assert response.context["period"] == Period(since=date(2026, 10, 22), until=date(2026, 11, 20))


def test_each_table_exports_as_csv_and_the_export_is_in_the_access_log(client, manager, specialist, reauthenticated):
    _claimed_alert(datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI), 3, by=specialist)
    figures_roll_up()
    client.force_login(manager)
    reauthenticated(client)
    url = reverse("interventions:figures_export", args=["claim"]) + "?since=2026-11-01&until=2026-11-20&desk=life"
    response = client.post(url, {"purpose": "review"})
    assert response["Content-Disposition"] == 'attachment; filename="figures-claim-life-20261101-20261120.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][2:5] == ["1", "1", "100%"]
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_type, entry.object_id, entry.purpose) == (
        manager,
        "export",
        "figures",
        "claim",
        "review",
    )


def test_no_export_without_a_purpose(client, manager, reauthenticated):
    client.force_login(manager)
    reauthenticated(client)  # so that only the purpose stands between the manager and the file
    response = client.post(reverse("interventions:figures_export", args=["terms"]), follow=True)
    assert response.redirect_chain, "a file went out without a purpose"
    assert response.redirect_chain[-1][0].startswith(reverse("interventions:figures"))
    assert "csv" not in response.get("Content-Type", "")
    assert any("purpose" in str(m).lower() or "用途" in str(m) for m in response.context["messages"])
    assert not AccessLog.objects.exists()
    assert (
        client.post(reverse("interventions:figures_export", args=["nothing"]), {"purpose": "review"}).status_code == 404
    )
