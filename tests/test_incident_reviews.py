"""Emergency actions reviewed with a note, and blameless reviews (复盘): opened from a flag or a
case, written, concluded, searched; their follow-ups tracked until done."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import AccessLog
from accounts.refusals import Conflict
from interventions.models import CaseEvent, EmergencyAction, IncidentReview, Notification, ReviewAction
from interventions.services import (
    NotAllowed,
    emergency_action_review,
    incident_review_conclude,
    incident_review_open,
    incident_review_write,
    review_action_add,
    review_action_done,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(specialist):
    case = factories.CaseFactory(owner=specialist, risk_level=3)
    return factories.EmergencyActionFactory(case=case, taken_by=specialist)


@pytest.fixture
def review(action, supervisor):
    return incident_review_open(case=action.case, by=supervisor)


def _write(review, by, **words):
    texts = {"title": review.title, "what_happened": "", "went_well": "", "made_it_hard": "", **words}
    return incident_review_write(review=review, by=by, **texts)


def test_flagging_an_emergency_action_opens_one_review_of_its_case(action, supervisor):
    emergency_action_review(action=action, by=supervisor, confirmed=False, note="先打电话再拦截")
    review = IncidentReview.objects.get()
    assert (review.case, review.flagged_action, review.opened_by) == (action.case, action, supervisor)
    assert any(
        e.payload.get("review_id") == review.pk for e in action.case.events.filter(kind=CaseEvent.Kind.REVIEW_OPENED)
    )
    # a second flag of the same action (a double click) reviews nothing twice
    assert incident_review_open(case=action.case, by=supervisor, flagged_action=action) == review


def test_a_confirmed_action_opens_no_review(action, supervisor):
    emergency_action_review(action=action, by=supervisor, confirmed=True, note="处置得当")
    action.refresh_from_db()
    assert (action.review, action.review_note) == (EmergencyAction.Review.CONFIRMED, "处置得当")
    assert not IncidentReview.objects.exists()


def test_flagging_needs_a_note_saying_what_to_look_at(client, action, supervisor):
    client.force_login(supervisor)
    client.post(reverse("interventions:review_act", args=[action.pk]), {"decision": "flag", "note": " "})
    action.refresh_from_db()
    assert action.review == EmergencyAction.Review.PENDING
    assert not IncidentReview.objects.exists()


def test_only_supervisors_and_managers_run_reviews(action, specialist):
    with pytest.raises(NotAllowed):
        incident_review_open(case=action.case, by=specialist)


def test_a_review_is_written_concluded_and_then_kept_as_it_was(review, supervisor):
    with translation.override("en"), pytest.raises(ValueError, match="went well"):
        incident_review_conclude(review=review, by=supervisor)
    _write(review, supervisor, went_well="四分钟内拦截成功", made_it_hard="商家电话无人接听,只能等系统通知")
    review = incident_review_conclude(review=review, by=supervisor)
    assert (review.status, review.concluded_by) == ("concluded", supervisor)
    assert review.case.events.filter(kind=CaseEvent.Kind.REVIEW_CONCLUDED).exists()
    with translation.override("en"), pytest.raises(Conflict, match="concluded"):
        _write(review, supervisor, went_well="改写")
    # every change is in history with who made it
    assert [(h.history_type, h.history_user) for h in review.history.order_by("history_id")] == [
        ("+", supervisor),
        ("~", supervisor),
        ("~", supervisor),
    ]


def test_a_review_has_no_field_for_blame():
    names = {field.name for field in IncidentReview._meta.get_fields()}
    assert not names & {"blame", "at_fault", "culprit", "responsible", "mistake_by"}


def test_a_follow_up_reaches_its_owner_and_is_tracked_until_done(client, review, supervisor, specialist):
    follow_up = review_action_add(
        review=review, by=supervisor, description="剧本加一步:先核实收货地址", owner=specialist
    )
    note = Notification.objects.get(recipient=specialist, channel=Notification.Channel.PORTAL)
    assert note.kind == Notification.Kind.REVIEW_FOLLOW_UP
    assert note.link == reverse("interventions:incident_review", args=[review.pk])

    client.force_login(specialist)
    today = client.get(reverse("interventions:today"))
    assert list(today.context["follow_ups"]) == [follow_up]
    assert "剧本加一步" in today.text
    client.post(reverse("interventions:review_follow_up_done", args=[follow_up.pk]), {"next": "today"})
    follow_up.refresh_from_db()
    assert (follow_up.done_by, follow_up.is_done) == (specialist, True)
    assert list(client.get(reverse("interventions:today")).context["follow_ups"]) == []


def test_only_its_owner_or_a_reviewer_closes_a_follow_up(client, review, supervisor, specialist):
    follow_up = review_action_add(review=review, by=supervisor, description="培训", owner=supervisor)
    with pytest.raises(NotAllowed):
        review_action_done(follow_up=follow_up, by=specialist)
    client.force_login(specialist)
    assert client.post(reverse("interventions:review_follow_up_done", args=[follow_up.pk])).status_code == 404
    assert not ReviewAction.objects.get().is_done


def test_a_follow_up_is_owned_by_intervention_staff(review, supervisor, merchant_a):
    with translation.override("en"), pytest.raises(ValueError, match="intervention staff"):
        review_action_add(review=review, by=supervisor, description="x", owner=merchant_a)


def test_reviews_are_searchable_by_title_follow_ups_reference_status_and_open_follow_ups(
    client, review, supervisor, specialist
):
    _write(review, supervisor, title="快递已揽收的拦截", made_it_hard="买家说今晚就用,拦截太晚")
    other = incident_review_open(case=factories.CaseFactory(owner=specialist), by=supervisor)
    review_action_add(review=other, by=supervisor, description="与快递公司建立直连", owner=specialist)
    client.force_login(supervisor)
    url = reverse("interventions:incident_reviews")

    def found(**query):
        return {r.pk for r in client.get(url, query).context["reviews"]}

    assert found() == {review.pk, other.pk}
    assert found(q="揽收") == {review.pk}
    assert found(q="直连") == {other.pk}  # words of a follow-up
    assert found(q="今晚就用") == set()  # the account of what happened is encrypted: not searched
    assert found(q=review.case.reference) == {review.pk}
    assert found(follow_ups="open") == {other.pk}
    assert found(status="concluded") == set()


def test_opening_a_review_from_the_case_page_and_reading_it_is_logged(client, action, supervisor):
    client.force_login(supervisor)
    response = client.post(reverse("interventions:incident_review_start", args=[action.case.pk]))
    review = IncidentReview.objects.get()
    assert response.url == reverse("interventions:incident_review", args=[review.pk])
    page = client.get(response.url)
    assert action.case.reference in page.text
    assert 'data-testid="timeline"' in page.text
    assert AccessLog.objects.filter(object_id=str(action.case.pk), purpose="review").count() == 1
