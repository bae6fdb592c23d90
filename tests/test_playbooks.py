"""Playbooks: short step lists, attached to a case as a checklist whose ticks are timeline events."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from interventions.models import CaseEvent, Playbook
from interventions.services import case_attach_playbook, checklist_tick
from tests import factories


def test_the_default_playbooks_are_there_after_migrate(db):
    names = set(Playbook.objects.values_list("name", flat=True))
    assert {"自伤风险 · 已下单方法", "未成年人风险", "诈骗 · 已付款"} <= names


def test_a_playbook_table_managers_emptied_is_refilled_but_one_they_shaped_is_kept(db):
    Playbook.objects.exclude(name="未成年人风险").delete()
    call_command("migrate", verbosity=0)
    assert Playbook.objects.count() == 1


def test_ticking_a_step_is_a_timeline_event_once(client, specialist):
    case = factories.CaseFactory(owner=specialist)
    playbook = Playbook.objects.get(name="自伤风险 · 已下单方法")
    client.force_login(specialist)
    client.post(reverse("interventions:case_act", args=[case.pk, "playbook"]), {"playbook": playbook.pk})
    client.post(reverse("interventions:case_act", args=[case.pk, "tick"]), {"step": 2})
    client.post(reverse("interventions:case_act", args=[case.pk, "tick"]), {"step": 2})
    assert case.events.filter(kind=CaseEvent.Kind.STEP_DONE).count() == 1
    assert case.events.get(kind=CaseEvent.Kind.STEP_DONE).payload == {"step": 3, "text": "请商家暂停发货(拦截订单)"}
    page = client.get(reverse("interventions:case", args=[case.pk])).text
    assert "✓" in page


def test_only_a_playbook_of_the_cases_desk_and_a_real_step(db, specialist):
    case = factories.CaseFactory(owner=specialist)
    with pytest.raises(ValueError, match="台席"):
        case_attach_playbook(case=case, by=specialist, playbook=Playbook.objects.get(name="诈骗 · 已付款"))
    case_attach_playbook(case=case, by=specialist, playbook=Playbook.objects.get(name="未成年人风险"))
    with pytest.raises(ValueError, match="没有这一步"):
        checklist_tick(case=case, by=specialist, step=99)
