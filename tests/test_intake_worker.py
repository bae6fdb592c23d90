"""A thousand messages through the API, scanned by a real Celery worker on Redis: exactly the
expected alerts appear, and the same batch posted again adds nothing."""

import time

import pytest
from django.db import connection

from interventions.models import Alert, Message

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
URL = "/api/v1/intake/messages"
EVERYDAY = [
    "请问什么时候发货?",
    "这件衣服有没有大一码的",
    "跳楼价清仓还有吗",
    "笑死,快递员把包裹放错了",
    "能开发票吗",
    "退货地址是哪里",
    "收不到验证码怎么办",
    "烧烤木炭5斤装多少钱",
    "想死你了,终于到货了",
    "颜色和图片不一样",
]


def _message(n: int, buyer: str, text: str) -> dict:
    return {
        "source": "chat",
        "external_id": f"load-{n}",
        "buyer_ref": buyer,
        "text": text,
        "sent_at": "2026-11-23T15:00:00+08:00",
    }


def _batch() -> tuple[list[dict], dict[str, set[str]]]:
    """1,000 messages and the buyers each desk must get one alert about."""
    messages, expected = [], {"life": set(), "fraud": set()}
    for n in range(40):  # forty people, each in danger once
        messages.append(_message(len(messages), f"life-{n}", "我不想活了,农药已经买好了,今晚就喝"))
        expected["life"].add(f"life-{n}")
    for n in range(10):  # ten people writing twice: one alert each
        messages.append(_message(len(messages), f"twice-{n}", "活不下去了"))
        messages.append(_message(len(messages), f"twice-{n}", "安眠药攒了一整瓶"))
        expected["life"].add(f"twice-{n}")
    for n in range(20):  # twenty fraud victims
        messages.append(_message(len(messages), f"fraud-{n}", "他说2亿游戏币卖1.3万,我转到对方账户后就联系不上了"))
        expected["fraud"].add(f"fraud-{n}")
    while len(messages) < 1000:
        messages.append(_message(len(messages), f"shopper-{len(messages) % 97}", EVERYDAY[len(messages) % 10]))
    return messages, expected


def _wait_until_scanned(worker, total: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker exited early"
        if Message.objects.filter(scanned_at__isnull=False).count() == total:
            return
        time.sleep(0.5)
    pytest.fail(f"only {Message.objects.filter(scanned_at__isnull=False).count()} of {total} scanned")


def test_a_thousand_messages_become_exactly_the_expected_alerts(api, celery_worker_process, through_the_broker):
    batch, expected = _batch()
    response = api.post(URL, {"messages": batch}, format="json")
    assert response.status_code == 202
    assert response.json()["created"] == 1000
    connection.close()
    _wait_until_scanned(celery_worker_process, 1000)

    for desk, buyers in expected.items():
        alerted = list(Alert.objects.filter(desk=desk).values_list("buyer__account_ref", flat=True))
        assert sorted(alerted) == sorted(buyers), desk
    assert Alert.objects.count() == 70

    again = api.post(URL, {"messages": batch}, format="json")
    assert (again.status_code, again.json()["created"], again.json()["duplicates"]) == (202, 0, 1000)
    time.sleep(2)  # anything enqueued by mistake would have been scanned by now
    assert (Message.objects.count(), Alert.objects.count()) == (1000, 70)
