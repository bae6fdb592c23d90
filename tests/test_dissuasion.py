"""Dissuasion (劝阻): scripts per kind of scam, a record on the case, and the totals for managers."""

from decimal import Decimal

import pytest
from django.urls import reverse

from fraud.models import DissuasionScript
from interventions.models import CaseEvent
from interventions.services import dissuasion_record
from tests import factories


def test_the_default_scripts_are_there(db):
    assert set(DissuasionScript.objects.values_list("scam_type", flat=True)) >= {
        "game_currency",
        "refund",
        "safe_account",
        "brushing",
    }


def test_a_dissuasion_is_recorded_and_counted_in_the_figures(client, fraud_specialist, manager):
    case = factories.CaseFactory(desk="fraud", owner=fraud_specialist)
    client.force_login(fraud_specialist)
    page = client.get(reverse("interventions:case", args=[case.pk])).text
    assert "低价卖游戏币" in page
    client.post(
        reverse("interventions:case_act", args=[case.pk, "dissuade"]),
        {"scam_type": "game_currency", "reached": "on", "convinced": "on", "amount_protected": "13000"},
    )
    assert case.events.filter(kind=CaseEvent.Kind.DISSUADED).exists()
    client.force_login(manager)
    summary = client.get(reverse("interventions:summary"))
    assert summary.context["summary"]["fraud"]["convinced"] == 1
    assert summary.context["summary"]["fraud"]["protected"] == Decimal("13000.00")


def test_someone_not_reached_cannot_have_been_convinced(db, fraud_specialist):
    case = factories.CaseFactory(desk="fraud", owner=fraud_specialist)
    with pytest.raises(ValueError, match="没有联系上"):
        dissuasion_record(
            case=case,
            by=fraud_specialist,
            scam_type="refund",
            reached=False,
            convinced=True,
            amount_protected=Decimal(0),
        )
