"""The case list (/cases/): its saved views, the desk scope, the order (risk, then the oldest
unanswered clock), the filters, the counts on the tabs and in the navigation, and pages that run
the same queries however many rows they show."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Desk
from fraud.models import StopPaymentRequest
from interventions.models import Case, CheckIn, PoliceReferral
from interventions.selectors import CaseView, case_list, case_list_page, case_view_counts
from interventions.services import (
    case_close,
    case_escalate,
    interception_record_answer,
    order_intercept,
    police_refer,
)
from orders.models import InterceptionRequest
from tests import factories
from tests.pages import shown

pytestmark = pytest.mark.django_db

CASES = reverse("interventions:cases")
R = Case.RiskLevel


def _listed(client, **params) -> list[str]:
    """The references the page lists, in its order."""
    response = client.get(CASES, params)
    assert response.status_code == 200
    return [row.case.reference for row in response.context["rows"]]


def _case(owner, **fields) -> Case:
    return factories.CaseFactory(owner=owner, **fields)


def _closed(case: Case, by, *, days_ago: float = 0) -> Case:
    with time_machine.travel(timezone.now() - timedelta(days=days_ago)):
        return case_close(case=case, by=by, outcome="safe", summary="已确认安全")


# --- the saved views --------------------------------------------------------------------------------


def test_my_open_cases_are_mine_open_and_on_my_desks(client, specialist, colleague, fraud_specialist):
    mine = [_case(specialist), _case(specialist, status=Case.Status.MONITORING)]
    _closed(_case(specialist), specialist)
    _case(colleague)
    _case(specialist, desk=Desk.FRAUD)  # mine on paper, on a desk I do not work
    client.force_login(specialist)
    assert sorted(_listed(client, view="mine")) == sorted(case.reference for case in mine)


def test_the_desk_view_lists_the_desks_open_cases_and_nothing_from_another_desk(
    client, specialist, colleague, fraud_specialist, supervisor
):
    life = [_case(specialist), _case(colleague), _case(None)]
    fraud = [_case(fraud_specialist, desk=Desk.FRAUD)]
    _closed(_case(colleague), colleague)
    client.force_login(specialist)
    assert sorted(_listed(client, view="desk")) == sorted(case.reference for case in life)
    client.force_login(fraud_specialist)
    assert _listed(client, view="desk") == [fraud[0].reference]
    client.force_login(supervisor)  # both desks
    assert sorted(_listed(client, view="desk")) == sorted(case.reference for case in life + fraud)


def test_a_specialist_never_sees_another_desks_case_in_any_view(client, specialist, fraud_specialist):
    fraud_case = _case(specialist, desk=Desk.FRAUD, risk_level=R.CRITICAL)
    case_escalate(case=fraud_case, by=fraud_specialist, reason="升级")
    client.force_login(specialist)
    for view in CaseView.values:
        response = client.get(CASES, {"view": view})
        assert fraud_case.reference not in response.text, view
        assert [count for _key, _label, count in response.context["views"]] == [0] * len(CaseView.values)


def test_the_escalated_view_lists_open_escalated_cases(client, specialist, supervisor):
    escalated = _case(specialist)
    case_escalate(case=escalated, by=specialist, reason="需要主管决定是否报警")
    _case(specialist)
    closed = _case(specialist)
    case_escalate(case=closed, by=specialist, reason="x")
    _closed(closed, specialist)
    client.force_login(supervisor)
    assert _listed(client, view="escalated") == [escalated.reference]


def test_waiting_means_a_shop_the_police_or_a_centre_has_not_answered(
    client, specialist, supervisor, fraud_specialist, liaison
):
    shop = _case(specialist)
    order_intercept(case=shop, order=factories.OrderFactory(buyer=shop.buyer), by=specialist)
    answered = _case(specialist)
    interception = order_intercept(case=answered, order=factories.OrderFactory(buyer=answered.buyer), by=specialist)
    interception_record_answer(interception=interception, by=specialist, status=InterceptionRequest.Status.HELD)
    police = _case(specialist)
    police_refer(case=police, unit=factories.PoliceUnitFactory(), by=specialist, what_reported="报警内容")
    acknowledged = _case(specialist)
    factories.PoliceReferralFactory(
        case=acknowledged, status=PoliceReferral.Status.RECEIVED, received_at=timezone.now()
    )
    centre = _case(fraud_specialist, desk=Desk.FRAUD)
    _stop_payment(centre)
    frozen = _case(fraud_specialist, desk=Desk.FRAUD)
    _stop_payment(frozen, status=StopPaymentRequest.Status.FROZEN, frozen_amount=100, answered_at=timezone.now())
    _case(specialist)  # nothing asked of anyone
    client.force_login(supervisor)
    assert sorted(_listed(client, view="waiting")) == sorted(c.reference for c in (shop, police, centre))
    client.force_login(specialist)
    assert sorted(_listed(client, view="waiting")) == sorted(c.reference for c in (shop, police))


def _stop_payment(case: Case, **fields) -> StopPaymentRequest:
    return StopPaymentRequest.objects.create(
        case=case,
        unit=factories.PoliceUnitFactory(kind="anti_fraud_centre"),
        payee_account="6222000000000001",
        amount=13000,
        paid_at=case.opened_at,
        reported_at=case.opened_at,
        requested_by=case.owner,
        **fields,
    )


# 2026-11-23 10:00 in Shanghai.
MORNING = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@time_machine.travel(MORNING, tick=False)
def test_check_ins_due_today_are_those_due_by_the_end_of_my_day_and_not_done(client, specialist):
    tonight = _case(specialist)
    factories.CheckInFactory(case=tonight, due_at=MORNING + timedelta(hours=13))  # 23:00 here
    overdue_call = _case(specialist)
    factories.CheckInFactory(case=overdue_call, due_at=MORNING - timedelta(days=1), channel="phone")
    awaiting_reply = _case(specialist)
    factories.CheckInFactory(case=awaiting_reply, due_at=MORNING - timedelta(hours=2), status=CheckIn.Status.SENT)
    tomorrow = _case(specialist)
    factories.CheckInFactory(case=tomorrow, due_at=MORNING + timedelta(hours=15))  # 01:00 tomorrow
    replied = _case(specialist)
    factories.CheckInFactory(case=replied, due_at=MORNING - timedelta(hours=1), status=CheckIn.Status.REPLIED)
    client.force_login(specialist)
    expected = (tonight, overdue_call, awaiting_reply)
    assert sorted(_listed(client, view="checkins")) == sorted(case.reference for case in expected)


def test_closed_recently_is_the_last_seven_days(client, specialist, colleague):
    this_week = _closed(_case(colleague), colleague, days_ago=6)
    _closed(_case(colleague), colleague, days_ago=8)
    _case(colleague)
    client.force_login(specialist)
    assert _listed(client, view="closed") == [this_week.reference]


def test_without_a_view_a_specialist_sees_their_own_and_a_supervisor_the_desks(
    client, specialist, colleague, supervisor
):
    mine, theirs = _case(specialist), _case(colleague)
    client.force_login(specialist)
    assert _listed(client) == [mine.reference]
    client.force_login(supervisor)
    assert sorted(_listed(client)) == sorted([mine.reference, theirs.reference])
    assert sorted(_listed(client, view="no-such-view")) == sorted([mine.reference, theirs.reference])


# --- the order ---------------------------------------------------------------------------------------


def test_the_highest_risk_first_then_the_oldest_unanswered_clock(client, specialist):
    now = timezone.now()
    recent = _case(specialist, risk_level=R.HIGH, opened_at=now - timedelta(hours=1))
    old = _case(specialist, risk_level=R.HIGH, opened_at=now - timedelta(hours=3))
    critical = _case(specialist, risk_level=R.CRITICAL, opened_at=now)
    low = _case(specialist, risk_level=R.LOW, opened_at=now - timedelta(days=3))
    # Opened long ago, but its clock is the shop's, which has waited two hours.
    waiting = _case(specialist, risk_level=R.HIGH, opened_at=now - timedelta(hours=6))
    factories.InterceptionRequestFactory(case=waiting, requested_at=now - timedelta(hours=2))
    # Its call was due 4 hours ago, and the shop has waited 30 minutes: the older clock counts.
    call_due = _case(specialist, risk_level=R.HIGH, opened_at=now - timedelta(hours=5))
    factories.CheckInFactory(case=call_due, due_at=now - timedelta(hours=4), channel="phone")
    factories.InterceptionRequestFactory(case=call_due, requested_at=now - timedelta(minutes=30))
    client.force_login(specialist)
    response = client.get(CASES, {"view": "mine"})
    assert [row.case for row in response.context["rows"]] == [critical, call_due, old, waiting, recent, low]
    clocks = {row.case: (row.waiting, row.clock) for row in response.context["rows"]}
    assert clocks[waiting] == ("shop", now - timedelta(hours=2))
    assert clocks[call_due] == ("checkin", now - timedelta(hours=4))
    assert clocks[old] == ("opened", old.opened_at)
    page = response.text
    for label in ("等待商家答复", "回访到期", "立案以来"):
        assert label in page


def test_pages_follow_each_other_in_list_order_by_keyset(specialist):
    now = timezone.now()
    for n in range(7):
        _case(specialist, risk_level=n % 3, opened_at=now - timedelta(hours=n % 2))  # ties on both keys
    # Cases something waits on, whose clocks are read apart from the others' and merged with them.
    for n in range(4):
        waiting = _case(specialist, risk_level=n % 3, opened_at=now - timedelta(days=1))
        factories.InterceptionRequestFactory(case=waiting, requested_at=now - timedelta(hours=n % 2))
    factories.CheckInFactory(case=_case(specialist, risk_level=1), due_at=now - timedelta(hours=1))
    rows = case_list([Desk.LIFE], CaseView.MINE, user=specialist, now=now)
    everything = case_list_page(rows, now=now, size=100)[0]
    keys = [(-row.case.risk_level, row.clock, row.case.pk) for row in everything]
    assert keys == sorted(keys)
    paged, cursor = [], ""
    while True:
        page, cursor = case_list_page(rows, now=now, after=cursor, size=2)
        paged += [row.case.pk for row in page]
        if not cursor:
            break
    assert paged == [row.case.pk for row in everything]
    assert len(paged) == 12
    assert case_list_page(rows, now=now, after="not a cursor", size=100)[0][0].case.pk == paged[0]


def test_a_full_page_links_to_the_next(client, specialist, monkeypatch):
    from interventions.selectors import caseload

    monkeypatch.setattr(caseload, "CASE_PAGE_SIZE", 2)
    cases = [_case(specialist, risk_level=level) for level in (4, 3, 2)]
    client.force_login(specialist)
    first = client.get(CASES, {"view": "mine"})
    assert [row.case for row in first.context["rows"]] == cases[:2]
    cursor = first.context["next_cursor"]
    assert f"after={quote(cursor)}" in first.text.replace("&amp;", "&")
    second = client.get(CASES, {"view": "mine", "after": cursor})
    assert [row.case for row in second.context["rows"]] == cases[2:]
    assert second.context["next_cursor"] == ""


# --- filters -----------------------------------------------------------------------------------------


def test_filters_narrow_a_view(client, supervisor, specialist, colleague, fraud_specialist):
    playbook = factories.PlaybookFactory(desk=Desk.LIFE)
    now = timezone.now()
    li_high = _case(specialist, risk_level=R.HIGH, playbook=playbook, opened_at=now - timedelta(days=1))
    li_low = _case(specialist, risk_level=R.LOW, status=Case.Status.MONITORING, opened_at=now - timedelta(days=10))
    zhang = _case(colleague, risk_level=R.HIGH, opened_at=now - timedelta(days=2))
    chen = _case(fraud_specialist, desk=Desk.FRAUD, risk_level=R.CRITICAL)
    client.force_login(supervisor)
    desk = {"view": "desk"}
    assert sorted(_listed(client, **desk, owner=specialist.pk)) == sorted([li_high.reference, li_low.reference])
    assert _listed(client, **desk, risk=[R.HIGH, R.CRITICAL]) == [chen.reference, zhang.reference, li_high.reference]
    assert _listed(client, **desk, status="monitoring") == [li_low.reference]
    assert _listed(client, **desk, playbook=playbook.pk) == [li_high.reference]
    assert _listed(client, **desk, desk="fraud") == [chen.reference]
    since = (now - timedelta(days=3)).date().isoformat()
    until = now.date().isoformat()
    assert _listed(client, **desk, opened_after=since, opened_before=until, desk="life") == [
        zhang.reference,
        li_high.reference,
    ]


def test_the_risk_filter_is_a_tick_per_level_and_keeps_the_ticked_ones(client, specialist):
    _case(specialist, risk_level=R.CRITICAL)
    client.force_login(specialist)
    page = client.get(CASES, {"view": "mine", "risk": [R.HIGH, R.CRITICAL]}).text
    assert '<select name="risk"' not in page
    ticks = re.findall(r'<input type="checkbox" name="risk" value="(\d)"[^>]*?( checked)?>', page)
    assert ticks == [("4", " checked"), ("3", " checked"), ("2", ""), ("1", ""), ("0", "")]
    assert "<legend>风险</legend>" in page


def test_the_desk_filter_is_offered_only_to_whoever_works_several(client, specialist, supervisor):
    client.force_login(specialist)
    assert "desk" not in client.get(CASES).context["filters"].form.fields
    client.force_login(supervisor)
    assert "desk" in client.get(CASES).context["filters"].form.fields


def test_the_owner_filter_offers_only_people_of_my_desks(client, specialist, colleague, fraud_specialist):
    client.force_login(specialist)
    offered = set(client.get(CASES).context["filters"].form.fields["owner"].queryset)
    assert offered == {specialist, colleague}
    response = client.get(CASES, {"view": "desk", "owner": fraud_specialist.pk})
    assert response.context["filters"].errors  # not a choice here: nothing is shown of theirs


# --- counts ------------------------------------------------------------------------------------------


def test_each_tab_counts_what_its_view_lists(client, specialist, colleague, supervisor):
    escalated = _case(specialist)
    case_escalate(case=escalated, by=specialist, reason="x")
    waiting = _case(colleague)
    order_intercept(case=waiting, order=factories.OrderFactory(buyer=waiting.buyer), by=colleague)
    factories.CheckInFactory(case=_case(specialist), due_at=timezone.now() - timedelta(minutes=5))
    _closed(_case(specialist), specialist, days_ago=1)
    _case(colleague, desk=Desk.FRAUD)
    for person in (specialist, supervisor):
        client.force_login(person)
        counts = {key: count for key, _label, count in client.get(CASES).context["views"]}
        assert counts == {view: len(_listed(client, view=view)) for view in CaseView.values}
    assert counts == {"mine": 0, "desk": 4, "escalated": 1, "waiting": 1, "checkins": 1, "closed": 1}


def test_the_counts_are_two_queries_the_open_cases_and_the_closed(specialist, django_assert_num_queries):
    for _ in range(3):
        _case(specialist)
    _closed(_case(specialist), specialist)
    with django_assert_num_queries(2):
        counts = case_view_counts(specialist, [Desk.LIFE], now=timezone.now())
    assert (counts["mine"], counts["desk"], counts["closed"]) == (3, 3, 1)


def test_the_navigation_counts_my_open_cases_on_every_page(client, specialist, colleague):
    for _ in range(2):
        _case(specialist)
    _case(colleague)
    _closed(_case(specialist), specialist)
    client.force_login(specialist)
    page = client.get(reverse("interventions:queue")).text
    assert 'data-testid="nav-cases-count">2</span>' in page
    assert 'data-testid="nav-cases-count">2</span>' in client.get(CASES).text


def test_merchants_and_liaisons_get_no_cases_entry(client, merchant_a):
    client.force_login(merchant_a)
    assert "nav-cases" not in client.get(reverse("orders:merchant_home")).text


# --- what a row shows --------------------------------------------------------------------------------


def test_a_row_shows_reference_title_masked_person_risk_status_owner_and_clock(client, specialist):
    buyer = factories.BuyerFactory(nickname="小雨妈妈", phone="13800138000")
    case = _case(specialist, buyer=buyer, risk_level=R.HIGH, title="年轻母亲欲服除草剂")
    client.force_login(specialist)
    page = shown(
        client.get(CASES), case.reference, "年轻母亲欲服除草剂", "小雨妈妈", "138****8000", "高", "处理中", "李娜"
    )
    assert "13800138000" not in page
    assert reverse("interventions:case", args=[case.pk]) in page


def test_the_page_speaks_english_too(client, specialist):
    specialist.language = "en"
    specialist.save()
    _case(specialist)
    client.force_login(specialist)
    shown(client.get(CASES), "My open cases", "Since the case was opened", "Oldest open clock")


# --- queries -----------------------------------------------------------------------------------------


def _busy(owner, rows: int) -> None:
    """Cases with something waiting on each of them, so each clock has something to read."""
    for n in range(rows):
        case = _case(owner, desk=Desk.LIFE, risk_level=n % 5, playbook=factories.PlaybookFactory(desk=Desk.LIFE))
        factories.InterceptionRequestFactory(case=case)
        factories.PoliceReferralFactory(case=case)
        factories.CheckInFactory(case=case, due_at=timezone.now() - timedelta(minutes=n))
        case_escalate(case=case, by=owner, reason="x")


@pytest.mark.parametrize("view", CaseView.values)
@pytest.mark.parametrize("rows", [1, 8])
def test_every_view_runs_the_same_queries_whatever_the_rows(
    client, supervisor, specialist, view, rows, django_assert_num_queries
):
    _busy(specialist, rows)
    if view == "closed":
        for case in Case.objects.all():
            _closed(case, specialist)
    if view == "mine":
        Case.objects.update(owner=supervisor)
    client.force_login(supervisor)
    client.get(CASES)  # the session notes the activity, once a minute at most
    # The session, its user and their permissions (2), the user's desks, the page (its ids and clocks,
    # then its cases), the counts (the open cases, then the closed), the staff for the hand-over, the
    # unread notifications of the top bar, the owner and the playbook choices of the filters.
    with django_assert_num_queries(13):
        response = client.get(CASES, {"view": view})
    assert len(response.context["rows"]) == rows
    shown(response, *(case.reference for case in Case.objects.all()))


def test_a_specialists_page_runs_the_same_queries_whatever_the_rows(client, specialist, django_assert_num_queries):
    _busy(specialist, 2)
    client.force_login(specialist)
    client.get(CASES)
    with django_assert_num_queries(12):  # no hand-over form: no staff to list for it
        client.get(CASES)
    _busy(specialist, 6)
    with django_assert_num_queries(12):
        assert len(client.get(CASES).context["rows"]) == 8


def test_the_open_cases_can_be_read_in_list_order_from_the_list_index(specialist):
    """The cases nothing waits on come in list order from case_open_list_idx, whose condition is the
    open views' (OPEN): with sorting, sequential and bitmap reads made dear, the index that gives
    that order is the one left. Whether PostgreSQL chooses it otherwise depends on the rows: the
    bench measures that (bench/caseload.py)."""
    from interventions.selectors.caseload import OPEN

    with connection.cursor() as cursor:
        for setting in ("enable_sort", "enable_seqscan", "enable_bitmapscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
    idle = Case.objects.filter(OPEN, desk__in=[Desk.LIFE]).order_by("-risk_level", "opened_at", "id")
    plan = idle.values("pk", "risk_level", "opened_at")[:51].explain()
    assert "case_open_list_idx" in plan, plan


# --- the API -----------------------------------------------------------------------------------------


def test_the_api_serves_the_same_views_from_the_same_selector(client, specialist, colleague, fraud_specialist):
    mine = _case(specialist)
    waiting = _case(colleague)
    order_intercept(case=waiting, order=factories.OrderFactory(buyer=waiting.buyer), by=colleague)
    _case(fraud_specialist, desk=Desk.FRAUD)
    client.force_login(specialist)

    def listed(view: str) -> list[str]:
        response = client.get("/api/v1/cases", {"view": view})
        assert response.status_code == 200, response.content
        return sorted(case["reference"] for case in response.json()["results"])

    assert listed("mine") == [mine.reference]
    assert listed("waiting") == [waiting.reference]
    assert listed("desk") == sorted([mine.reference, waiting.reference])  # nothing of the other desk
    assert client.get("/api/v1/cases", {"view": "everything"}).status_code == 400
