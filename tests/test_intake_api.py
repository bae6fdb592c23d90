"""The intake API: each message stored once, bad items named, good items kept, tokens checked."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_token_issue, api_token_revoke
from interventions.models import Alert, Message
from orders.models import Order
from tests import factories

URL = "/api/v1/intake/messages"


def message(n: int, text: str = "请问什么时候发货?", **fields) -> dict:
    return {
        "source": "chat",
        "channel": "旺旺",
        "external_id": f"chat-{n}",
        "buyer_ref": f"tb_{n % 7}",
        "text": text,
        "sent_at": "2026-11-23T15:00:00+08:00",
        **fields,
    }


def test_a_batch_is_stored_and_scanned_into_alerts(api, django_capture_on_commit_callbacks):
    batch = [message(1), message(2, "我不想活了,农药已经买好了", buyer_ref="tb_mother"), message(3, "这件衣服跳楼价")]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(URL, {"messages": batch}, format="json")
    assert response.status_code == 202
    assert (response.json()["accepted"], response.json()["created"]) == (3, 3)
    assert Message.objects.filter(scanned_at__isnull=False).count() == 3
    alert = Alert.objects.get()
    assert (alert.desk, alert.get_severity_display(), alert.buyer.account_ref) == ("life", "危急", "tb_mother")
    assert alert.matches[0]["message_id"] == Message.objects.get(external_id="chat-2").pk


def test_posting_the_same_batch_again_creates_nothing(api, django_capture_on_commit_callbacks):
    batch = [message(n, "我想自杀,今晚就跳楼") for n in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        api.post(URL, {"messages": batch}, format="json")
    counts = (Message.objects.count(), Alert.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        again = api.post(URL, {"messages": batch}, format="json")
    assert again.status_code == 202
    assert (again.json()["created"], again.json()["duplicates"]) == (0, 5)
    assert (Message.objects.count(), Alert.objects.count()) == counts


def test_one_message_sent_again_alone_is_a_duplicate_and_a_repeat_within_a_batch_too(api):
    first = api.post(URL, {"messages": [message(1)]}, format="json").json()
    again = api.post(URL, {"messages": [message(1)]}, format="json").json()
    assert (first["created"], again["created"], again["duplicates"]) == (1, 0, 1)
    assert again["items"][0]["id"] == first["items"][0]["id"]
    mixed = api.post(URL, {"messages": [message(2), message(1), message(2)]}, format="json").json()
    assert [item["status"] for item in mixed["items"]] == ["created", "duplicate", "duplicate"]
    assert mixed["items"][0]["id"] == mixed["items"][2]["id"]
    assert Message.objects.count() == 2


def test_messages_point_at_the_shops_and_orders_they_name_and_keep_unknown_references(api, shop_a):
    order = factories.OrderFactory(external_ref="TB42", product__merchant=shop_a)
    batch = [
        message(1, merchant_ref="shop-a", order_ref="TB42"),
        message(2, merchant_ref="shop-a"),
        message(3, order_ref="TB42"),
        message(4, merchant_ref="shop-unknown", order_ref="TB-unknown"),
    ]
    assert api.post(URL, {"messages": batch}, format="json").status_code == 202
    stored = {m.external_id: m for m in Message.objects.all()}
    assert (stored["chat-1"].merchant, stored["chat-1"].order) == (shop_a, order)
    assert (stored["chat-2"].merchant, stored["chat-2"].order) == (shop_a, None)
    assert (stored["chat-3"].merchant, stored["chat-3"].order) == (None, order)
    unknown = stored["chat-4"]
    assert (unknown.merchant, unknown.order, unknown.merchant_ref, unknown.order_ref) == (
        None,
        None,
        "shop-unknown",
        "TB-unknown",
    )


@pytest.mark.django_db(transaction=True)
def test_a_batch_costs_the_same_few_queries_however_many_messages_it_holds(
    api, shop_a, django_assert_num_queries, monkeypatch
):
    sent = []  # what is sent to the scan, held here so that its queries are not counted
    monkeypatch.setattr("interventions.tasks.scan_messages.delay", sent.append)
    api.post(URL, {"messages": []}, format="json")  # the token's use is noted once a minute

    def batch(first: int) -> list[dict]:
        return [
            message(n, buyer_ref=f"tb_{n}", buyer_phone="13800138000", merchant_ref=shop_a.external_ref, order_ref="o1")
            for n in range(first, first + 100)
        ]

    # The token; the buyers read and the new ones inserted; the shops and orders named (one
    # query) and the one INSERT of the messages. Each write is one statement, committed whole:
    # no BEGIN, no COMMIT.
    with django_assert_num_queries(5):
        assert api.post(URL, {"messages": batch(0)}, format="json").json()["created"] == 100
    # The same people again, known now, with their messages already stored: no buyer is inserted,
    # and the stored messages are looked up once, after the INSERT skipped them.
    with django_assert_num_queries(5):
        assert api.post(URL, {"messages": batch(0)}, format="json").json()["duplicates"] == 100
    # No shop or order named: no lookup of either.
    with django_assert_num_queries(3):
        assert api.post(URL, {"messages": [message(n, buyer_ref="tb_1") for n in range(200, 300)]}, format="json")
    # Each new message is sent to the scan once, by the request that stored it.
    assert sorted(pk for ids in sent for pk in ids) == sorted(Message.objects.values_list("pk", flat=True))
    assert len(sent) == 2


def test_bad_items_are_named_and_the_good_ones_still_accepted(api):
    batch = [
        message(1),
        {"source": "chat", "external_id": "chat-2", "sent_at": "2026-11-23T15:00:00+08:00"},  # no text
        message(3, "长" * 10_001),
        message(4, source="carrier pigeon"),
        message(5, sent_at="yesterday"),
        "not an object",
        message(7),
    ]
    response = api.post(URL, {"messages": batch}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "invalid_items"
    assert set(body["error"]["fields"]) == {
        "messages[1].text",
        "messages[2].text",
        "messages[3].source",
        "messages[4].sent_at",
        "messages[5].non_field_errors",
    }
    assert [item["index"] for item in body["items"]] == [0, 6]
    assert set(Message.objects.values_list("external_id", flat=True)) == {"chat-1", "chat-7"}


@pytest.mark.parametrize(
    ("body", "content_type", "code"),
    [
        ('{"messages": [', "application/json", "parse_error"),
        ('{"messages": "hello"}', "application/json", "invalid"),
        ("[]", "application/json", "invalid"),
    ],
)
def test_malformed_requests_get_the_one_error_shape(api, body, content_type, code):
    response = api.generic("POST", URL, body, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert Message.objects.count() == 0


def test_more_than_a_thousand_messages_are_refused_whole(api):
    response = api.post(URL, {"messages": [message(n) for n in range(1001)]}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "batch_too_large"
    assert Message.objects.count() == 0


def test_without_a_token_or_with_a_bad_one_nothing_is_stored(db, integration):
    anonymous = APIClient().post(URL, {"messages": [message(1)]}, format="json")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    forged = APIClient(HTTP_AUTHORIZATION="Bearer sh_abcdef0123_not-the-secret")
    assert forged.post(URL, {"messages": [message(1)]}, format="json").status_code == 401
    assert Message.objects.count() == 0


def test_a_revoked_or_expired_token_is_refused(db, integration):
    token, key = api_token_issue(user=integration, name="old", scopes=["intake:write"], by=None)
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {key}")
    api_token_revoke(token=token, by=None)
    assert client.post(URL, {"messages": [message(1)]}, format="json").status_code == 401
    _expired, old_key = api_token_issue(
        user=integration,
        name="expired",
        scopes=["intake:write"],
        by=None,
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    assert (
        APIClient(HTTP_AUTHORIZATION=f"Bearer {old_key}").post(URL, {"messages": []}, format="json").status_code == 401
    )


def test_a_token_without_the_intake_scope_is_forbidden(db, integration):
    _token, key = api_token_issue(user=integration, name="lookup", scopes=["indicators:read"], by=None)
    response = APIClient(HTTP_AUTHORIZATION=f"Bearer {key}").post(URL, {"messages": [message(1)]}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_staff_session_cannot_push_intake(client, specialist):
    client.force_login(specialist)
    assert client.post(URL, {"messages": []}, content_type="application/json").status_code == 401


def test_the_key_is_not_stored_and_its_use_is_noted(db, integration):
    token, key = api_token_issue(user=integration, name="chat", scopes=["intake:write"], by=None)
    secret = key.split("_", 2)[2]  # the secret itself may contain "_"
    assert secret not in token.digest
    assert len(secret) >= 40
    APIClient(HTTP_AUTHORIZATION=f"Bearer {key}").post(URL, {"messages": []}, format="json")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_orders_are_created_then_updated_and_unknown_shops_refused(api, shop_a):
    order = {
        "order_ref": "TB900",
        "buyer_ref": "tb_mother",
        "merchant_ref": "shop-a",
        "product_ref": "qh-001",
        "product_name": "草甘膦除草剂",
        "risk_category": "pesticide",
        "quantity": 1,
        "status": "paid",
        "ordered_at": "2026-11-23T15:00:00+08:00",
    }
    first = api.post(reverse("api-intake-orders"), {"orders": [order]}, format="json")
    assert first.status_code == 202
    assert first.json()["items"][0]["status"] == "created"
    shipped = {**order, "status": "shipped", "carrier": "顺丰速运", "tracking_no": "SF1"}
    stranger = {**order, "order_ref": "TB901", "merchant_ref": "shop-unknown"}
    second = api.post(reverse("api-intake-orders"), {"orders": [shipped, stranger]}, format="json")
    assert second.status_code == 400
    assert list(second.json()["error"]["fields"]) == ["orders[1].merchant_ref"]
    assert second.json()["items"][0]["status"] == "updated"
    stored = Order.objects.get()
    assert (stored.status, stored.product.risk_category, stored.merchant) == ("shipped", "pesticide", shop_a)
