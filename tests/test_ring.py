"""Linking (信息挂接): a ring of cases sharing payees and phones is found from any one of them."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import AccessLog
from fraud.models import Indicator
from fraud.services import indicator_sight
from interventions import fraud_urls
from interventions.models import Case, CaseEvent, PoliceReferral
from interventions.selectors.rings import ring_for_case
from interventions.services import alert_merge
from interventions.services.rings import RingConflict, ring_merge, ring_refer
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
    page = client.get(reverse("fraud:ring", args=[ring[0].pk])).text
    for case in ring:
        assert case.reference in page
    assert "alipay:seller_a" in page
    assert "+8617055501003" in page


# --- merging a ring into one ring case ----------------------------------------------------------


def test_merging_a_ring_opens_one_ring_case_that_every_member_points_at(ring, fraud_specialist):
    ring_case = ring_merge(cases=ring, by=fraud_specialist, reason="同一收款账户", title="游戏币团伙")
    assert ring_case.title == "游戏币团伙"
    assert set(ring_case.ring_members.values_list("pk", flat=True)) == {case.pk for case in ring}
    member = ring[0]
    member.refresh_from_db()
    record = member.history.latest()
    (merged,) = [
        e for e in member.events.filter(kind=CaseEvent.Kind.RING_MERGED) if e.payload["ring_case_id"] == ring_case.pk
    ]
    assert (record.ring_id, record.history_user, record.history_change_reason) == (
        ring_case.pk,
        fraud_specialist,
        merged.as_change_reason,
    )
    assert merged.words == "同一收款账户"
    gathered = ring_case.events.get(kind=CaseEvent.Kind.RING_GATHERED)
    assert sorted(gathered.payload["case_ids"]) == sorted(case.pk for case in ring)


def test_merging_again_adds_only_the_newcomers_to_the_same_ring_case(ring, fraud_specialist):
    ring_case = ring_merge(cases=ring[:3], by=fraud_specialist, reason="第一批", title="团伙")
    again = ring_merge(cases=ring, by=fraud_specialist, reason="第二批", title="ignored")
    assert again.pk == ring_case.pk
    assert Case.objects.filter(ring=ring_case).count() == 5
    second = ring_case.events.filter(kind=CaseEvent.Kind.RING_GATHERED).latest("id")
    assert sorted(second.payload["case_ids"]) == sorted(case.pk for case in ring[3:])


def test_cases_in_two_ring_cases_are_not_merged(ring, fraud_specialist):
    ring_merge(cases=ring[:2], by=fraud_specialist, reason="甲", title="甲")
    ring_merge(cases=ring[2:4], by=fraud_specialist, reason="乙", title="乙")
    with pytest.raises(RingConflict):
        ring_merge(cases=[ring[0], ring[2]], by=fraud_specialist, reason="丙", title="丙")


def test_a_merge_needs_a_reason(ring, fraud_specialist):
    with translation.override("en"), pytest.raises(ValueError, match="Say why"):
        ring_merge(cases=ring, by=fraud_specialist, reason=" ", title="团伙")
    assert not Case.objects.filter(ring__isnull=False).exists()


def test_the_ring_case_and_a_member_see_the_whole_ring(ring, fraud_specialist):
    loner = factories.CaseFactory(desk="fraud", owner=fraud_specialist)
    ring_case = ring_merge(cases=[ring[0], loner], by=fraud_specialist, reason="电话核实同一人", title="团伙")
    expected = {case.pk for case in ring} | {loner.pk, ring_case.pk}
    assert set(ring_for_case(ring_case).cases) == expected
    loner.refresh_from_db()
    assert set(ring_for_case(loner).cases) == expected


def test_merging_from_the_ring_page_lands_on_the_ring_case(client, ring, fraud_specialist):
    client.force_login(fraud_specialist)
    response = client.post(
        reverse("fraud:ring_act", args=[ring[0].pk, "merge"]),
        {"cases": [case.pk for case in ring], "title": "团伙", "reason": "同一收款账户"},
    )
    ring_case = Case.objects.get(title="团伙")
    assert response.url == reverse("interventions:case", args=[ring_case.pk])
    page = client.get(response.url).text
    assert all(case.reference in page for case in ring)


def test_a_case_outside_the_ring_cannot_be_merged_through_the_page(client, ring, fraud_specialist):
    stranger = factories.CaseFactory(desk="fraud")
    client.force_login(fraud_specialist)
    client.post(
        reverse("fraud:ring_act", args=[ring[0].pk, "merge"]),
        {"cases": [ring[0].pk, stranger.pk], "title": "团伙", "reason": "x"},
    )
    assert not Case.objects.filter(ring__isnull=False).exists()


# --- bulk actions: blocklist, refer as one, export ----------------------------------------------


def test_the_chosen_indicators_of_a_ring_are_blocklisted_at_once(client, ring, fraud_specialist):
    chosen = Indicator.objects.filter(kind="payee")
    client.force_login(fraud_specialist)
    client.post(
        reverse("fraud:ring_act", args=[ring[0].pk, "block"]),
        {"indicators": [i.pk for i in chosen], "reason": "反诈中心确认"},
    )
    assert set(Indicator.objects.filter(blocked_at__isnull=False).values_list("value", flat=True)) == {
        "alipay:seller_a",
        "alipay:seller_b",
    }
    event = ring[0].events.get(kind=CaseEvent.Kind.INDICATORS_BLOCKED)
    assert sorted(event.payload["values"]) == ["alipay:seller_a", "alipay:seller_b"]


def test_an_indicator_outside_the_ring_is_not_blocklisted_through_it(client, ring, fraud_specialist):
    elsewhere = Indicator.objects.create(kind="payee", value="alipay:innocent")
    client.force_login(fraud_specialist)
    client.post(reverse("fraud:ring_act", args=[ring[0].pk, "block"]), {"indicators": [elsewhere.pk], "reason": "x"})
    assert not Indicator.objects.filter(blocked_at__isnull=False).exists()


def test_a_ring_is_referred_as_one_referral_that_covers_every_case(client, ring, fraud_specialist, liaison):
    centre = liaison.police_liaison.unit
    client.force_login(fraud_specialist)
    client.post(
        reverse("fraud:ring_act", args=[ring[2].pk, "refer"]),
        {"unit": centre.pk, "what_reported": "团伙 5 起", "reference_no": "FZ-1"},
    )
    referral = PoliceReferral.objects.get()
    assert referral.case == ring[2]
    assert set(referral.covers.values_list("pk", flat=True)) == {case.pk for case in ring} - {ring[2].pk}
    for case in ring:
        if case != ring[2]:
            assert any(
                e.payload.get("referral_id") == referral.pk
                for e in case.events.filter(kind=CaseEvent.Kind.RING_REFERRED)
            )
    client.force_login(liaison)
    covers = re.search(r'data-testid="ring-covers">(.*?)</div>', client.get(reverse("interventions:liaison_home")).text)
    assert all(case.reference in covers.group(1) for case in ring if case != ring[2])


def test_a_merged_ring_is_referred_on_its_ring_case(client, ring, fraud_specialist):
    ring_case = ring_merge(cases=ring, by=fraud_specialist, reason="同一团伙", title="团伙")
    centre = factories.PoliceUnitFactory(kind="anti_fraud_centre")
    client.force_login(fraud_specialist)
    client.post(reverse("fraud:ring_act", args=[ring[0].pk, "refer"]), {"unit": centre.pk, "what_reported": "团伙"})
    assert PoliceReferral.objects.get().case == ring_case


def test_a_ring_is_not_referred_to_a_local_police_station(ring, fraud_specialist):
    station = factories.PoliceUnitFactory(kind="police")
    with translation.override("en"), pytest.raises(ValueError, match="anti-fraud centre"):
        ring_refer(ring=ring_for_case(ring[0]), case=ring[0], unit=station, by=fraud_specialist, what_reported="x")
    assert not PoliceReferral.objects.exists()


def test_the_ring_evidence_exports_as_json_and_csv_and_each_export_is_recorded(
    client, ring, fraud_specialist, reauthenticated
):
    client.force_login(fraud_specialist)
    reauthenticated(client)
    response = client.post(reverse("fraud:ring_export", args=[ring[0].pk, "json"]), {"purpose": "police"})
    assert response["Content-Disposition"].startswith("attachment;")
    evidence = json.loads(response.content)
    assert {case["reference"] for case in evidence["cases"]} == {case.reference for case in ring}
    payee = next(i for i in evidence["indicators"] if i["value"] == "alipay:seller_a")
    assert sorted(payee["cases"]) == sorted(ring[n].reference for n in (0, 1, 2))

    response = client.post(reverse("fraud:ring_export", args=[ring[0].pk, "csv"]), {"purpose": "review"})
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][0].lstrip("\ufeff") == "indicator_kind"
    assert ["payee", "alipay:seller_b", "no", ring[4].reference] in [row[:4] for row in rows]
    exports = ring[0].events.filter(kind=CaseEvent.Kind.RING_EXPORTED)
    assert sorted(event.payload["format"] for event in exports) == ["csv", "json"]
    assert exports.first().actor == fraud_specialist
    logged = AccessLog.objects.filter(action=AccessLog.Action.EXPORT, object_id=str(ring[0].pk)).order_by("id")
    assert [(entry.user, entry.purpose) for entry in logged] == [
        (fraud_specialist, "police"),
        (fraud_specialist, "review"),
    ]


def test_the_ring_evidence_is_not_exported_without_a_purpose(client, ring, fraud_specialist, reauthenticated):
    client.force_login(fraud_specialist)
    reauthenticated(client)  # so that only the purpose stands between the specialist and the file
    response = client.post(reverse("fraud:ring_export", args=[ring[0].pk, "csv"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("fraud:ring", args=[ring[0].pk])
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()
    assert not ring[0].events.filter(kind=CaseEvent.Kind.RING_EXPORTED).exists()


def test_the_ring_page_carries_the_drawing_data(client, ring, fraud_specialist):
    client.force_login(fraud_specialist)
    response = client.get(reverse("fraud:ring", args=[ring[0].pk]))
    graph = json.loads(re.search(r'id="ring-graph-data"[^>]*>(.*?)</script>', response.text, re.S).group(1))
    case_nodes = {node["label"] for node in graph["nodes"] if node["kind"] == "case"}
    assert case_nodes == {case.reference for case in ring}
    # every indicator of this ring is shared by two cases, so all five are drawn
    assert len([node for node in graph["nodes"] if node["kind"] != "case"]) == 5
    assert len(graph["edges"]) == sum(len(members) for values in SHARED.values() for members in values.values())


# --- who may see and do what ---------------------------------------------------------------------


def _fraud_urls(case, indicator) -> list[tuple[str, str]]:
    return [
        ("get", reverse("fraud:ring", args=[case.pk])),
        ("post", reverse("fraud:ring_export", args=[case.pk, "csv"])),
        ("post", reverse("fraud:ring_act", args=[case.pk, "merge"])),
        ("post", reverse("fraud:case_indicator_add", args=[case.pk])),
        ("get", reverse("fraud:indicator", args=[indicator.pk])),
        ("post", reverse("fraud:indicator_act", args=[indicator.pk, "block"])),
    ]


def test_every_fraud_url_is_checked_here():
    assert {p.name for p in fraud_urls.urlpatterns} == {
        "ring",
        "ring_export",
        "ring_act",
        "case_indicator_add",
        "indicator",
        "indicator_act",
    }


@pytest.mark.parametrize("persona", ["merchant_a", "liaison", "outsider"])
def test_fraud_pages_are_404_outside_the_desks(client, personas, ring, persona):
    indicator = Indicator.objects.first()
    client.force_login(personas[persona])
    for method, url in _fraud_urls(ring[0], indicator):
        assert getattr(client, method)(url, {"reason": "x", "kind": "phone", "value": "1"}).status_code == 404, url
    assert not CaseEvent.objects.exists()
    assert not Indicator.objects.filter(blocked_at__isnull=False).exists()


def test_a_life_desk_specialist_cannot_open_a_fraud_ring_or_blocklist(client, ring, specialist):
    client.force_login(specialist)
    assert client.get(reverse("fraud:ring", args=[ring[0].pk])).status_code == 404
    indicator = Indicator.objects.first()
    response = client.post(reverse("fraud:indicator_act", args=[indicator.pk, "block"]), {"reason": "x"})
    assert response.status_code == 404


def test_a_life_desk_specialist_cannot_read_a_fraud_desk_phone_by_its_id(client, ring, specialist):
    phone = Indicator.objects.get(kind="phone", value="+8617055501001")
    client.force_login(specialist)
    response = client.get(reverse("fraud:indicator", args=[phone.pk]))
    assert response.status_code == 404
    assert "17055501001" not in response.text
    assert not AccessLog.objects.exists()


def test_an_indicator_seen_on_the_life_desk_opens_there_with_only_that_desks_cases(client, ring, specialist):
    life_case = factories.CaseFactory(desk="life", owner=specialist)
    indicator_sight(kind="phone", raw="17055501001", case=life_case)
    phone = Indicator.objects.get(kind="phone", value="+8617055501001")
    client.force_login(specialist)
    page = client.get(reverse("fraud:indicator", args=[phone.pk])).text
    assert reverse("interventions:case", args=[life_case.pk]) in page
    assert reverse("interventions:case", args=[ring[0].pk]) not in page


def test_opening_an_indicator_is_in_the_access_log_with_its_purpose(client, ring, fraud_specialist):
    phone = Indicator.objects.get(kind="phone", value="+8617055501001")
    client.force_login(fraud_specialist)
    client.get(reverse("fraud:indicator", args=[phone.pk]), REMOTE_ADDR="10.8.0.5")
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.purpose) == (fraud_specialist, "view", "casework")
    assert (entry.object_type, entry.object_id, entry.address) == ("fraud.indicator", str(phone.pk), "10.8.0.5")
    assert "17055501001" not in entry.object_label  # the log does not become a list of phones


def test_only_a_supervisor_takes_an_indicator_off_the_blocklist(client, ring, fraud_specialist, supervisor):
    indicator = Indicator.objects.get(value="alipay:seller_a")
    client.force_login(fraud_specialist)
    client.post(reverse("fraud:indicator_act", args=[indicator.pk, "block"]), {"reason": "确认诈骗"})
    indicator.refresh_from_db()
    assert indicator.is_blocked
    assert (
        client.post(reverse("fraud:indicator_act", args=[indicator.pk, "unblock"]), {"reason": "误报"}).status_code
        == 404
    )
    client.force_login(supervisor)
    client.post(reverse("fraud:indicator_act", args=[indicator.pk, "unblock"]), {"reason": "误报"})
    indicator.refresh_from_db()
    assert not indicator.is_blocked
    assert indicator.history.latest().history_change_reason == "误报"


def test_the_indicator_page_links_every_case_it_was_seen_in(client, ring, fraud_specialist):
    indicator = Indicator.objects.get(value="alipay:seller_a")
    client.force_login(fraud_specialist)
    page = client.get(reverse("fraud:indicator", args=[indicator.pk])).text
    for n in (0, 1, 2):
        assert reverse("interventions:case", args=[ring[n].pk]) in page
    assert reverse("interventions:case", args=[ring[3].pk]) not in page


def test_a_specialist_adds_an_indicator_by_hand_and_it_links_the_case(client, ring, fraud_specialist):
    newcomer = factories.CaseFactory(desk="fraud", owner=fraud_specialist)
    client.force_login(fraud_specialist)
    client.post(reverse("fraud:case_indicator_add", args=[newcomer.pk]), {"kind": "payee", "value": "ALIPAY:Seller_A "})
    assert any(
        e.payload.get("value") == "alipay:seller_a" for e in newcomer.events.filter(kind=CaseEvent.Kind.INDICATOR_ADDED)
    )
    assert newcomer.pk in ring_for_case(ring[0]).cases
    page = client.get(reverse("interventions:case", args=[newcomer.pk])).text
    assert "alipay:seller_a" in page


def test_the_ring_brings_each_case_s_owner_and_person(ring, django_assert_num_queries):
    """The page shows every case's owner: read with the ring, not one query per case."""
    found = ring_for_case(ring[0])
    with django_assert_num_queries(0):
        assert {str(case.owner) for case in found.cases.values()} == {str(ring[0].owner)}
        assert {case.buyer.pk for case in found.cases.values()} == {case.buyer_id for case in ring}
