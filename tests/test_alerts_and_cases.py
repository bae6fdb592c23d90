"""Alerts and cases: deadlines, claims, the timeline, and the rules the database enforces."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Desk
from interventions.models import Alert, Case, CaseEvent, Severity, Source
from interventions.services import (
    AlertAlreadyClaimed,
    alert_claim,
    alert_claim_deadline,
    alert_dismiss,
    alert_raise,
    case_open,
    case_rate_risk,
    message_store,
)
from tests import factories

NOON = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


@time_machine.travel(NOON, tick=False)
def test_a_critical_alert_must_be_claimed_within_five_minutes(db):
    alert = alert_raise(desk=Desk.LIFE, source=Source.CHAT, severity=Severity.CRITICAL, summary="不想活了 + 农药")
    assert alert.sla_due_at == NOON + timedelta(minutes=5)
    assert alert.status == Alert.Status.NEW


@given(st.sampled_from(Severity.values), st.sampled_from(Severity.values))
def test_a_more_severe_alert_never_gets_a_later_claim_deadline(first, second):
    low, high = sorted((first, second))
    assert alert_claim_deadline(severity=high, raised_at=NOON) <= alert_claim_deadline(severity=low, raised_at=NOON)


def test_an_unclaimed_alert_past_its_deadline_is_overdue(db):
    alert = factories.AlertFactory(severity=Severity.CRITICAL)
    assert not alert.is_overdue()
    assert alert.is_overdue(now=alert.sla_due_at + timedelta(seconds=1))


def test_claimed_alert_leaves_the_unclaimed_and_records_who(db, specialist):
    alert = factories.AlertFactory()
    claimed = alert_claim(alert=alert, by=specialist)
    assert claimed.status == Alert.Status.CLAIMED
    assert claimed.claimed_by == specialist
    assert claimed.history.latest().history_user == specialist


def test_the_second_claim_is_refused(db, specialist, supervisor):
    alert = factories.AlertFactory()
    alert_claim(alert=alert, by=specialist)
    with pytest.raises(AlertAlreadyClaimed):
        alert_claim(alert=alert, by=supervisor)
    alert.refresh_from_db()
    assert alert.claimed_by == specialist


@pytest.mark.django_db(transaction=True)
def test_two_specialists_claiming_at_once_exactly_one_wins(specialist, supervisor):
    alert = factories.AlertFactory()
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def claim(user):
        try:
            barrier.wait()
            alert_claim(alert=alert, by=user)
            results[user.email] = "won"
        except AlertAlreadyClaimed:
            results[user.email] = "told"
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(user,)) for user in (specialist, supervisor)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == ["told", "won"]
    alert.refresh_from_db()
    assert results[alert.claimed_by.email] == "won"


def test_dismissing_needs_an_open_alert_and_keeps_the_reason(db, specialist):
    alert = factories.AlertFactory()
    alert_dismiss(alert=alert, by=specialist, reason=Alert.DismissReason.FALSE_ALARM)
    alert.refresh_from_db()
    assert (alert.status, alert.dismiss_reason) == (Alert.Status.DISMISSED, "false_alarm")
    with pytest.raises(AlertAlreadyClaimed):
        alert_dismiss(alert=alert, by=specialist, reason=Alert.DismissReason.DUPLICATE)


def test_opening_a_case_promotes_its_alerts_and_starts_the_timeline(db, specialist):
    buyer = factories.BuyerFactory()
    alerts = factories.AlertFactory.create_batch(2, buyer=buyer)
    case = case_open(desk=Desk.LIFE, title="朋友圈轻生", opened_by=specialist, buyer=buyer, alerts=alerts)
    assert case.owner == specialist
    assert set(case.alerts.values_list("status", flat=True)) == {Alert.Status.PROMOTED}
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [CaseEvent.Kind.OPENED, CaseEvent.Kind.ALERT_LINKED, CaseEvent.Kind.ALERT_LINKED]
    assert case.reference == f"LP-{case.pk:06d}"


def test_a_life_case_is_rated_only_through_an_assessment(db, specialist):
    with pytest.raises(ValueError, match="风险评估"):
        case_rate_risk(case=factories.CaseFactory(), by=specialist, level=Case.RiskLevel.HIGH, reason="x")


def test_a_risk_rating_is_in_the_timeline_and_the_history_with_its_reason(db, specialist):
    case = factories.CaseFactory(desk=Desk.FRAUD)
    case_rate_risk(case=case, by=specialist, level=Case.RiskLevel.HIGH, reason="明确意图 + 已购农药")
    event = case.events.get(kind=CaseEvent.Kind.RISK_RATED)
    assert event.actor == specialist
    assert event.payload == {"previous": 0, "level": 3, "reason": "明确意图 + 已购农药"}
    record = case.history.latest()
    # The history row points at the timeline line, which holds the words (retention anonymises them).
    assert (record.risk_level, record.history_user, record.history_change_reason) == (
        3,
        specialist,
        event.as_change_reason,
    )


def test_a_message_sent_twice_is_stored_once(db):
    first, created = message_store(source=Source.CHAT, external_id="m-1", text="想死", sent_at=NOON)
    again, created_again = message_store(source=Source.CHAT, external_id="m-1", text="想死", sent_at=NOON)
    assert (created, created_again, first.pk) == (True, False, again.pk)


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"status": Alert.Status.CLAIMED}, "alert_claimed_has_claimant"),
        ({"status": Alert.Status.PROMOTED}, "alert_promoted_has_case"),
        ({"status": Alert.Status.DISMISSED}, "alert_dismissed_has_reason"),
        ({"severity": Severity.NONE}, "alert_severity_at_least_low"),
        ({"claimed_at": NOON}, "alert_new_has_no_claimant"),
    ],
)
def test_the_database_refuses_an_alert_in_an_impossible_state(db, fields, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        factories.AlertFactory(**fields)


def test_the_database_refuses_a_closed_case_without_outcome_and_an_open_one_with(db):
    with pytest.raises(IntegrityError, match="case_closed_iff_outcome"), transaction.atomic():
        factories.CaseFactory(status=Case.Status.CLOSED, closed_at=timezone.now())
    with pytest.raises(IntegrityError, match="case_closed_iff_outcome"), transaction.atomic():
        factories.CaseFactory(outcome=Case.Outcome.SAFE)
    closed = factories.CaseFactory(status=Case.Status.CLOSED, outcome=Case.Outcome.SAFE, closed_at=timezone.now())
    assert closed.is_closed
