"""Buyers' phone numbers and street addresses: encrypted at rest, found again through a blind index,
masked wherever they are shown, and revealed in full only with a purpose that the access log keeps.

Done means: a raw SELECT shows no readable phone or address while the case page shows them, after
a reveal, to the case's specialist."""

import io
import logging
from datetime import timedelta

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.crypto import phone_index, phone_normalise
from accounts.models import AccessLog, Desk
from interventions.models import CaseEvent
from interventions.selectors.contact import same_phone_elsewhere
from orders.models import Buyer, Region, phone_mask
from orders.services import buyer_record
from tests import factories

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
ADDRESS = "四川省成都市锦江区示范路18号3栋2单元501"
STREET = "示范路18号"
DISTRICT = "四川省 成都市 锦江区"


@pytest.fixture
def jinjiang(db) -> Region:
    province = factories.RegionFactory(code="510000", name="四川省", level=Region.Level.PROVINCE)
    city = factories.RegionFactory(code="510100", name="成都市", level=Region.Level.CITY, parent=province)
    return factories.RegionFactory(code="510104", name="锦江区", level=Region.Level.DISTRICT, parent=city)


@pytest.fixture
def mother(jinjiang) -> Buyer:
    return factories.BuyerFactory(account_ref="tb_xiaoyu_mama", phone=PHONE, address=ADDRESS, region=jinjiang)


@pytest.fixture
def case(specialist, mother):
    return factories.CaseFactory(owner=specialist, desk=Desk.LIFE, buyer=mother)


def _reveal(client, case, **data):
    return client.post(reverse("interventions:case_contact", args=[case.pk]), data)


def _stored(buyer: Buyer) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_index, address FROM orders_buyer WHERE id = %s", [buyer.pk])
        return " ".join(cursor.fetchone())


# --- at rest ------------------------------------------------------------------------------------


def test_a_dump_shows_no_phone_or_address_while_the_case_page_shows_them_after_a_reveal(
    client, specialist, case, mother, reauthenticated
):
    stored = _stored(mother)
    for readable in (PHONE, "0013", "8000", "138-0013", "示范路", "锦江区", "成都"):
        assert readable not in stored
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, address FROM orders_buyer WHERE id = %s", [mother.pk])
        phone, address = cursor.fetchone()
    assert phone.startswith("gAAAAA")  # Fernet tokens
    assert address.startswith("gAAAAA")

    client.force_login(specialist)
    page = client.get(reverse("interventions:case", args=[case.pk])).text
    assert PHONE not in page
    assert STREET not in page
    assert "138****8000" in page
    assert DISTRICT in page

    reauthenticated(client)
    shown = _reveal(client, case, purpose="contact").text
    assert f'href="tel:{PHONE}"' in shown
    assert ADDRESS in shown


def test_every_buyer_contact_field_is_encrypted():
    from accounts.crypto import encrypted_fields

    assert {(Buyer, "phone"), (Buyer, "address")} <= set(encrypted_fields())


# --- masks --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13800138000", "138****8000"),
        ("+86 138-0013-8000", "138****8000"),
        ("0086 13800138000", "138****8000"),
        ("0571-5550-0110", "057****0110"),
        ("12345", "****"),
        ("", ""),
    ],
)
def test_a_phone_shows_its_first_three_and_last_four_digits(phone, masked):
    assert phone_mask(phone) == masked


def test_an_address_is_shown_only_to_the_district_of_the_region(mother, jinjiang):
    assert mother.address_masked == DISTRICT
    city_only = factories.BuyerFactory(address=ADDRESS, region=jinjiang.parent)
    assert city_only.address_masked == "四川省 成都市"
    nowhere = factories.BuyerFactory(address=ADDRESS, region=None)
    assert nowhere.address_masked == ""  # never a piece of the street address


def test_the_alert_page_shows_the_masks_and_the_form_that_asks_why(client, specialist, mother):
    alert = factories.AlertFactory(buyer=mother)
    client.force_login(specialist)
    page = client.get(reverse("interventions:alert", args=[alert.pk])).text
    assert "138****8000" in page
    assert DISTRICT in page
    assert PHONE not in page
    assert STREET not in page
    assert reverse("interventions:alert_contact", args=[alert.pk]) in page
    assert 'value="contact"' in page  # the purposes offered


def test_a_buyer_without_contact_details_has_nothing_to_reveal(client, specialist, reauthenticated):
    case = factories.CaseFactory(owner=specialist, buyer=factories.BuyerFactory(phone="", address=""))
    client.force_login(specialist)
    assert 'data-testid="reveal-form"' not in client.get(reverse("interventions:case", args=[case.pk])).text
    reauthenticated(client)
    response = _reveal(client, case, purpose="contact")
    assert response.status_code == 400
    assert not AccessLog.objects.filter(action=AccessLog.Action.REVEAL).exists()


# --- the reveal ---------------------------------------------------------------------------------


def test_a_reveal_needs_a_purpose(client, specialist, case, reauthenticated):
    client.force_login(specialist)
    reauthenticated(client)
    for data in ({}, {"purpose": ""}, {"purpose": "curiosity"}, {"purpose": "contact", "reason": "x" * 501}):
        response = _reveal(client, case, **data)
        assert response.status_code == 400
        assert PHONE not in response.text
    assert not AccessLog.objects.filter(action=AccessLog.Action.REVEAL).exists()
    assert not case.events.filter(kind=CaseEvent.Kind.CONTACT_REVEALED).exists()


def test_a_reveal_writes_one_access_log_row_and_one_timeline_event_without_the_values(
    client, specialist, case, mother, reauthenticated
):
    client.force_login(specialist)
    reauthenticated(client)
    response = _reveal(client, case, purpose="contact", reason="电话确认她是否安全")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert "no-store" in response["Cache-Control"]

    entry = AccessLog.objects.get(action=AccessLog.Action.REVEAL)
    assert (entry.user, entry.object_type, entry.object_id, entry.purpose, entry.reason, entry.address) == (
        specialist,
        "orders.buyer",
        str(mother.pk),
        "contact",
        "电话确认她是否安全",
        "127.0.0.1",
    )
    assert entry.object_label == f"tb_xiaoyu_mama ({case.reference})"
    event = case.events.get(kind=CaseEvent.Kind.CONTACT_REVEALED)
    assert (event.actor, event.payload) == (specialist, {"purpose": "contact", "reason": "电话确认她是否安全"})
    assert PHONE not in str(event.payload) + entry.object_label + entry.reason

    # The case's timeline says who looked and why; the page is masked again.
    page = client.get(reverse("interventions:case", args=[case.pk])).text
    assert "电话确认她是否安全" in page
    assert str(AccessLog.Purpose.CONTACT.label) in page
    assert PHONE not in page


def test_an_htmx_reveal_answers_with_the_contact_block_only(client, specialist, case, reauthenticated):
    client.force_login(specialist)
    reauthenticated(client)
    url = reverse("interventions:case_contact", args=[case.pk])
    response = client.post(url, {"purpose": "casework"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'data-testid="contact-revealed"' in response.text
    assert PHONE in response.text


def test_revealing_from_an_alert_logs_it_and_tells_the_alert_s_case(client, specialist, mother, reauthenticated):
    alert = factories.AlertFactory(buyer=mother)
    client.force_login(specialist)
    reauthenticated(client)
    response = client.post(reverse("interventions:alert_contact", args=[alert.pk]), {"purpose": "casework"})
    assert PHONE in response.text
    entry = AccessLog.objects.get(action=AccessLog.Action.REVEAL)
    assert entry.object_label == f"tb_xiaoyu_mama (#{alert.pk})"
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.CONTACT_REVEALED).exists()

    case = factories.CaseFactory(owner=specialist, buyer=mother)
    alert.case = case
    alert.save(update_fields=["case"])
    client.post(reverse("interventions:alert_contact", args=[alert.pk]), {"purpose": "police"})
    assert case.events.get(kind=CaseEvent.Kind.CONTACT_REVEALED).payload == {
        "purpose": "police",
        "reason": "",
        "alert": alert.pk,
    }


@pytest.mark.parametrize("persona", ["fraud_specialist", "manager", "merchant_a", "liaison", "outsider"])
def test_who_cannot_read_the_case_gets_404_and_nothing_is_logged(client, request, case, persona):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("interventions:case_contact", args=[case.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"purpose": "contact"}).status_code == 404
    alert = factories.AlertFactory(buyer=case.buyer, desk=Desk.LIFE)
    assert (
        client.post(reverse("interventions:alert_contact", args=[alert.pk]), {"purpose": "contact"}).status_code == 404
    )
    assert not AccessLog.objects.filter(action=AccessLog.Action.REVEAL).exists()


def test_a_break_glass_reader_may_reveal_for_an_emergency_only(client, fraud_specialist, case, reauthenticated):
    client.force_login(fraud_specialist)
    client.post(reverse("interventions:break_glass"), {"reference": case.reference, "reason": "警方来电,紧急"})
    reauthenticated(client)
    assert _reveal(client, case, purpose="contact").status_code == 400
    assert PHONE in _reveal(client, case, purpose="emergency").text
    assert AccessLog.objects.get(action=AccessLog.Action.REVEAL).purpose == "emergency"


def test_a_reveal_asks_for_the_password_again_when_the_last_one_is_old(client, specialist, case, reauthenticated):
    client.force_login(specialist)
    reauthenticated(client)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        asked = _reveal(client, case, purpose="contact")
        assert asked.status_code == 302
        assert asked.url.startswith(reverse("account_reauthenticate"))
        assert not AccessLog.objects.filter(action=AccessLog.Action.REVEAL).exists()
        # The password given there carries out the reveal that was held.
        done = client.post(asked.url, {"password": factories.PASSWORD})
        assert done.status_code == 200
        assert PHONE in done.text
    assert AccessLog.objects.filter(action=AccessLog.Action.REVEAL).count() == 1


def test_no_phone_or_address_reaches_a_log_line(client, specialist, case, reauthenticated, api, caplog):
    caplog.set_level(logging.DEBUG)
    client.force_login(specialist)
    reauthenticated(client)
    _reveal(client, case, purpose="contact")
    _reveal(client, case, purpose="nonsense")
    item = {
        "source": "chat",
        "external_id": "chat-log-1",
        "buyer_ref": "tb_new",
        "buyer_phone": "+86 139-0013-9000",
        "buyer_address": ADDRESS,
        "text": "你好",
        "sent_at": "2026-11-23T15:00:00+08:00",
    }
    api.post("/api/v1/intake/messages", {"messages": [item, {**item, "buyer_phone": "not a phone"}]}, format="json")
    for readable in (PHONE, "13900139000", "139-0013-9000", STREET):
        assert readable not in caplog.text


# --- the blind index and the same phone elsewhere -----------------------------------------------


def test_the_blind_index_finds_one_number_however_it_is_written():
    assert phone_normalise("+86 138-0013-8000") == PHONE
    spellings = ["+86 138-0013-8000", "13800138000", "0086 138 0013 8000", "86-138-0013-8000"]
    assert {phone_index(spelling) for spelling in spellings} == {phone_index(PHONE)}
    assert phone_index("13800138001") != phone_index(PHONE)
    assert phone_index("") == ""
    assert PHONE not in phone_index(PHONE)

    factories.BuyerFactory(account_ref="tb_one", phone="+86 138-0013-8000")
    factories.BuyerFactory(account_ref="tb_two", phone="13800138000")
    found = Buyer.objects.filter(phone_index=phone_index("138 0013 8000")).values_list("account_ref", flat=True)
    assert sorted(found) == ["tb_one", "tb_two"]


def test_the_index_follows_the_phone_when_it_changes(mother):
    buyer_record(account_ref=mother.account_ref, phone="13900139000")
    mother.refresh_from_db()
    assert mother.phone_index == phone_index("139 0013 9000")


def test_the_case_page_lists_open_work_on_other_accounts_with_the_same_phone(
    client, specialist, case, django_assert_num_queries
):
    shadow = factories.BuyerFactory(account_ref="tb_shadow", phone="+86 138-0013-8000")
    open_alert = factories.AlertFactory(buyer=shadow, summary="同一手机号的另一个账号")
    open_case = factories.CaseFactory(buyer=shadow, title="另一个账号的个案")
    factories.CaseFactory(buyer=shadow, title="已结案", status="closed", outcome="safe", closed_at=timezone.now())
    factories.AlertFactory(buyer=shadow, summary="已驳回", status="dismissed", dismiss_reason="false_alarm")
    factories.CaseFactory(buyer=shadow, desk=Desk.FRAUD, title="反欺诈台的个案")  # not Li's desk
    factories.AlertFactory(buyer=case.buyer, summary="同一账号的预警")  # the same account: listed elsewhere

    with django_assert_num_queries(1):
        rows = same_phone_elsewhere(case.buyer, desks=[Desk.LIFE])
    assert [(row.kind, row.item.pk) for row in rows] == [("case", open_case.pk), ("alert", open_alert.pk)]
    assert rows[0].item.reference == open_case.reference
    assert rows[1].item.buyer.account_ref == "tb_shadow"

    client.force_login(specialist)
    page = client.get(reverse("interventions:case", args=[case.pk])).text
    assert 'data-testid="same-phone"' in page
    assert "另一个账号的个案" in page
    assert "同一手机号的另一个账号" in page
    assert "tb_shadow" in page
    for hidden in ("已结案", "已驳回", "反欺诈台的个案"):
        assert hidden not in page
    alert_page = client.get(reverse("interventions:alert", args=[open_alert.pk])).text
    assert case.reference in alert_page  # and back, from the other account's alert


def test_a_buyer_without_a_phone_costs_no_query(django_assert_num_queries):
    buyer = factories.BuyerFactory(phone="")
    with django_assert_num_queries(0):
        assert same_phone_elsewhere(buyer, desks=[Desk.LIFE]) == []
        assert same_phone_elsewhere(None, desks=[Desk.LIFE]) == []


# --- keys ---------------------------------------------------------------------------------------


def test_rotation_reencrypts_buyer_contacts_and_old_keys_decrypt_meanwhile(settings, mother):
    old, new = settings.SHOUHU_DATA_KEYS[0], Fernet.generate_key().decode()
    before = _stored(mother)

    settings.SHOUHU_DATA_KEYS = [new, old]
    assert Buyer.objects.get(pk=mother.pk).phone == PHONE
    call_command("rotate_data_keys", stdout=(out := io.StringIO()))
    assert "orders.Buyer.phone: 1 values re-encrypted" in out.getvalue()
    assert "orders.Buyer.address: 1 values re-encrypted" in out.getvalue()
    after = _stored(mother)
    assert after.split()[0] != before.split()[0]
    assert after.split()[1] == before.split()[1]  # the blind index has its own key: unchanged

    settings.SHOUHU_DATA_KEYS = [new]
    rotated = Buyer.objects.get(pk=mother.pk)
    assert (rotated.phone, rotated.address) == (PHONE, ADDRESS)


def test_a_new_index_key_finds_the_same_phone_again_once_the_indexes_are_recomputed(settings, mother):
    other = factories.BuyerFactory(account_ref="tb_second_account", phone="+86 138-0013-8000")
    settings.SHOUHU_INDEX_KEY = "a-new-index-key-of-32-characters-or-more"
    newcomer = buyer_record(account_ref="tb_third_account", phone=PHONE)
    assert Buyer.objects.filter(phone_index=newcomer.phone_index).count() == 1  # the old rows are lost

    call_command("rotate_data_keys", stdout=(out := io.StringIO()))

    assert "orders.Buyer.phone_index: 2 indexes recomputed" in out.getvalue()
    found = set(Buyer.objects.filter(phone_index=newcomer.phone_index).values_list("pk", flat=True))
    assert found == {mother.pk, other.pk, newcomer.pk}


# --- the API ------------------------------------------------------------------------------------


def test_the_api_shows_only_masked_values(client, specialist, case, mother):
    alert = factories.AlertFactory(buyer=mother, case=case, status="promoted")
    client.force_login(specialist)
    for url in (
        reverse("api-case-detail", args=[case.pk]),
        reverse("api-alert-detail", args=[alert.pk]),
        reverse("api-case-list"),
        reverse("api-alert-list"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert PHONE not in body
        assert STREET not in body
        assert "gAAAAA" not in body
        assert phone_index(PHONE) not in body
    detail = client.get(reverse("api-case-detail", args=[case.pk])).json()
    assert (detail["buyer_phone_masked"], detail["buyer_address_masked"]) == ("138****8000", DISTRICT)


def test_intake_stores_the_phone_and_address_encrypted_and_indexed(api, shop_a):
    item = {
        "source": "chat",
        "external_id": "chat-contact-1",
        "buyer_ref": "tb_new",
        "buyer_phone": "+86 138-0013-8000",
        "buyer_address": ADDRESS,
        "text": "你好",
        "sent_at": "2026-11-23T15:00:00+08:00",
    }
    assert api.post("/api/v1/intake/messages", {"messages": [item]}, format="json").status_code == 202
    buyer = Buyer.objects.get(account_ref="tb_new")
    assert (buyer.phone, buyer.address, buyer.phone_index) == ("+86 138-0013-8000", ADDRESS, phone_index(PHONE))

    # A later message with another number changes it; one without a number leaves it.
    again = {**item, "external_id": "chat-contact-2", "buyer_phone": "13900139000", "buyer_address": ""}
    api.post("/api/v1/intake/messages", {"messages": [again]}, format="json")
    buyer.refresh_from_db()
    assert (buyer.phone_index, buyer.address) == (phone_index("13900139000"), ADDRESS)

    order = {
        "order_ref": "TB-contact-1",
        "buyer_ref": "tb_orderer",
        "buyer_phone": "13700137000",
        "buyer_address": "浙江省杭州市西湖区示例巷9号",
        "merchant_ref": shop_a.external_ref,
        "product_ref": "p-1",
        "product_name": "除草剂",
        "quantity": 1,
        "status": "paid",
        "ordered_at": "2026-11-23T15:00:00+08:00",
    }
    assert api.post("/api/v1/intake/orders", {"orders": [order]}, format="json").status_code == 202
    orderer = Buyer.objects.get(account_ref="tb_orderer")
    assert (orderer.phone_masked, orderer.phone_index) == ("137****7000", phone_index("13700137000"))


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"buyer_phone": "call me"}, "messages[0].buyer_phone"),
        ({"buyer_phone": "1" * 40}, "messages[0].buyer_phone"),
        ({"buyer_address": "路" * 201}, "messages[0].buyer_address"),
        ({"buyer_ref": "", "buyer_phone": PHONE}, "messages[0].buyer_ref"),
    ],
)
def test_intake_refuses_a_bad_phone_or_address_without_echoing_it(api, fields, where):
    item = {
        "source": "chat",
        "external_id": "chat-bad-1",
        "buyer_ref": "tb_new",
        "text": "你好",
        "sent_at": "2026-11-23T15:00:00+08:00",
        **fields,
    }
    response = api.post("/api/v1/intake/messages", {"messages": [item]}, format="json")
    assert response.status_code == 400
    assert where in response.json()["error"]["fields"]
    assert PHONE not in response.content.decode()
    assert not Buyer.objects.filter(account_ref="tb_new").exists()


# --- the admin ----------------------------------------------------------------------------------


def test_the_admin_shows_only_masked_values_and_finds_a_phone_by_its_index(client, supervisor, mother):
    client.force_login(supervisor)
    listing = client.get(reverse("admin:orders_buyer_changelist"), {"q": "+86 138 0013 8000"})
    assert listing.status_code == 200
    assert "tb_xiaoyu_mama" in listing.text
    assert "138****8000" in listing.text
    assert PHONE not in listing.text
    change = client.get(reverse("admin:orders_buyer_change", args=[mother.pk])).text
    assert DISTRICT in change
    assert PHONE not in change
    assert STREET not in change
    assert phone_index(PHONE) not in change
