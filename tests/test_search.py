"""The search box: one box that finds a case, an alert, an order, a person (by account, nickname or
a phone number however written, through its blind index), an indicator, a shop, and cases by a
Chinese word of their title; within the reader's desks; every search that can find a person in
the access log with its purpose, and refused without one."""

import itertools
import re

import pytest
from django.db import connection
from django.urls import reverse

from accounts.crypto import phone_index
from accounts.models import AccessLog, Desk
from fraud.models import Indicator
from interventions.models import Alert, Case
from interventions.selectors.search import search_query, search_results
from orders.models import Buyer
from tests import factories
from tests.pages import shown
from tests.test_i18n import english_words

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
URL = reverse("interventions:search")


@pytest.fixture
def mother(db) -> Buyer:
    return factories.BuyerFactory(account_ref="tb_xiaoyu_mama", nickname="小雨妈妈", phone=PHONE)


@pytest.fixture
def her_case(specialist, mother) -> Case:
    return factories.CaseFactory(owner=specialist, desk=Desk.LIFE, buyer=mother, title="购买木炭和胶带，留言异常")


def _search(client, q: str, purpose: str | None = "casework", **extra):
    data = {"q": q, **extra}
    if purpose is not None:
        data["purpose"] = purpose
    return client.get(URL, data)


# --- reading what was typed -------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["LP-000042", "LP-42", "lp42", "LP 000042", "ＬＰ－０００４２", " LP000042 "])
def test_a_case_reference_is_read_with_or_without_the_dash_and_the_zeros(typed):
    query = search_query(typed)
    assert query.case == (Desk.LIFE, 42)
    assert not query.finds_people


def test_an_anti_fraud_reference_names_the_anti_fraud_desk():
    assert search_query("AF-000007").case == (Desk.FRAUD, 7)


@pytest.mark.parametrize(
    "typed",
    ["+86 138 0013 8000", "0086-138-0013-8000", "138 0013 8000", "１３８００１３８０００", "(+86) 138.0013.8000"],
)
def test_a_phone_number_is_read_however_it_is_written(typed):
    query = search_query(typed)
    assert query.phone == PHONE
    assert query.words == ""  # a number is not looked for inside titles
    assert query.finds_people


def test_an_alert_number_with_its_hash_is_an_alert_and_nothing_else():
    query = search_query("#42")
    assert query.alert == 42
    assert not query.finds_people
    assert search_query("42").alert == 42
    assert search_query("42").finds_people  # a bare number may be an order's or an account's too


# --- each kind found --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["+86 138 0013 8000", "0086-138-0013-8000", "138-0013-8000", "１３８ ００１３ ８０００", "13800138000"]
)
def test_a_phone_in_any_spelling_lands_on_the_persons_one_case(client, specialist, her_case, typed):
    client.force_login(specialist)
    response = _search(client, typed, purpose="contact")
    assert response.status_code == 302
    assert response.url == reverse("interventions:case", args=[her_case.pk])


def test_a_phone_is_found_through_its_blind_index_only(specialist, her_case, django_assert_num_queries):
    """The buyers' phone column holds tokens: what finds the person is the index of the number."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM orders_buyer WHERE id = %s", [her_case.buyer_id])
        (stored,) = cursor.fetchone()
    assert PHONE not in stored
    results = search_results(search_query("+86 138 0013 8000"), desks=[Desk.LIFE])
    assert [(person.buyer.pk, person.found_by) for person in results.people] == [(her_case.buyer_id, "phone")]
    assert Buyer.objects.get(pk=her_case.buyer_id).phone_index == phone_index("+86 138 0013 8000")


def test_the_same_phone_on_two_accounts_lists_both_people(client, specialist, her_case):
    other = factories.BuyerFactory(account_ref="tb_second_account", phone="+86 138-0013-8000")
    factories.AlertFactory(desk=Desk.LIFE, buyer=other, summary="第二个账号的预警")
    client.force_login(specialist)
    page = shown(_search(client, "138 0013 8000"), "tb_xiaoyu_mama", "tb_second_account", her_case.reference)
    assert "第二个账号的预警" in page
    assert "138****8000" in page  # masked, as everywhere
    assert PHONE not in page


def test_a_case_reference_opens_the_case(client, specialist, her_case):
    client.force_login(specialist)
    for typed in (her_case.reference, f"lp{her_case.pk}", f"LP-{her_case.pk}"):
        response = _search(client, typed, purpose=None)  # no person is looked up: no purpose asked
        assert response.status_code == 302, typed
        assert response.url == reverse("interventions:case", args=[her_case.pk])


def test_an_alert_number_opens_the_alert(client, specialist):
    alert = factories.AlertFactory(desk=Desk.LIFE)
    client.force_login(specialist)
    response = _search(client, f"#{alert.pk}", purpose=None)
    assert response.url == reverse("interventions:alert", args=[alert.pk])


def test_an_order_number_leads_to_the_case_of_its_buyer(client, specialist, her_case, shop_a):
    order = factories.OrderFactory(
        buyer=her_case.buyer, external_ref="TB202611230001", product=factories.ProductFactory(merchant=shop_a)
    )
    client.force_login(specialist)
    response = _search(client, order.external_ref)
    assert response.url == reverse("interventions:case", args=[her_case.pk])


def test_an_order_of_someone_without_a_case_is_shown_with_its_shop(client, specialist, shop_a):
    order = factories.OrderFactory(external_ref="TB202611230002", product=factories.ProductFactory(merchant=shop_a))
    client.force_login(specialist)
    page = shown(_search(client, "TB202611230002"), "TB202611230002", shop_a.name)
    assert order.buyer.account_ref in page
    assert "您的工作台上没有关于此人的个案或预警" in page


def test_an_account_is_found(client, specialist, her_case):
    factories.AlertFactory(desk=Desk.LIFE, buyer=her_case.buyer, summary="另一条未处理的预警")
    client.force_login(specialist)
    shown(_search(client, "tb_xiaoyu_mama"), "小雨妈妈", her_case.reference, "另一条未处理的预警", "按账号找到")


def test_a_part_of_a_nickname_finds_the_desks_people_only(client, specialist, her_case):
    factories.BuyerFactory(nickname="小雨爸爸")  # no case, no alert on any desk
    client.force_login(specialist)
    page = shown(_search(client, "小雨"), "小雨妈妈", her_case.reference, "按昵称找到")
    assert "小雨爸爸" not in page


@pytest.mark.parametrize("word", ["木炭", "跳楼", "胶带", "留言异常"])
def test_a_chinese_word_finds_cases_by_their_title(client, specialist, word):
    wanted = factories.CaseFactory(owner=specialist, desk=Desk.LIFE, title="买了木炭和胶带，说要跳楼，留言异常")
    factories.CaseFactory(owner=specialist, desk=Desk.LIFE, title="询问安眠药的致死剂量")
    factories.CaseFactory(owner=specialist, desk=Desk.LIFE, title="木头和炭火")  # both characters, not the word
    client.force_login(specialist)
    page = shown(_search(client, word), wanted.reference)
    assert len(re.findall(r'href="/cases/\d+/"', page)) == 1  # the one case, besides the menu's case list


def test_a_latin_word_in_a_title_is_found_in_any_letter_case(client, specialist):
    wanted = factories.CaseFactory(owner=specialist, desk=Desk.LIFE, title="QQ群里说要轻生")
    client.force_login(specialist)
    shown(_search(client, "qq群"), wanted.reference)


def test_one_character_is_not_looked_for_inside_titles(specialist):
    factories.CaseFactory(owner=specialist, desk=Desk.LIFE, title="木炭")
    assert search_results(search_query("炭"), desks=[Desk.LIFE]).cases == []


def test_a_fraud_indicator_is_found_in_its_own_spelling(client, fraud_specialist):
    case = factories.CaseFactory(owner=fraud_specialist, desk=Desk.FRAUD)
    phone = factories.SightingFactory(case=case, indicator=factories.IndicatorFactory(value="+8617055501234"))
    payee = factories.SightingFactory(
        case=case, indicator=factories.IndicatorFactory(kind=Indicator.Kind.PAYEE, value="6222021234567890128")
    )
    link = factories.SightingFactory(
        case=case, indicator=factories.IndicatorFactory(kind=Indicator.Kind.URL, value="http://taobao-refund.top/pay")
    )
    client.force_login(fraud_specialist)
    for typed, indicator in [
        ("170 5550 1234", phone.indicator),
        ("6222 0212 3456 7890 128", payee.indicator),
        ("HTTP://Taobao-Refund.top/pay/", link.indicator),
    ]:
        page = shown(_search(client, typed), reverse("fraud:indicator", args=[indicator.pk]))
        assert "线索" in page, typed


def test_a_shop_is_found_by_its_id_or_a_part_of_its_name_with_its_24h_line(client, specialist, shop_a):
    client.force_login(specialist)
    for typed in ("shop-a", "青禾农资"):
        shown(_search(client, typed), shop_a.name, shop_a.emergency_phone, shop_a.emergency_contact_name)


def test_nothing_found_says_so(client, specialist):
    client.force_login(specialist)
    shown(_search(client, "没有这样的东西"), "在您的工作台上没有找到")


def test_the_empty_search_page_asks_what_to_look_for(client, specialist):
    client.force_login(specialist)
    page = shown(client.get(URL), 'data-testid="search-form"')
    assert 'value="casework" selected' in page
    assert AccessLog.objects.count() == 0


# --- the desks' scope -------------------------------------------------------------------------


def test_a_specialist_never_sees_another_desks_case_by_its_reference(client, specialist, fraud_specialist):
    fraud_case = factories.CaseFactory(owner=fraud_specialist, desk=Desk.FRAUD, title="疑似刷单返利诈骗")
    client.force_login(specialist)
    page = shown(_search(client, fraud_case.reference, purpose=None), "在您的工作台上没有找到")
    assert "疑似刷单返利诈骗" not in page
    # Asked with the wrong desk's prefix, the id is not enough either.
    page = shown(_search(client, f"LP-{fraud_case.pk}", purpose=None), "在您的工作台上没有找到")
    assert "疑似刷单返利诈骗" not in page


def test_a_persons_cases_on_another_desk_stay_out(client, specialist, fraud_specialist, her_case):
    factories.CaseFactory(owner=fraud_specialist, desk=Desk.FRAUD, buyer=her_case.buyer, title="冒充客服要求退款")
    factories.AlertFactory(desk=Desk.FRAUD, buyer=her_case.buyer, summary="反诈工作台的预警")
    factories.AlertFactory(desk=Desk.LIFE, buyer=her_case.buyer, summary="本工作台的预警")
    client.force_login(specialist)
    page = shown(_search(client, "tb_xiaoyu_mama"), her_case.reference, "本工作台的预警")
    assert "冒充客服要求退款" not in page
    assert "反诈工作台的预警" not in page


def test_titles_and_alerts_of_another_desk_stay_out(client, specialist, fraud_specialist):
    factories.CaseFactory(owner=fraud_specialist, desk=Desk.FRAUD, title="游戏账号交易诈骗")
    alert = factories.AlertFactory(desk=Desk.FRAUD)
    client.force_login(specialist)
    shown(_search(client, "游戏账号"), "在您的工作台上没有找到")
    shown(_search(client, f"#{alert.pk}", purpose=None), "在您的工作台上没有找到")


def test_an_indicator_seen_only_on_the_other_desk_stays_out(client, specialist, fraud_specialist):
    case = factories.CaseFactory(owner=fraud_specialist, desk=Desk.FRAUD)
    factories.SightingFactory(case=case, indicator=factories.IndicatorFactory(value="+8617055509999"))
    client.force_login(specialist)
    shown(_search(client, "17055509999"), "在您的工作台上没有找到")


def test_a_supervisor_of_both_desks_finds_both(client, supervisor, specialist, fraud_specialist, her_case):
    fraud_case = factories.CaseFactory(owner=fraud_specialist, desk=Desk.FRAUD, buyer=her_case.buyer)
    client.force_login(supervisor)
    shown(_search(client, PHONE), her_case.reference, fraud_case.reference)


def test_the_search_is_for_desk_staff_only(client, merchant_a, liaison, outsider, her_case):
    for person in (merchant_a, liaison, outsider):
        client.force_login(person)
        assert _search(client, PHONE).status_code == 404
    assert AccessLog.objects.filter(action=AccessLog.Action.SEARCH).count() == 0


def test_the_header_has_the_search_box_for_desk_staff_only(client, specialist, merchant_a):
    client.force_login(specialist)
    assert 'data-testid="search-box"' in client.get(reverse("interventions:queue")).text
    client.force_login(merchant_a)
    assert 'data-testid="search-box"' not in client.get(reverse("orders:merchant_home")).text


# --- the access log ---------------------------------------------------------------------------


def test_a_phone_search_writes_who_was_found_and_why_never_the_number(client, specialist, her_case):
    client.force_login(specialist)
    _search(client, "+86 138 0013 8000", purpose="contact")
    entry = AccessLog.objects.get(action=AccessLog.Action.SEARCH)
    assert (entry.user, entry.purpose) == (specialist, AccessLog.Purpose.CONTACT)
    assert (entry.object_type, entry.object_id) == ("orders.buyer", str(her_case.buyer_id))
    assert entry.object_label == "tb_xiaoyu_mama (search: phone)"
    assert entry.address == "127.0.0.1"
    assert not AccessLog.objects.filter(object_label__contains="8000").exists()


def test_every_person_shown_is_written_once_each(client, specialist, her_case, shop_a):
    other = factories.BuyerFactory(account_ref="tb_second_account", phone=PHONE)
    client.force_login(specialist)
    _search(client, PHONE, purpose="police")
    labels = set(AccessLog.objects.filter(action="search", purpose="police").values_list("object_label", flat=True))
    assert labels == {"tb_xiaoyu_mama (search: phone)", f"{other.account_ref} (search: phone)"}


def test_an_order_search_writes_the_orders_buyer(client, specialist, shop_a):
    order = factories.OrderFactory(external_ref="TB202611230003", product=factories.ProductFactory(merchant=shop_a))
    client.force_login(specialist)
    _search(client, order.external_ref, purpose="review")
    entry = AccessLog.objects.get(action=AccessLog.Action.SEARCH)
    assert (entry.object_id, entry.purpose) == (str(order.buyer_id), "review")
    assert entry.object_label == f"{order.buyer.account_ref} (search: order)"


def test_a_person_search_that_finds_no_one_is_written_too(client, specialist):
    client.force_login(specialist)
    _search(client, "13912345678", purpose="contact")
    entry = AccessLog.objects.get(action=AccessLog.Action.SEARCH)
    assert (entry.object_type, entry.object_id, entry.purpose) == ("search", "", "contact")
    assert entry.object_label == "search: account, order, phone; nobody found"


def test_a_case_reference_search_is_not_a_person_search(client, specialist, her_case):
    client.force_login(specialist)
    client.get(URL, {"q": her_case.reference}, follow=True)
    assert not AccessLog.objects.filter(action=AccessLog.Action.SEARCH).exists()
    assert AccessLog.objects.filter(action=AccessLog.Action.VIEW, object_id=str(her_case.pk)).exists()


# --- refused without a purpose ----------------------------------------------------------------


@pytest.mark.parametrize("purpose", [None, "", "emergency", "nonsense"])
def test_a_person_search_without_a_purpose_is_refused_with_the_form_again(client, specialist, her_case, purpose):
    client.force_login(specialist)
    response = _search(client, "+86 138 0013 8000", purpose=purpose)
    assert response.status_code == 400
    page = response.text
    assert "请选择查找此人的用途" in page
    assert 'value="+86 138 0013 8000"' in page  # the form again, holding what was typed
    assert 'data-testid="found-people"' not in page
    assert "tb_xiaoyu_mama" not in page
    assert not AccessLog.objects.exists()


# --- what it costs ----------------------------------------------------------------------------


def test_the_results_page_runs_the_same_queries_whatever_it_finds(
    client, specialist, mother, shop_a, django_assert_num_queries
):
    """Cases by title and by a word of their notes, people by phone and nickname, their cases and
    alerts, an order, a shop: one query each, however many rows."""

    numbers = itertools.count()

    def add(n: int) -> None:
        for number in itertools.islice(numbers, n):
            buyer = factories.BuyerFactory(nickname=f"小雨{number}", phone=PHONE)
            case = factories.CaseFactory(owner=specialist, desk=Desk.LIFE, buyer=buyer, title="小雨留言说要跳楼")
            factories.CaseEventFactory(case=case, payload={"text": "小雨的外婆来过电话"})
            factories.AlertFactory(desk=Desk.LIFE, buyer=buyer)
            factories.MerchantFactory(name=f"小雨商店{number}")

    add(2)
    client.force_login(specialist)
    client.get(URL, {"q": "小雨", "purpose": "casework"})
    with django_assert_num_queries(QUERIES):
        shown(client.get(URL, {"q": "小雨", "purpose": "casework"}), "小雨留言说要跳楼", "小雨商店1")
    add(6)
    with django_assert_num_queries(QUERIES):
        page = shown(client.get(URL, {"q": "小雨", "purpose": "casework"}), "小雨商店7")
    assert page.count("小雨留言说要跳楼") == 16  # each case under Cases, and under its person
    # A phone number is not looked for in titles, notes and nicknames: three queries fewer.
    with django_assert_num_queries(QUERIES - 3):
        shown(client.get(URL, {"q": PHONE, "purpose": "casework"}), "小雨7")
    # An order, its shop and its buyer, who lives in a district (the masked address names the
    # district, its city and province): the same queries.
    province = factories.RegionFactory(code="510000", name="四川省", level=1)
    city = factories.RegionFactory(code="510100", name="成都市", parent=province)
    district = factories.RegionFactory(code="510104", name="锦江区", level=3, parent=city)
    buyer = factories.BuyerFactory(region=district)
    factories.OrderFactory(external_ref="TB-QUERIES-1", buyer=buyer, product=factories.ProductFactory(merchant=shop_a))
    with django_assert_num_queries(QUERIES):
        shown(client.get(URL, {"q": "TB-QUERIES-1", "purpose": "casework"}), "四川省 成都市 锦江区", shop_a.name)


# The session and its user (2), the user's permissions and their groups' (2), the user's desks
# (1), cases by title (1) and by a word of their notes (1), people by account or phone (1), people
# by nickname (1), the order (1), indicators (1), shops (1), the people's cases (1) and alerts (1),
# the access log's one INSERT (1), the unread count of the top bar (1), and the count of my open
# cases beside "Cases" in the navigation (1: on the desks the page has read already).
QUERIES = 17


def test_the_results_page_shows_no_english_in_chinese(client, specialist, her_case, shop_a):
    factories.AlertFactory(desk=Desk.LIFE, buyer=her_case.buyer, summary="明确意图")
    client.force_login(specialist)
    page = shown(_search(client, "小雨"), her_case.reference)
    assert english_words(page.replace("tb_xiaoyu_mama", "")) == set()  # the account is data
    page = shown(_search(client, "青禾"), shop_a.name)
    assert english_words(page.replace(shop_a.external_ref, "")) == set()


# --- the word index on PostgreSQL -------------------------------------------------------------


def test_the_database_counts_chinese_characters_as_words_for_its_trigrams():
    """Under a plain "C" character type pg_trgm would take every Chinese character for a space
    and index nothing of a title (docs/deploy.md): the database must have a UTF-8 one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT array_length(show_trgm('木炭'), 1), current_setting('lc_ctype')")
        trigrams, ctype = cursor.fetchone()
    assert trigrams == 3, ctype  # "  木", " 木炭", "木炭 "


@pytest.mark.parametrize(
    ("model", "field", "word", "index"),
    [(Case, "title", "木炭", "case_title_words_idx"), (Buyer, "nickname", "小雨", "buyer_nickname_words_idx")],
)
def test_a_two_character_word_can_be_looked_for_through_the_word_index(model, field, word, index):
    """The condition the search writes can be answered from the word index. With sequential reads
    and plain index scans off, the one way left to PostgreSQL is a bitmap scan of an index that
    answers the condition: the word index, or none (a sequential read at any cost). Whether it
    chooses the index when others are allowed depends on the rows: the bench measures that."""
    from config.db import text_contains

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = model.objects.filter(text_contains(field, word)).explain()
    assert f"Bitmap Index Scan on {index}" in plan, plan


@pytest.mark.parametrize(
    ("title", "word", "found"),
    [
        ("买了木炭", "木炭", True),
        ("木头和炭火", "木炭", False),
        ("哈哈哈", "哈哈", True),
        ("哈", "哈哈", False),
        ("木木炭炭", "木炭", True),
        ("木木炭", "木炭", True),
        ("木·炭", "木炭", False),
        ("100%确认", "0%确", True),  # LIKE's wildcards in the word are plain characters
        ("a_b", "a_", True),
        ("axb", "a_", False),
    ],
)
def test_a_doubled_word_matches_exactly_where_the_word_is(specialist, title, word, found):
    from config.db import text_contains

    case = factories.CaseFactory(owner=specialist, title=title)
    assert Case.objects.filter(text_contains("title", word), pk=case.pk).exists() is found


def test_alerts_in_a_case_are_reached_through_the_case(specialist, her_case):
    factories.AlertFactory(desk=Desk.LIFE, buyer=her_case.buyer, case=her_case, status=Alert.Status.PROMOTED)
    results = search_results(search_query(PHONE), desks=[Desk.LIFE])
    (person,) = results.people
    assert person.cases == [her_case]
    assert person.alerts == []
    assert results.only_place() == reverse("interventions:case", args=[her_case.pk])


def test_a_manager_who_works_no_desk_finds_no_case_and_no_one_by_nickname(client, manager, her_case, shop_a):
    factories.OrderFactory(
        external_ref="TB-MANAGER-1", buyer=her_case.buyer, product=factories.ProductFactory(merchant=shop_a)
    )
    client.force_login(manager)
    page = shown(_search(client, "小雨"), "在您的工作台上没有找到")
    assert her_case.reference not in page
    # An order is no desk's: it shows, its person without their cases.
    page = shown(_search(client, "TB-MANAGER-1"), "TB-MANAGER-1", "您的工作台上没有关于此人的个案或预警")
    assert her_case.reference not in page
