"""A supervisor's hand-over of many cases at once (a shift change): the ticked cases, or every open
case of one person, to a colleague of the desk, with one note on each case's timeline; all or
none, and the same hand-over twice hands over nothing the second time."""

import pytest
from django.urls import reverse

from accounts.models import Desk
from accounts.refusals import Invalid, NotYours
from accounts.roles import Role
from accounts.services import user_set_roles
from interventions.models import Case, CaseEvent, CheckIn
from interventions.services import CaseClosed, NotAllowed, case_close, cases_hand_over
from tests import factories

pytestmark = pytest.mark.django_db

HAND_OVER = reverse("interventions:cases_hand_over")
NOTE = "交班:LP 两起今晚要回访,康宁大药房的拦截还没回"


@pytest.fixture
def lis_cases(specialist):
    """Li's open cases, going off shift, and one she closed."""
    open_cases = [factories.CaseFactory(owner=specialist, risk_level=level) for level in (4, 3, 2)]
    closed = factories.CaseFactory(owner=specialist)
    case_close(case=closed, by=specialist, outcome="safe", summary="已确认安全")
    return open_cases, closed


def _handed_over(case: Case) -> list[CaseEvent]:
    return list(case.events.filter(kind=CaseEvent.Kind.HANDED_OVER))


def test_a_supervisor_hands_every_open_case_of_a_specialist_to_a_colleague(
    client, supervisor, specialist, colleague, lis_cases
):
    open_cases, closed = lis_cases
    zhangs_own = factories.CaseFactory(owner=colleague)
    client.force_login(supervisor)
    response = client.post(HAND_OVER, {"of": specialist.pk, "to": colleague.pk, "note": NOTE}, follow=True)
    assert "已将 3 起个案移交给 张伟。" in response.text
    for case in open_cases:
        case.refresh_from_db()
        assert case.owner == colleague
        [event] = _handed_over(case)
        assert (event.actor, event.payload) == (supervisor, {"previous": "李娜", "to": "张伟", "text": NOTE})
        latest = case.history.latest()
        assert (latest.owner, latest.history_user) == (colleague, supervisor)
        assert latest.prev_record.owner == specialist
    closed.refresh_from_db()
    assert closed.owner == specialist
    assert not _handed_over(closed)
    assert not _handed_over(zhangs_own)


def test_the_ticked_cases_only(client, supervisor, specialist, colleague, lis_cases):
    open_cases, _closed = lis_cases
    ticked, left = open_cases[:2], open_cases[2]
    client.force_login(supervisor)
    client.post(HAND_OVER, {"cases": [case.pk for case in ticked], "to": colleague.pk, "note": NOTE})
    assert {case.owner for case in Case.objects.filter(pk__in=[c.pk for c in ticked])} == {colleague}
    left.refresh_from_db()
    assert left.owner == specialist
    assert not _handed_over(left)


def test_the_colleague_then_finds_them_under_my_open_cases(client, supervisor, specialist, colleague, lis_cases):
    open_cases, _closed = lis_cases
    client.force_login(supervisor)
    client.post(HAND_OVER, {"of": specialist.pk, "to": colleague.pk, "note": NOTE})
    client.force_login(colleague)
    listed = client.get(reverse("interventions:cases"), {"view": "mine"}).context["rows"]
    assert [row.case for row in listed] == open_cases  # highest risk first


def test_the_same_hand_over_twice_hands_over_nothing_the_second_time(
    client, supervisor, specialist, colleague, lis_cases
):
    open_cases, _closed = lis_cases
    ids = [case.pk for case in open_cases]
    client.force_login(supervisor)
    client.post(HAND_OVER, {"cases": ids, "to": colleague.pk, "note": NOTE})
    again = client.post(HAND_OVER, {"cases": ids, "to": colleague.pk, "note": NOTE}, follow=True)
    assert "无需移交：这些个案已由 张伟 负责。" in again.text
    assert all(len(_handed_over(case)) == 1 for case in open_cases)
    assert all(case.history.count() == 2 for case in open_cases)  # created, handed over


def test_a_specialist_cannot_hand_over_in_bulk(client, specialist, colleague, lis_cases):
    open_cases, _closed = lis_cases
    client.force_login(specialist)
    response = client.post(HAND_OVER, {"of": specialist.pk, "to": colleague.pk, "note": NOTE})
    assert response.status_code == 404  # as every page a role may not use
    with pytest.raises(NotAllowed):
        cases_hand_over(cases=open_cases, by=specialist, to=colleague, note=NOTE)
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.HANDED_OVER).exists()
    assert {case.owner for case in Case.objects.filter(pk__in=[c.pk for c in open_cases])} == {specialist}


def test_a_specialist_is_not_offered_the_hand_over(client, specialist, supervisor, lis_cases):
    client.force_login(specialist)
    assert 'data-testid="handover-form"' not in client.get(reverse("interventions:cases")).text
    client.force_login(supervisor)
    assert 'data-testid="handover-form"' in client.get(reverse("interventions:cases")).text


def test_a_target_on_another_desk_refuses_the_whole_hand_over(
    client, supervisor, specialist, fraud_specialist, lis_cases
):
    """Chen works anti-fraud only: no life case may go to him, and none of the others go either."""
    open_cases, _closed = lis_cases
    client.force_login(supervisor)
    response = client.post(HAND_OVER, {"of": specialist.pk, "to": fraud_specialist.pk, "note": NOTE}, follow=True)
    assert "陈晓红 不在防自杀工作台。" in response.text
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.HANDED_OVER).exists()
    assert {case.owner for case in Case.objects.filter(pk__in=[c.pk for c in open_cases])} == {specialist}
    with pytest.raises(Invalid):
        cases_hand_over(cases=open_cases, by=supervisor, to=fraud_specialist, note=NOTE)


def test_a_target_off_the_supervisors_desks_is_not_a_choice(client, supervisor, specialist, lis_cases):
    stranger = factories.UserFactory(display_name="外人")
    client.force_login(supervisor)
    client.post(HAND_OVER, {"of": specialist.pk, "to": stranger.pk, "note": NOTE})
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.HANDED_OVER).exists()


def test_a_case_closed_meanwhile_refuses_the_whole_hand_over(supervisor, specialist, colleague, lis_cases):
    open_cases, closed = lis_cases
    with pytest.raises(CaseClosed):
        cases_hand_over(cases=[*open_cases, closed], by=supervisor, to=colleague, note=NOTE)
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.HANDED_OVER).exists()
    assert {case.owner for case in Case.objects.filter(pk__in=[c.pk for c in open_cases])} == {specialist}


def test_a_closed_or_other_desks_case_cannot_be_ticked(client, supervisor, specialist, colleague, lis_cases):
    _open, closed = lis_cases
    client.force_login(supervisor)
    response = client.post(HAND_OVER, {"cases": [closed.pk], "to": colleague.pk, "note": NOTE}, follow=True)
    assert "未保存" in response.text
    closed.refresh_from_db()
    assert closed.owner == specialist


def test_a_supervisor_of_one_desk_cannot_hand_over_the_other_desks_cases(fraud_team, colleague, fraud_specialist):
    life_only = factories.UserFactory(display_name="刘主管")
    user_set_roles(user=life_only, roles=[Role.SUPERVISOR], by=None)
    colleague.teams.first().members.add(life_only)
    fraud_case = factories.CaseFactory(owner=fraud_specialist, desk=Desk.FRAUD)
    with pytest.raises(NotYours):
        cases_hand_over(cases=[fraud_case], by=life_only, to=fraud_specialist, note=NOTE)
    fraud_case.refresh_from_db()
    assert fraud_case.owner == fraud_specialist


@pytest.mark.parametrize(
    "data",
    [
        {"to": "colleague", "note": NOTE},  # neither cases nor whose
        {"of": "specialist", "to": "colleague", "note": ""},  # no note
        {"of": "specialist", "note": NOTE},  # to no one
        {"of": "specialist", "cases": "lis_cases", "to": "colleague", "note": NOTE},  # both
    ],
)
def test_bad_input_hands_over_nothing_and_says_why(client, supervisor, specialist, colleague, lis_cases, data):
    people = {"specialist": specialist.pk, "colleague": colleague.pk, "lis_cases": [c.pk for c in lis_cases[0]]}
    client.force_login(supervisor)
    response = client.post(HAND_OVER, {key: people.get(value, value) for key, value in data.items()}, follow=True)
    assert "未保存" in response.text
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.HANDED_OVER).exists()


def test_the_service_wants_a_note(supervisor, colleague, lis_cases):
    with pytest.raises(Invalid):
        cases_hand_over(cases=lis_cases[0], by=supervisor, to=colleague, note="  ")


def test_it_goes_back_to_the_list_it_came_from(client, supervisor, specialist, colleague, lis_cases):
    client.force_login(supervisor)
    back = "/cases/?view=desk&owner=" + str(specialist.pk)
    response = client.post(HAND_OVER, {"of": specialist.pk, "to": colleague.pk, "note": NOTE, "next": back})
    assert response.url == back
    elsewhere = client.post(
        HAND_OVER, {"of": specialist.pk, "to": colleague.pk, "note": NOTE, "next": "https://evil.example/cases/"}
    )
    assert elsewhere.url == reverse("interventions:cases")


def test_a_person_without_open_cases_has_nothing_to_hand_over(client, supervisor, colleague, specialist):
    client.force_login(supervisor)
    response = client.post(HAND_OVER, {"of": colleague.pk, "to": specialist.pk, "note": NOTE}, follow=True)
    assert "张伟 没有可移交的未结个案。" in response.text
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.HANDED_OVER).exists()


def test_the_check_ins_still_to_come_go_with_the_case(supervisor, specialist, colleague, lis_cases):
    """Li is off shift: the morning check-in she planned, and the one waiting for a reply, are
    Zhang's to make and to be chased for; one Li already made, and one a colleague planned for
    themselves, stay as they are."""
    case = lis_cases[0][0]
    planned = factories.CheckInFactory(case=case)
    waiting = factories.CheckInFactory(case=case, status=CheckIn.Status.SENT)
    made = factories.CheckInFactory(case=case, status=CheckIn.Status.REPLIED)
    someone_elses = factories.CheckInFactory(case=case, owner=supervisor)
    cases_hand_over(cases=[case], by=supervisor, to=colleague, note=NOTE)
    owners = {checkin: CheckIn.objects.get(pk=checkin.pk).owner for checkin in (planned, waiting, made, someone_elses)}
    assert owners == {planned: colleague, waiting: colleague, made: specialist, someone_elses: supervisor}
    assert CheckIn.objects.get(pk=planned.pk).history.latest().history_user == supervisor
    [event] = _handed_over(case)
    assert event.payload["checkins"] == 2
