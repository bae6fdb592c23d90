"""Anti-fraud, first slice: one spelling per indicator, the look-alike check, the blocklist, and
indicators linked across complaints by the scan."""

from datetime import timedelta

import idna
import pytest
from django.urls import reverse
from django.utils import timezone

from fraud.indicators import extract, luhn_valid, normalise
from fraud.lookalike import Verdict, check
from fraud.models import Indicator, OfficialDomain, Sighting
from fraud.services import indicator_block
from interventions.models import Alert, CaseEvent, Severity
from interventions.selectors.rings import case_indicators
from interventions.services import alert_promote, messages_scan
from tests import factories

OFFICIAL = ["taobao.com", "tmall.com", "alipay.com"]
HOMOGRAPH = idna.encode("tаobao.com").decode()  # a Cyrillic а


@pytest.mark.parametrize(
    "link",
    ["taoba0.com", "https://tmall-vip.com/refund", HOMOGRAPH, "taboao.com", "taobao-refund.top", "alipay.com.cn"],
)
def test_look_alike_links_are_flagged(link):
    verdict = check(link, OFFICIAL)
    assert verdict.flagged, verdict


@pytest.mark.parametrize(
    "link",
    ["taobao.com", "https://item.taobao.com/a?id=1", "TMALL.COM", "alipay.com", "example.com", "mall.com", "jd.com"],
)
def test_the_real_domains_and_unrelated_ones_pass(link):
    assert not check(link, OFFICIAL).flagged


@pytest.mark.parametrize(
    ("link", "domain", "official", "imitates", "reason"),
    [
        ("https://item.taobao.com/a?id=1", "taobao.com", True, "", ""),
        ("example.com", "example.com", False, "", ""),
        ("taobao.net", "taobao.net", False, "taobao.com", "official name under another suffix"),
        ("taoba0.com", "taoba0.com", False, "taobao.com", "look-alike characters"),
        (HOMOGRAPH, HOMOGRAPH, False, "taobao.com", "homograph"),
        ("taboao.com", "taboao.com", False, "taobao.com", "one character off"),  # two neighbours swapped
        ("taobaao.com", "taobaao.com", False, "taobao.com", "one character off"),  # one added
        ("taobxo.com", "taobxo.com", False, "taobao.com", "one character off"),  # one changed
        ("taobaaao.com", "taobaaao.com", False, "", ""),  # two added: another name
        ("toabao.com", "toabao.com", False, "taobao.com", "one character off"),
        ("otabao.com", "otabao.com", False, "", ""),  # two swaps apart
        ("taobao-refund.top", "taobao-refund.top", False, "taobao.com", "official name with words added"),
        ("refund_taobao.top", "refund_taobao.top", False, "taobao.com", "official name with words added"),
        ("mall.com", "mall.com", False, "", ""),  # a letter dropped from a short name: another word
    ],
)
def test_the_look_alike_check_says_what_a_domain_imitates_and_how(link, domain, official, imitates, reason):
    assert check(link, OFFICIAL) == Verdict(domain, official, imitates, reason)


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("79927398713", True),  # the textbook example
        ("79927398710", False),
        ("4111111111111111", True),
        ("4111111111111112", False),
        ("59", True),  # 5 doubled is 10, which counts as 1
        ("19", False),
    ],
)
def test_a_card_number_is_checked_by_luhn(digits, valid):
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize(
    ("kind", "written", "stored"),
    [
        (Indicator.Kind.PHONE, "138 0013 8000", "+8613800138000"),
        (Indicator.Kind.PAYEE, "6222 0202-0000 0000 1", "62220202000000001"),  # a card: its digits
        (Indicator.Kind.PAYEE, "Alipay: Seller A", "alipay:sellera"),  # an id: lower case, no spaces
        (Indicator.Kind.PAYEE, "ＡＢＣ", "abc"),  # full-width letters are letters
        (Indicator.Kind.URL, "HTTPS://Taobao.COM/Refund/", "https://taobao.com/refund"),
        (Indicator.Kind.DOMAIN, "Item.Taobao.com.", "taobao.com"),  # the registered domain
        (Indicator.Kind.DOMAIN, "LocalHost.", "localhost"),  # no public suffix: as written, lower case
        (Indicator.Kind.ACCOUNT, " tb_Xiaoyu ", "tb_Xiaoyu"),  # an account keeps its case
    ],
)
def test_each_kind_of_indicator_is_stored_in_one_spelling(kind, written, stored):
    assert normalise(kind, written) == stored


def test_a_punycode_homograph_names_what_it_imitates():
    verdict = check(f"https://{HOMOGRAPH}/login", OFFICIAL)
    assert (verdict.lookalike_of, verdict.reason) == ("taobao.com", "homograph")


def test_phones_cards_wallets_and_links_are_found_in_text():
    card = "6222020200000000"
    card += str(next(d for d in range(10) if luhn_valid(card + str(d))))
    text = f"加微信号: Scam_888 或打 +86 138-0013-8000,转账到 {card[:4]} {card[4:8]} {card[8:12]} {card[12:]},点 https://taoba0.com/refund"
    found = {(f.kind, f.value) for f in extract(text)}
    assert found == {
        ("phone", "+8613800138000"),
        ("payee", card),
        ("payee", "wechat:scam_888"),
        ("url", "https://taoba0.com/refund"),
        ("domain", "taoba0.com"),
    }


def test_a_number_that_fails_luhn_is_not_a_card():
    assert not [f for f in extract("订单号 6222020200000000001") if f.kind == "payee"]


def test_the_official_domains_are_there_after_migrate(db):
    assert {"taobao.com", "tmall.com", "alipay.com"} <= set(OfficialDomain.objects.values_list("domain", flat=True))


def _complaint(text: str, buyer=None):
    message = factories.MessageFactory(source="complaint", text=text, buyer=buyer or factories.BuyerFactory())
    messages_scan(message_ids=[message.pk])
    return message


def test_a_phishing_link_alerts_the_fraud_desk_whatever_the_words(db):
    message = _complaint("客服让我点这个 https://taoba0.com/refund 办理")
    alert = Alert.objects.get(messages=message)
    assert (alert.desk, alert.severity) == ("fraud", Severity.HIGH)
    assert "taoba0.com" in alert.summary
    assert "taobao.com" in alert.summary


def test_a_blocklisted_payee_in_a_new_message_raises_an_alert(db, fraud_specialist):
    indicator = Indicator.objects.create(kind="payee", value="alipay:game_coin_seller_88")
    indicator_block(indicator=indicator, by=fraud_specialist, reason="已确认诈骗收款账户")
    message = _complaint("我要买点卡,对方让我转到支付宝: game_coin_seller_88")
    alert = Alert.objects.get(messages=message)
    assert (alert.desk, alert.severity) == ("fraud", Severity.HIGH)
    assert "game_coin_seller_88" in alert.summary
    assert indicator.history.latest().history_change_reason == "已确认诈骗收款账户"


def test_blocklisting_needs_a_reason(db, fraud_specialist):
    with pytest.raises(ValueError, match="黑名单的原因"):
        indicator_block(
            indicator=Indicator.objects.create(kind="phone", value="+8613800138000"), by=fraud_specialist, reason=" "
        )


def test_the_same_payee_in_several_complaints_links_them(db):
    text = "游戏币卖我1.3万,我转到对方支付宝: seller_88 后联系不上了"
    for _ in range(3):
        _complaint(text)
    indicator = Indicator.objects.get(kind="payee", value="alipay:seller_88")
    assert Sighting.objects.filter(indicator=indicator).count() == 3
    case = factories.CaseFactory(desk="fraud")
    Sighting.objects.create(indicator=indicator, case=case)
    other = factories.CaseFactory(desk="fraud")
    Sighting.objects.create(indicator=indicator, case=other)
    assert {i.value: i.other_case_count for i in case_indicators(case=case)} == {"alipay:seller_88": 1}


def test_life_alerts_do_not_collect_indicators(db):
    _complaint("我不想活了,我的电话 13800138000")
    assert Alert.objects.get().desk == "life"
    assert not Sighting.objects.exists()


# --- the bridge between the desks ---------------------------------------------------------------


def test_a_defrauded_person_writing_of_despair_gets_a_life_alert_linked_to_the_fraud_case(client, fraud_specialist):
    victim = factories.BuyerFactory()
    fraud_case = factories.CaseFactory(desk="fraud", buyer=victim, owner=fraud_specialist, title="游戏币诈骗 1.3 万")
    message = _complaint("一万三全被骗走了,我不想活了", buyer=victim)
    life = Alert.objects.get(messages=message, desk="life")
    assert life.related_case == fraud_case
    assert any(
        e.payload.get("alert_id") == life.pk for e in fraud_case.events.filter(kind=CaseEvent.Kind.RELATED_ALERT)
    )
    client.force_login(fraud_specialist)
    page = client.get(reverse("interventions:case", args=[fraud_case.pk])).text
    assert 'data-testid="other-desk"' in page
    assert life.summary in page


def test_the_life_case_opened_from_the_linked_alert_shows_the_fraud_case(client, specialist):
    victim = factories.BuyerFactory()
    fraud_case = factories.CaseFactory(desk="fraud", buyer=victim, title="退款诈骗")
    message = _complaint("钱没了,我不想活了,今晚就结束", buyer=victim)
    life = Alert.objects.get(messages=message, desk="life")
    client.force_login(specialist)
    assert "退款诈骗" in client.get(reverse("interventions:alert", args=[life.pk])).text
    life_case = alert_promote(alert=life, by=specialist)
    page = client.get(reverse("interventions:case", args=[life_case.pk])).text
    assert fraud_case.reference in page
    # the life specialist sees that the fraud case exists, but it is not theirs to open
    assert reverse("interventions:case", args=[fraud_case.pk]) not in page


def test_a_fraud_case_closed_long_ago_is_not_linked(db):
    victim = factories.BuyerFactory()
    factories.CaseFactory(
        desk="fraud",
        buyer=victim,
        status="closed",
        outcome="fraud_loss",
        closed_at=timezone.now() - timedelta(days=45),
    )
    message = _complaint("我不想活了", buyer=victim)
    assert Alert.objects.get(messages=message, desk="life").related_case is None
