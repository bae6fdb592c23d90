"""Linking (信息挂接): a ring of cases sharing payees and phones is found from any one of them."""

import pytest
from django.urls import reverse

from fraud.selectors import ring_for_case
from fraud.services import indicator_sight
from interventions.services import alert_merge
from tests import factories

# Five cases; two payees and three phones shared among them, so that every case reaches every
# other within two case-to-case hops.
SHARED = {
    "payee": {"alipay:seller_a": [0, 1, 2], "alipay:seller_b": [2, 3, 4]},
    "phone": {"17055501001": [0, 4], "17055501002": [1, 3], "17055501003": [2, 3]},
}


@pytest.fixture
def ring(fraud_specialist):
    cases = [factories.CaseFactory(desk="fraud", owner=fraud_specialist, title=f"诈骗 {n}") for n in range(5)]
    for kind, values in SHARED.items():
        for value, members in values.items():
            for member in members:
                indicator_sight(kind=kind, raw=value, case=cases[member])
    return cases


@pytest.mark.parametrize("start", range(5))
def test_a_ring_of_five_cases_is_found_from_any_one_of_them(ring, start):
    found = ring_for_case(ring[start])
    assert set(found.cases) == {case.pk for case in ring}
    assert found.counts() == {"payee": 2, "phone": 3}


def test_an_unrelated_case_is_not_in_the_ring(ring):
    stranger = factories.CaseFactory(desk="fraud")
    indicator_sight(kind="payee", raw="alipay:someone_else", case=stranger)
    assert stranger.pk not in ring_for_case(ring[0]).cases


def test_indicators_of_an_alert_merged_into_a_case_link_it(ring, fraud_specialist):
    alert = factories.AlertFactory(desk="fraud")
    indicator_sight(kind="payee", raw="alipay:seller_b", alert=alert)
    newcomer = factories.CaseFactory(desk="fraud", owner=fraud_specialist)
    alert_merge(alert=alert, case=newcomer, by=fraud_specialist)
    assert newcomer.pk in ring_for_case(ring[0]).cases


def test_one_hop_stops_at_the_direct_neighbours(ring):
    assert set(ring_for_case(ring[0], hops=1).cases) == {ring[0].pk, ring[1].pk, ring[2].pk, ring[4].pk}


def test_the_ring_page_lists_cases_and_shared_indicators(client, ring, fraud_specialist):
    client.force_login(fraud_specialist)
    page = client.get(reverse("interventions:case_ring", args=[ring[0].pk])).text
    for case in ring:
        assert case.reference in page
    assert "alipay:seller_a" in page
    assert "+8617055501003" in page
