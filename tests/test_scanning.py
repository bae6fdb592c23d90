"""From stored messages to alerts: once each, grouped per person, never lost."""

from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interventions.models import Alert, Message, Severity
from interventions.services import messages_scan, messages_scan_overdue
from interventions.tasks import scan_messages
from tests import factories


def _messages(buyer, *texts, order=None):
    return [factories.MessageFactory(buyer=buyer, text=text, order=order) for text in texts]


def test_scanning_twice_raises_one_alert(db):
    buyer = factories.BuyerFactory()
    ids = [m.pk for m in _messages(buyer, "我不想活了,今晚就吃安眠药")]
    assert scan_messages.delay(ids).get() == 1
    assert scan_messages.delay(ids).get() == 0
    assert Alert.objects.count() == 1


def test_hits_about_one_person_join_the_open_alert_and_raise_it(db):
    buyer = factories.BuyerFactory()
    first, second = _messages(buyer, "活着好累", "我已经准备好了农药,今晚就走")
    messages_scan(message_ids=[first.pk])
    alert = Alert.objects.get()
    assert alert.severity == Severity.MEDIUM
    deadline = alert.sla_due_at
    messages_scan(message_ids=[second.pk])
    alert.refresh_from_db()
    assert Alert.objects.count() == 1
    assert alert.severity == Severity.CRITICAL
    assert alert.sla_due_at < deadline
    assert set(alert.messages.all()) == {first, second}
    assert {m["message_id"] for m in alert.matches} == {first.pk, second.pk}


def test_a_batch_reads_its_people_once_however_many_of_them_write_of_danger(db):
    def scan_reads(people: int) -> int:
        ids = []
        for _ in range(people):
            ids += [m.pk for m in _messages(factories.BuyerFactory(), "活着好累", "活着好累,真的")]
        with CaptureQueriesContext(connection) as queries:
            assert messages_scan(message_ids=ids) == 2 * people
        return sum(1 for query in queries if query["sql"].startswith("SELECT"))

    assert scan_reads(2) == scan_reads(8)
    # Each person's second message joined the alert their first raised, within the one batch.
    assert Alert.objects.count() == 10
    assert {alert.messages.count() for alert in Alert.objects.all()} == {2}


def test_a_hit_after_the_window_opens_a_new_alert(db):
    buyer = factories.BuyerFactory()
    first, second = _messages(buyer, "活不下去了", "活不下去了,真的")
    messages_scan(message_ids=[first.pk])
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        messages_scan(message_ids=[second.pk])
    assert Alert.objects.count() == 2


def test_two_people_never_share_an_alert(db):
    ids = [m.pk for m in _messages(factories.BuyerFactory(), "我想自杀")] + [
        m.pk for m in _messages(factories.BuyerFactory(), "我想自杀")
    ]
    messages_scan(message_ids=ids)
    assert Alert.objects.count() == 2


def test_a_fraud_victim_in_despair_alerts_both_desks(db):
    buyer = factories.BuyerFactory()
    (message,) = _messages(buyer, "游戏币的钱转到对方账户后联系不上了,被骗了一万三,我不想活了")
    messages_scan(message_ids=[message.pk])
    assert set(Alert.objects.values_list("desk", flat=True)) == {"life", "fraud"}


def test_an_order_for_high_risk_goods_raises_the_message(db):
    order = factories.OrderFactory(product=factories.ProductFactory(risk_category="pesticide"))
    (message,) = _messages(order.buyer, "我不想活了", order=order)
    messages_scan(message_ids=[message.pk])
    alert = Alert.objects.get()
    assert (alert.severity, alert.order) == (Severity.HIGH, order)


def test_benign_traffic_raises_nothing_and_is_marked_scanned(db):
    buyer = factories.BuyerFactory()
    ids = [m.pk for m in _messages(buyer, "跳楼价清仓", "笑死我了", "什么时候发货")]
    assert messages_scan(message_ids=ids) == 3
    assert Alert.objects.count() == 0
    assert not Message.objects.filter(scanned_at__isnull=True).exists()


def test_a_message_whose_task_was_lost_is_scanned_by_the_sweep(db):
    buyer = factories.BuyerFactory()
    (message,) = _messages(buyer, "我想自杀")
    assert messages_scan_overdue() == 0  # its own task still has time
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert messages_scan_overdue() == 1
        assert messages_scan_overdue() == 0
    assert Alert.objects.get().messages.get() == message


def test_a_weak_message_joins_the_open_alert_and_the_conversation_decides(db):
    buyer = factories.BuyerFactory()
    first, second = _messages(buyer, "活不下去了", "农药")
    messages_scan(message_ids=[first.pk, second.pk])
    alert = Alert.objects.get()
    assert alert.severity == Severity.HIGH
    assert alert.messages.count() == 2
