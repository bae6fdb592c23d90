"""Retention: a closed case past SHOUHU_RETENTION_DAYS loses the person (everywhere PostgreSQL holds
them, history tables included) and keeps its statistics; a second run changes nothing; a legal hold,
audited, keeps a case whole until it is lifted; the beat task and the command run the same sweep."""

import dataclasses
import io
import threading
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation

from accounts.crypto import decrypt
from accounts.models import Desk
from accounts.refusals import Conflict
from interventions.models import Case, CaseEvent, CheckIn, EmergencyAction, Message
from interventions.selectors import fraud_totals
from interventions.selectors.figures import Period, managers_figures
from interventions.services import (
    NotAllowed,
    alert_merge,
    alert_promote,
    alert_raise_by_hand,
    case_add_note,
    case_anonymise,
    case_assess_risk,
    case_close,
    case_escalate,
    case_legal_hold_lift,
    case_legal_hold_set,
    case_reopen,
    cases_anonymise_due,
    checkin_plan,
    dissuasion_record,
    emergency_action_review,
    figures_roll_up,
    incident_review_write,
    merchant_report_submit,
    order_intercept,
    police_refer,
    referral_record_receipt,
    report_note_add,
)
from interventions.tasks import anonymise_expired_cases
from orders.models import Buyer, MerchantReport, Product, ReportAttachment
from orders.screenshots import CleanScreenshot
from tests import factories

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPENED = datetime(2024, 3, 1, 15, 0, tzinfo=SHANGHAI)
CLOSED = datetime(2024, 3, 2, 21, 0, tzinfo=SHANGHAI)
DUE = CLOSED + timedelta(days=settings.SHOUHU_RETENTION_DAYS, hours=1)
# The person, as the story writes them into every kind of text the case holds.
NAME = "柳如烟"
PHONE = "13912345678"
ADDRESS = "城南路八号"
ACCOUNT = "tb_liuruyan"
THE_PERSON = (NAME, PHONE, ADDRESS, ACCOUNT)


@pytest.fixture
def clock():
    with time_machine.travel(OPENED, tick=False) as traveller:
        yield traveller


def _closed_case(clock, *, specialist, supervisor, merchant_a, liaison, shop_a, buyer: Buyer | None = None) -> Case:
    """The seeds' story, every text naming the person: a hand-raised alert, a shop's report with a
    screenshot and a thread, a case with a note, an assessment, an interception under review, a
    referral the police answered, a check-in and its reply, a dissuasion, an escalation and a
    flagged action's blameless review; closed the next evening."""
    clock.move_to(OPENED)
    buyer = buyer or factories.BuyerFactory(account_ref=ACCOUNT, nickname=NAME, phone=PHONE, address=ADDRESS)
    alert = alert_raise_by_hand(
        by=specialist,
        desk=Desk.LIFE,
        severity=3,
        summary=f"{NAME}说不想活了",
        text=f"我是{NAME},不想活了,百草枯已经买好了,住{ADDRESS}",
        buyer=buyer,
    )
    case = alert_promote(alert=alert, by=specialist, title=f"{NAME} 轻生风险")
    report = merchant_report_submit(
        merchant=shop_a,
        by=merchant_a,
        kind=MerchantReport.Kind.LIFE,
        text=f"买家{NAME}在客服里说要喝农药,电话{PHONE}",
        talking_now=True,
        buyer=buyer,
        screenshots=[CleanScreenshot(content=b"\x89PNG", content_type="image/png", extension="png", width=1, height=1)],
    )
    report_note_add(report=report, by=specialist, text=f"{NAME}现在还在线吗?", from_platform=True)
    alert_merge(alert=report.alert, case=case, by=specialist)
    case_add_note(case=case, by=specialist, text=f"{NAME}的丈夫电话{PHONE}")
    case_assess_risk(case=case, by=specialist, cssrs={"q4": True, "q5": True}, factors=[], note=f"{NAME}失眠半年")
    product = factories.ProductFactory(merchant=shop_a, risk_category=Product.RiskCategory.PESTICIDE)
    interception = order_intercept(case=case, order=factories.OrderFactory(buyer=buyer, product=product), by=specialist)
    flagged = EmergencyAction.objects.get(interception=interception)
    emergency_action_review(action=flagged, by=supervisor, confirmed=False, note=f"{NAME}的订单拦得晚了")
    incident_review_write(
        review=flagged.incident_review,
        by=supervisor,
        title=f"{NAME}一案复盘",
        what_happened=f"{NAME}在{ADDRESS}",
        went_well=f"商家陪{NAME}聊了三小时",
        made_it_hard=f"找不到{NAME}的地址",
    )
    referral = police_refer(
        case=case,
        unit=liaison.police_liaison.unit,
        by=specialist,
        what_reported=f"{NAME}住{ADDRESS}",
        reference_no="JX1",
    )
    referral_record_receipt(referral=referral, by=liaison, status="closed", outcome=f"民警已到{ADDRESS}")
    (checkin,) = checkin_plan(
        case=case,
        by=specialist,
        local_day=date(2024, 3, 2),
        local_time=time(8, 44),
        channel="chat",
        text=f"{NAME},早安",
    )
    reply = factories.MessageFactory(buyer=buyer, text=f"早安,我是{NAME},好多了")
    CheckIn.objects.filter(pk=checkin.pk).update(reply=reply, status=CheckIn.Status.REPLIED)
    dissuasion_record(
        case=case,
        by=specialist,
        scam_type="other",
        reached=True,
        convinced=True,
        amount_protected=Decimal(0),
        note=NAME,
    )
    case_escalate(case=case, by=specialist, reason=f"{NAME}又下单了")
    clock.move_to(CLOSED)
    return case_close(case=case, by=specialist, outcome=Case.Outcome.SAFE, summary=f"{NAME}已安全,住{ADDRESS}")


@pytest.fixture
def story(clock, specialist, supervisor, merchant_a, liaison, shop_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    people = {"specialist": specialist, "supervisor": supervisor, "merchant_a": merchant_a, "liaison": liaison}
    return _closed_case(clock, shop_a=shop_a, **people)


def _text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
            " AND data_type IN ('text', 'character varying', 'json', 'jsonb') ORDER BY table_name, column_name"
        )
        return cursor.fetchall()


def _readable(value: str) -> str:
    if value.startswith("gAAAAA"):  # a Fernet token: what the column says once decrypted
        try:
            return decrypt(value)
        except ValueError:
            return value
    return value


def traces(*needles: str) -> set[str]:
    """The table.column of every value in the database that holds one of the needles, by raw SQL
    over every text and JSON column of every table (history and logs included), encrypted values
    decrypted."""
    found = set()
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            name, col = connection.ops.quote_name(table), connection.ops.quote_name(column)
            cursor.execute(f"SELECT {col}::text FROM {name} WHERE {col} IS NOT NULL")
            if any(needle in _readable(value) for (value,) in cursor.fetchall() for needle in needles):
                found.add(f"{table}.{column}")
    return found


def database_snapshot() -> dict[str, list]:
    """Every row of every table, as stored."""
    tables = sorted({table for table, _column in _text_columns()})
    with connection.cursor() as cursor:
        snapshot = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            snapshot[table] = cursor.fetchall()
    return snapshot


def statistics(case: Case) -> dict:
    """What the managers count, and what the case keeps of what was done."""
    figures_roll_up()
    shown = managers_figures(Period(since=date(2024, 3, 1), until=date(2024, 3, 31)))
    return {
        "figures": dataclasses.replace(shown, as_of=None),
        "fraud": fraud_totals(),
        "case": Case.objects.filter(pk=case.pk)
        .values("desk", "risk_level", "status", "outcome", "tier", "opened_at", "closed_at", "owner", "buyer")
        .get(),
        "events": list(case.events.values_list("kind", "actor", "created_at")),
        "alerts": list(
            case.alerts.order_by("pk").values_list("desk", "severity", "status", "created_at", "claimed_at")
        ),
        "messages": Message.objects.filter(buyer=case.buyer).count(),
        "checkins": list(case.checkins.values_list("status", "due_at", "channel")),
        "referrals": list(case.referrals.values_list("status", "referred_at", "reference_no")),
        "interceptions": list(case.interceptions.values_list("status", "requested_at")),
        "assessments": list(case.assessments.values_list("level", "cssrs", "factors")),
        "dissuasions": list(case.dissuasions.values_list("convinced", "amount_protected")),
    }


def test_a_closed_case_past_retention_loses_the_person_everywhere(story, clock, django_capture_on_commit_callbacks):
    screenshot = ReportAttachment.objects.get(report__alert__case=story).file
    held = traces(*THE_PERSON)
    assert {"interventions_message.text", "orders_merchantreport.text", "orders_reportnote.text"} <= held
    assert {"interventions_case.title", "interventions_caseevent.payload", "orders_buyer.nickname"} <= held

    clock.move_to(DUE)
    with django_capture_on_commit_callbacks(execute=True):
        assert cases_anonymise_due() == 1

    assert traces(*THE_PERSON) == set()
    story.refresh_from_db()
    assert story.anonymised_at == DUE
    assert story.title == story.closing_summary == "已匿名"
    buyer = story.buyer
    assert (buyer.nickname, buyer.phone, buyer.phone_index, buyer.address) == ("", "", "", "")
    assert buyer.account_ref == f"anon-{buyer.pk}"
    assert not ReportAttachment.objects.filter(report__alert__case=story).exists()
    # The placeholder is stored as any text is: encrypted, and read back as written.
    assert set(Message.objects.filter(alerts__case=story).values_list("text", flat=True)) == {"已匿名"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM interventions_message")
        assert all(token.startswith("gAAAAA") for (token,) in cursor.fetchall())
    assert not screenshot.storage.exists(screenshot.name)
    # The matched terms stay for the scanner's figures; where they were in the text goes.
    matches = [match for alert in story.alerts.all() for match in alert.matches]
    assert matches
    assert all(match["term"] and match["start"] == match["end"] == 0 for match in matches)
    assert story.events.filter(kind=CaseEvent.Kind.ANONYMISED, actor=None).exists()


def test_the_statistics_are_the_same_before_and_after(story, clock):
    clock.move_to(DUE)
    before = statistics(story)
    assert before["figures"].case_outcomes  # the story is counted
    assert before["figures"].police_referrals

    cases_anonymise_due()

    after = statistics(story)
    after["events"] = [event for event in after["events"] if event[0] != CaseEvent.Kind.ANONYMISED]
    assert after == before


def test_anonymising_twice_changes_nothing_the_second_time(story, clock):
    clock.move_to(DUE)
    assert cases_anonymise_due() == 1
    snapshot = database_snapshot()

    clock.move_to(DUE + timedelta(days=1))
    assert cases_anonymise_due() == 0
    assert case_anonymise(story.pk) is False
    assert anonymise_expired_cases.delay().get() == 0

    assert database_snapshot() == snapshot


def test_a_held_case_is_left_whole_and_the_hold_is_audited(story, clock, supervisor):
    clock.move_to(CLOSED + timedelta(days=300))
    case_legal_hold_set(case=story, by=supervisor, reason="法院调取证据 (2025)浙0102民初123号")

    clock.move_to(DUE)
    before = traces(*THE_PERSON)
    assert cases_anonymise_due() == 0
    assert case_anonymise(story.pk) is False

    assert traces(*THE_PERSON) == before
    story.refresh_from_db()
    assert story.anonymised_at is None
    assert story.buyer.nickname == NAME
    event = story.events.get(kind=CaseEvent.Kind.LEGAL_HOLD_SET)
    assert (event.actor, event.payload["reason"]) == (supervisor, "法院调取证据 (2025)浙0102民初123号")
    row = story.history.latest()
    assert (row.legal_hold, row.legal_hold_by, row.history_user) == (True, supervisor, supervisor)
    assert row.legal_hold_reason == "法院调取证据 (2025)浙0102民初123号"
    assert row.history_change_reason == event.as_change_reason


def test_lifting_the_hold_lets_the_next_run_anonymise(story, clock, supervisor, manager):
    case_legal_hold_set(case=story, by=supervisor, reason="警方协查")
    clock.move_to(DUE)
    assert cases_anonymise_due() == 0

    case_legal_hold_lift(case=story, by=manager, reason="协查结束")

    lifted = story.events.get(kind=CaseEvent.Kind.LEGAL_HOLD_LIFTED)
    assert (lifted.actor, lifted.payload["reason"]) == (manager, "协查结束")
    assert story.history.latest().history_user == manager
    assert cases_anonymise_due() == 1
    assert traces(*THE_PERSON) == set()
    # The hold's own lines still say why the data was kept, and who let it go.
    assert story.events.get(kind=CaseEvent.Kind.LEGAL_HOLD_SET).payload["reason"] == "警方协查"


def test_a_case_closed_recently_or_still_open_is_untouched(clock, specialist):
    recent = factories.CaseFactory(owner=specialist, title=f"{NAME} 近期", buyer=factories.BuyerFactory(nickname=NAME))
    case_close(case=recent, by=specialist, outcome=Case.Outcome.SAFE, summary=NAME)
    still_open = factories.CaseFactory(owner=specialist, title=f"{NAME} 在办")

    clock.move_to(OPENED + timedelta(days=settings.SHOUHU_RETENTION_DAYS - 1))
    assert cases_anonymise_due() == 0
    clock.move_to(OPENED + timedelta(days=settings.SHOUHU_RETENTION_DAYS * 3))
    assert case_anonymise(still_open.pk) is False

    for case in (recent, still_open):
        case.refresh_from_db()
        assert case.anonymised_at is None
        assert NAME in case.title
    assert recent.buyer.nickname == NAME


def test_the_person_stays_while_another_case_of_theirs_keeps_them(
    clock, specialist, supervisor, merchant_a, liaison, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    people = {"specialist": specialist, "supervisor": supervisor, "merchant_a": merchant_a, "liaison": liaison}
    first = _closed_case(clock, shop_a=factories.MerchantFactory(), **people)
    # A year later she is back, on the same account; that case is closed a year after the first.
    clock.move_to(CLOSED + timedelta(days=365))
    second = factories.CaseFactory(owner=specialist, buyer=first.buyer, title="再次求助")
    case_close(case=second, by=specialist, outcome=Case.Outcome.SAFE, summary="已回访")

    clock.move_to(DUE)
    assert cases_anonymise_due() == 1

    first.refresh_from_db()
    assert first.anonymised_at is not None
    assert (first.buyer.nickname, first.buyer.account_ref) == (NAME, ACCOUNT)
    assert NAME not in first.title

    clock.move_to(DUE + timedelta(days=365))
    assert cases_anonymise_due() == 1
    assert traces(*THE_PERSON) == set()


def test_a_message_another_kept_case_shares_waits_for_that_case(clock, specialist, fraud_specialist):
    buyer = factories.BuyerFactory()
    message = factories.MessageFactory(buyer=buyer, text=f"{NAME}:被骗了一万三,不想活了")
    life = factories.CaseFactory(owner=specialist, buyer=buyer)
    fraud = factories.CaseFactory(owner=fraud_specialist, buyer=buyer, desk=Desk.FRAUD)
    for case in (life, fraud):
        factories.AlertFactory(buyer=buyer, case=case, desk=case.desk, status="promoted").messages.add(message)
    case_close(case=life, by=specialist, outcome=Case.Outcome.SAFE, summary="已安全")

    clock.move_to(OPENED + timedelta(days=settings.SHOUHU_RETENTION_DAYS + 1))
    assert case_anonymise(life.pk) is True

    message.refresh_from_db()
    assert NAME in message.text  # the fraud case, still open, still needs it
    assert life.alerts.get().summary == "已匿名"


def test_an_anonymised_case_cannot_be_reopened_or_held(story, clock, specialist, supervisor):
    clock.move_to(DUE)
    cases_anonymise_due()
    story.refresh_from_db()

    with pytest.raises(Conflict, match=r"匿名|anonymised"):
        case_reopen(case=story, by=specialist, reason="她又来了")
    with pytest.raises(Conflict, match=r"匿名|anonymised"):
        case_legal_hold_set(case=story, by=supervisor, reason="法院")
    story.refresh_from_db()
    assert (story.status, story.legal_hold) == (Case.Status.CLOSED, False)


def test_the_hold_is_a_supervisors_or_managers_and_needs_a_reason(story, specialist, supervisor):
    with pytest.raises(NotAllowed):
        case_legal_hold_set(case=story, by=specialist, reason="我想留着")
    with pytest.raises(ValueError, match=r"\w"):
        case_legal_hold_set(case=story, by=supervisor, reason="   ")
    story.refresh_from_db()
    assert not story.legal_hold
    assert not story.events.filter(kind=CaseEvent.Kind.LEGAL_HOLD_SET).exists()


def test_the_hold_form_is_refused_to_a_specialist(client, story, specialist):
    client.force_login(specialist)
    url = reverse("interventions:case_legal_hold", args=[story.pk])

    assert client.post(url, {"hold": "1", "reason": "我想留着"}).status_code == 404

    story.refresh_from_db()
    assert not story.legal_hold
    page = client.get(reverse("interventions:case", args=[story.pk])).text
    assert 'data-testid="retention"' in page
    assert 'data-testid="legal-hold-form"' not in page


def test_a_supervisor_places_and_lifts_the_hold_from_the_case_page(client, story, supervisor, specialist):
    client.force_login(supervisor)
    url = reverse("interventions:case_legal_hold", args=[story.pk])
    page = client.get(reverse("interventions:case", args=[story.pk])).text
    assert 'data-testid="legal-hold-form"' in page

    assert client.post(url, {"hold": "1", "reason": ""}).status_code == 302  # refused, told
    story.refresh_from_db()
    assert not story.legal_hold

    client.post(url, {"hold": "1", "reason": "警方协查函 2024-17"})
    story.refresh_from_db()
    assert (story.legal_hold, story.legal_hold_by) == (True, supervisor)

    # Everyone who reads the case sees the hold and why.
    client.force_login(specialist)
    page = client.get(reverse("interventions:case", args=[story.pk])).text
    assert 'data-testid="legal-hold"' in page
    assert "警方协查函 2024-17" in page

    client.force_login(supervisor)
    client.post(url, {"hold": "0", "reason": "协查结束"})
    story.refresh_from_db()
    assert not story.legal_hold
    assert list(story.events.filter(kind__startswith="legal_hold").values_list("kind", flat=True)) == [
        CaseEvent.Kind.LEGAL_HOLD_SET,
        CaseEvent.Kind.LEGAL_HOLD_LIFTED,
    ]


def test_the_case_page_says_when_it_was_anonymised(client, story, clock, specialist):
    clock.move_to(DUE)
    cases_anonymise_due()
    client.force_login(specialist)
    page = client.get(reverse("interventions:case", args=[story.pk])).text
    assert 'data-testid="anonymised"' in page
    assert DUE.strftime("%Y-%m-%d") in page
    assert NAME not in page
    assert reverse("interventions:case_act", args=[story.pk, "reopen"]) not in page


@pytest.mark.django_db(transaction=True)
def test_a_case_another_worker_holds_is_left_to_it_not_waited_for(specialist):
    with time_machine.travel(OPENED, tick=False) as clock:
        case = factories.CaseFactory(owner=specialist)
        case_close(case=case, by=specialist, outcome=Case.Outcome.SAFE, summary=NAME)
        clock.move_to(OPENED + timedelta(days=settings.SHOUHU_RETENTION_DAYS + 1))
        taken, release = threading.Event(), threading.Event()

        def other_worker():
            try:
                with transaction.atomic():
                    Case.objects.select_for_update().get(pk=case.pk)
                    taken.set()
                    release.wait(10)
            finally:
                connection.close()

        worker = threading.Thread(target=other_worker)
        worker.start()
        assert taken.wait(10)
        try:
            assert cases_anonymise_due() == 0
        finally:
            release.set()
            worker.join()
        assert cases_anonymise_due() == 1


def test_the_beat_task_runs_the_sweep_every_night():
    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith(".anonymise_expired_cases")]
    assert entry["task"] == anonymise_expired_cases.name
    assert entry["schedule"].hour == {3}
    assert entry["schedule"].day_of_week == set(range(7))


def test_the_beat_task_and_the_command_anonymise_what_is_due_and_pass_the_held(clock, specialist, supervisor):
    buyers = [factories.BuyerFactory(nickname=f"{NAME}{n}") for n in range(3)]
    cases = [factories.CaseFactory(owner=specialist, buyer=buyer, title=NAME) for buyer in buyers]
    for case in cases:
        case_close(case=case, by=specialist, outcome=Case.Outcome.SAFE, summary=NAME)
    case_legal_hold_set(case=cases[2], by=supervisor, reason="诉讼")
    clock.move_to(OPENED + timedelta(days=settings.SHOUHU_RETENTION_DAYS + 1))

    said = io.StringIO()
    with translation.override("en"):
        call_command("anonymise_expired", "--dry-run", stdout=said)
    assert said.getvalue().startswith("2 ")
    assert not Case.objects.filter(anonymised_at__isnull=False).exists()

    assert anonymise_expired_cases.delay().get() == 2
    said = io.StringIO()
    with translation.override("en"):
        call_command("anonymise_expired", stdout=said)
    assert said.getvalue().startswith("0 ")

    assert set(Case.objects.filter(anonymised_at__isnull=False)) == set(cases[:2])
    assert Buyer.objects.filter(nickname__startswith=NAME).get() == buyers[2]


def test_the_command_anonymises_through_the_same_service(clock, specialist):
    case = factories.CaseFactory(owner=specialist, title=NAME)
    case_close(case=case, by=specialist, outcome=Case.Outcome.FALSE_ALARM, summary=NAME)
    clock.move_to(OPENED + timedelta(days=settings.SHOUHU_RETENTION_DAYS + 1))

    call_command("anonymise_expired", stdout=io.StringIO())

    case.refresh_from_db()
    assert case.anonymised_at is not None
    assert case.events.filter(kind=CaseEvent.Kind.ANONYMISED).exists()
    assert NAME not in case.title + case.closing_summary


def test_an_interception_note_leaves_no_trace_in_history(clock, specialist):
    case = factories.CaseFactory(owner=specialist)
    order_intercept(case=case, order=factories.OrderFactory(buyer=case.buyer), by=specialist, note=f"{NAME}的订单")
    case_close(case=case, by=specialist, outcome=Case.Outcome.SAFE, summary="已安全")
    clock.move_to(OPENED + timedelta(days=settings.SHOUHU_RETENTION_DAYS + 1))

    assert case_anonymise(case.pk) is True

    assert traces(NAME) == set()
