"""Orders, merchants and indicators: the writes that later issues build on."""

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from fraud.indicators import normalise
from fraud.models import Indicator, Sighting
from fraud.services import indicator_sight
from interventions.selectors.rings import case_indicators
from orders.models import Order
from orders.selectors import merchant_for_user, merchant_recent_orders
from orders.services import merchant_add_staff, order_record
from tests import factories


def test_an_order_sent_again_is_updated_not_duplicated(db, shop_a):
    product = factories.ProductFactory(merchant=shop_a, risk_category="pesticide")
    buyer = factories.BuyerFactory()
    first, created = order_record(external_ref="TB1", buyer=buyer, merchant=shop_a, product=product)
    again, created_again = order_record(
        external_ref="TB1",
        buyer=buyer,
        merchant=shop_a,
        product=product,
        status=Order.Status.SHIPPED,
        carrier="顺丰速运",
        tracking_no="SF1",
    )
    assert (created, created_again, first.pk) == (True, False, again.pk)
    assert Order.objects.get().status == Order.Status.SHIPPED
    assert again.history.count() == 2


def test_an_order_cannot_name_another_shops_product(db, shop_a, shop_b):
    product = factories.ProductFactory(merchant=shop_b)
    with pytest.raises(ValueError, match="另一家商家"):
        order_record(external_ref="TB2", buyer=factories.BuyerFactory(), merchant=shop_a, product=product)


def test_a_login_belongs_to_one_shop_only(db, merchant_a, shop_b):
    with pytest.raises(IntegrityError), transaction.atomic():
        merchant_add_staff(merchant=shop_b, user=merchant_a, by=None)


def test_merchant_b_cannot_see_merchant_a_orders(db, merchant_a, merchant_b, shop_a):
    factories.OrderFactory(product=factories.ProductFactory(merchant=shop_a))
    own_shop = merchant_for_user(merchant_b)
    assert list(merchant_recent_orders(merchant=own_shop)) == []
    assert merchant_recent_orders(merchant=merchant_for_user(merchant_a)).count() == 1


@pytest.mark.parametrize("spelling", ["+86 138 0013 8000", "13800138000", "138-0013-8000", "０086 138 0013 8000"])
def test_phone_spellings_normalise_to_one_e164_number(spelling):
    assert normalise(Indicator.Kind.PHONE, spelling) == "+8613800138000"


@given(st.lists(st.sampled_from([" ", "-", "　"]), min_size=10, max_size=10))
def test_separators_anywhere_in_a_phone_do_not_make_a_new_indicator(separators):
    digits = "13800138000"
    spelled = "".join(d + s for d, s in zip(digits, separators, strict=False)) + digits[10:]
    assert normalise(Indicator.Kind.PHONE, spelled) == "+86" + digits


def test_seeing_an_indicator_twice_in_one_case_is_one_sighting(db, specialist):
    case = factories.CaseFactory()
    indicator_sight(kind=Indicator.Kind.PHONE, raw="138 0013 8000", case=case, by=specialist)
    indicator_sight(kind=Indicator.Kind.PHONE, raw="+8613800138000", case=case, by=specialist)
    assert Indicator.objects.count() == 1
    assert Sighting.objects.count() == 1


def test_a_sighting_is_in_one_alert_or_one_case(db):
    alert, case = factories.AlertFactory(), factories.CaseFactory()
    with pytest.raises(ValueError, match="alert or a case"):
        indicator_sight(kind=Indicator.Kind.PAYEE, raw="6222 0000 0000 0000")
    with pytest.raises(ValueError, match="not both"):
        indicator_sight(kind=Indicator.Kind.PAYEE, raw="6222 0000 0000 0000", alert=alert, case=case)
    for place in ({"case": None, "alert": None}, {"case": case, "alert": alert}):
        with pytest.raises(IntegrityError, match="sighting_has_one_place"), transaction.atomic():
            factories.SightingFactory(**place)


def test_a_case_lists_its_indicators_with_how_many_other_cases_have_them(db):
    shared_payee = "alipay:seller_88"
    cases = factories.CaseFactory.create_batch(3)
    for case in cases:
        indicator_sight(kind=Indicator.Kind.PAYEE, raw=shared_payee, case=case)
    indicator_sight(kind=Indicator.Kind.PHONE, raw="13800138000", case=cases[0])
    rows = {(i.kind, i.value): i.other_case_count for i in case_indicators(case=cases[0])}
    assert rows == {("payee", shared_payee): 2, ("phone", "+8613800138000"): 0}
