"""Learning from the desk: the frames of every alert are counted against what the desk decided,
the people the scanner let through are listed, and a change to the term lists goes live only
after a backtest of exactly that change."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from interventions.choices import Source
from interventions.models import Alert, ScannerBacktest, ScanTerm, ScanTermChange
from interventions.scanner import scan_text
from interventions.selectors import current_lexicon
from interventions.selectors.figures import Period, frame_precision
from interventions.selectors.scanner import missed_messages
from interventions.services import figures_roll_up, messages_scan
from interventions.services.scanner import (
    TermChangeRefused,
    scan_term_change_propose,
    scan_term_change_withdraw,
    scan_term_changes_publish,
    scanner_backtest_request,
    scanner_backtest_run,
)
from interventions.tasks import run_scanner_backtest
from orders.models import Product
from tests import factories

# A phrase no list holds, in a message nothing alerts on: a manager's new term for it shows what
# the machinery of proposing, backtesting and publishing does, whatever the phrase means.
NEW_PHRASE = "紫色风铃草"
NEW_WORDING = "想去看看紫色风铃草"


def test_an_alert_keeps_the_frames_that_raised_it_and_its_risk_level(db):
    message = factories.MessageFactory(text="安眠药吃多少片才能一次走掉,我今晚就吃")
    messages_scan(message_ids=[message.pk])
    alert = Alert.objects.get(desk="life")
    assert "lethality" in alert.frames
    assert 8 <= alert.risk_level <= 10


def test_frame_precision_counts_the_desks_decisions(specialist):
    case = factories.CaseFactory(owner=specialist)
    now = timezone.now()
    for status, reason in (("promoted", ""), ("promoted", ""), ("dismissed", "false_alarm")):
        factories.AlertFactory(
            frames=["lethality", "plan"],
            status=status,
            dismiss_reason=reason,
            case=case if status == "promoted" else None,
            claimed_by=specialist,
            claimed_at=now,
        )
    figures_roll_up()
    today = timezone.localdate()
    rows = {row["frame"]: row for row in frame_precision(Period(since=today, until=today))}
    assert (rows["lethality"]["confirmed"], rows["lethality"]["false_alarms"]) == (2, 1)


def test_a_case_opened_from_a_shop_report_lists_the_persons_earlier_message_as_missed(specialist):
    buyer = factories.BuyerFactory()
    earlier = factories.MessageFactory(buyer=buyer, text=NEW_WORDING, sent_at=timezone.now() - timedelta(hours=3))
    messages_scan(message_ids=[earlier.pk])
    assert not Alert.objects.exists()  # the scanner let it through
    case = factories.CaseFactory(buyer=buyer, owner=specialist)
    factories.AlertFactory(buyer=buyer, source=Source.MERCHANT_REPORT, case=case, status="promoted")
    rows = missed_messages(desks=["life"], since=timezone.now() - timedelta(days=1))
    assert [(row["case"], row["message"]) for row in rows] == [(case, earlier)]


def test_a_case_the_scanner_raised_itself_is_not_a_miss(specialist):
    buyer = factories.BuyerFactory()
    message = factories.MessageFactory(buyer=buyer, text="我不想活了,今晚就喝农药")
    messages_scan(message_ids=[message.pk])
    alert = Alert.objects.get(desk="life")
    factories.CaseFactory(buyer=buyer, owner=specialist).alerts.add(alert)
    assert missed_messages(desks=["life"], since=timezone.now() - timedelta(days=1)) == []


@pytest.fixture
def proposed(manager):
    return scan_term_change_propose(
        by=manager,
        action=ScanTermChange.Action.ADD,
        phrase=NEW_PHRASE,
        category="intent",
        weight=3,
        reason="a missed wording",
    )


def test_a_proposed_term_changes_nothing_until_it_is_published(db, proposed):
    assert not ScanTerm.objects.filter(phrase=NEW_PHRASE).exists()
    assert scan_text(NEW_WORDING, current_lexicon()).severity_name in ("none", "low")


def test_the_backtest_shows_what_the_change_adds_on_stored_messages_and_the_corpus(manager, proposed):
    message = factories.MessageFactory(text=NEW_WORDING)
    backtest = scanner_backtest_request(by=manager)
    assert run_scanner_backtest.delay(backtest.pk).get() is True
    assert scanner_backtest_run(backtest_id=backtest.pk) is False  # run once only
    backtest.refresh_from_db()
    assert backtest.status == ScannerBacktest.Status.DONE
    stored = backtest.results["stored"]
    assert stored["messages"] == 1
    (added,) = stored["added"]
    assert (added["message"], added["desk"], added["before"]) == (message.pk, "life", 0)
    assert added["after"] >= 2  # medium or above: it would alert
    assert stored["dropped"] == []
    assert set(backtest.results["corpus"]["before"]) == {
        "life_recall",
        "fraud_recall",
        "false_alarms",
        "everyday_alarms",
        "critical_below_high",
    }
    assert "看看" not in str(stored)  # verdicts and ids, not the words


def test_publishing_applies_exactly_the_tested_set_with_its_publisher_in_history(manager, proposed):
    backtest = scanner_backtest_request(by=manager)
    scanner_backtest_run(backtest_id=backtest.pk)
    backtest.refresh_from_db()
    assert scan_term_changes_publish(by=manager, backtest=backtest) == 1
    term = ScanTerm.objects.get(phrase=NEW_PHRASE, category="intent")
    assert term.history.latest().history_user == manager
    proposed.refresh_from_db()
    assert proposed.status == ScanTermChange.Status.PUBLISHED
    assert scan_text(NEW_WORDING, current_lexicon()).desk_severity["life"] >= 2


def test_a_change_proposed_after_the_backtest_makes_it_stale(manager, proposed):
    backtest = scanner_backtest_request(by=manager)
    scanner_backtest_run(backtest_id=backtest.pk)
    backtest.refresh_from_db()
    scan_term_change_propose(
        by=manager, action="add", phrase="另一个词", category="intent", weight=2, reason="one more"
    )
    with pytest.raises(TermChangeRefused):
        scan_term_changes_publish(by=manager, backtest=backtest)
    assert not ScanTerm.objects.filter(phrase=NEW_PHRASE).exists()


def test_a_backtest_not_finished_cannot_be_published(manager, proposed):
    backtest = ScannerBacktest.objects.create(fingerprint="x", requested_by=manager)
    with pytest.raises(TermChangeRefused):
        scan_term_changes_publish(by=manager, backtest=backtest)


def test_a_retired_term_is_switched_off_and_a_withdrawn_change_is_not_tested(manager):
    term = ScanTerm.objects.get(phrase="一了百了", category="intent")
    retire = scan_term_change_propose(by=manager, action="retire", term=term, reason="too many false alarms")
    withdrawn = scan_term_change_propose(
        by=manager, action="add", phrase="不要的词", category="intent", weight=2, reason="x"
    )
    scan_term_change_withdraw(by=manager, change=withdrawn)
    backtest = scanner_backtest_request(by=manager)
    assert list(backtest.changes.all()) == [retire]
    scanner_backtest_run(backtest_id=backtest.pk)
    backtest.refresh_from_db()
    scan_term_changes_publish(by=manager, backtest=backtest)
    term.refresh_from_db()
    assert term.is_active is False


def test_a_new_term_repeating_one_of_its_category_is_refused(manager):
    with pytest.raises(TermChangeRefused):
        scan_term_change_propose(
            by=manager, action="add", phrase="一了百了", category="intent", weight=3, reason="again"
        )


def test_the_scanner_page_proposes_backtests_and_publishes_for_a_manager(
    client, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    page = client.get(reverse("interventions:scanner"))
    assert page.status_code == 200
    form = {
        "action": "add",
        "phrase": NEW_PHRASE,
        "category": "intent",
        "weight": "3",
        "goods": "",
        "reason": "missed",
    }
    client.post(reverse("interventions:scanner_propose"), form)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("interventions:scanner_backtest"))
    backtest = ScannerBacktest.objects.get()
    assert backtest.status == ScannerBacktest.Status.DONE
    page = client.get(reverse("interventions:scanner"))
    assert reverse("interventions:scanner_publish", args=[backtest.pk]).encode() in page.content
    client.post(reverse("interventions:scanner_publish", args=[backtest.pk]))
    assert ScanTerm.objects.filter(phrase=NEW_PHRASE).exists()


def test_a_supervisor_reads_the_scanner_page_but_cannot_change_the_lists(client, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse("interventions:scanner")).status_code == 200
    response = client.post(reverse("interventions:scanner_propose"), {"action": "add", "phrase": "x"})
    assert response.status_code == 404
    assert not ScanTermChange.objects.exists()


def test_an_order_for_a_product_named_as_high_risk_goods_is_rated_by_its_name(api, shop_a):
    order = {
        "order_ref": "TB77",
        "buyer_ref": "tb_77",
        "merchant_ref": "shop-a",
        "product_ref": "tan-1",
        "product_name": "果木木炭 5斤装",
        "quantity": 1,
        "status": "paid",
        "ordered_at": "2026-11-23T15:00:00+08:00",
    }
    rope = {**order, "order_ref": "TB78", "product_ref": "sheng-1", "product_name": "儿童跳绳"}
    assert api.post(reverse("api-intake-orders"), {"orders": [order, rope]}, format="json").status_code == 202
    assert Product.objects.get(external_ref="tan-1").risk_category == "charcoal"
    assert Product.objects.get(external_ref="sheng-1").risk_category == "none"
