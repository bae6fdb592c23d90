"""Blameless reviews (复盘): the searchable list, one review with its case's timeline, and the
follow-ups each review leaves, tracked until done."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.access import AuthenticatedHttpRequest, portal_page
from accounts.feedback import form_errors_text, refusal_told
from accounts.models import AccessLog
from accounts.ratelimit import client_address
from accounts.refusals import Refused
from accounts.services import access_record

from ..filters import IncidentReviewFilter
from ..forms import FollowUpForm, IncidentReviewForm
from ..selectors import (
    case_for_reviewer,
    case_timeline,
    incident_review_for_reviewer,
    incident_reviews,
    review_follow_up_of,
    review_follow_ups,
    review_owner_choices,
)
from ..services import (
    NotAllowed,
    incident_review_conclude,
    incident_review_open,
    incident_review_write,
    review_action_add,
    review_action_done,
)


@portal_page(roles.REVIEW_EMERGENCY_ACTIONS)
def incident_review_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    found = IncidentReviewFilter(request.GET, queryset=incident_reviews())
    return render(request, "interventions/incident_reviews.html", {"filter": found, "reviews": found.qs[:200]})


@portal_page(roles.REVIEW_EMERGENCY_ACTIONS)
@require_POST
def incident_review_start(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    """Open a review of any case, from its page."""
    review = incident_review_open(case=case_for_reviewer(case_pk), by=request.user)
    return redirect("interventions:incident_review", pk=review.pk)


@portal_page(roles.REVIEW_EMERGENCY_ACTIONS)
def incident_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The review, with the case's whole timeline beside it. Reading it reads the case: logged."""
    review = incident_review_for_reviewer(pk)
    if request.method == "POST":
        form = IncidentReviewForm(request.POST)
        if form.is_valid():
            try:
                incident_review_write(review=review, by=request.user, **form.cleaned_data)
            except Refused as refused:
                refusal_told(request, refused)
            else:
                messages.success(request, _("Review saved."))
                return redirect("interventions:incident_review", pk=review.pk)
    else:
        form = IncidentReviewForm(
            initial={
                "title": review.title,
                "what_happened": review.what_happened,
                "went_well": review.went_well,
                "made_it_hard": review.made_it_hard,
            }
        )
    access_record(
        user=request.user,
        action=AccessLog.Action.VIEW,
        obj=review.case,
        purpose=AccessLog.Purpose.REVIEW,
        address=client_address(request),
    )
    context = {
        "review": review,
        "case": review.case,
        "events": case_timeline(review.case),
        "form": form,
        "follow_ups": review_follow_ups(review),
        "follow_up_form": FollowUpForm(owners=review_owner_choices()),
    }
    return render(request, "interventions/incident_review.html", context, status=400 if form.errors else 200)


@portal_page(roles.REVIEW_EMERGENCY_ACTIONS)
@require_POST
def incident_review_act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    review = incident_review_for_reviewer(pk)
    try:
        if action == "conclude":
            incident_review_conclude(review=review, by=request.user)
            messages.success(request, _("Review concluded. Its follow-ups stay open until done."))
        elif action == "follow_up":
            form = FollowUpForm(request.POST, owners=review_owner_choices())
            if not form.is_valid():
                messages.error(request, _("Not saved: %(errors)s") % {"errors": form_errors_text(form)})
            else:
                follow_up = review_action_add(review=review, by=request.user, **form.cleaned_data)
                messages.success(request, _("Follow-up added for %(owner)s.") % {"owner": follow_up.owner})
        else:
            raise Http404
    except Refused as refused:
        refusal_told(request, refused)
    return redirect("interventions:incident_review", pk=review.pk)


@portal_page(roles.WORK_QUEUE)
@require_POST
def review_follow_up_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Its owner (from Today) or a reviewer marks a follow-up done."""
    follow_up = review_follow_up_of(pk)
    try:
        review_action_done(follow_up=follow_up, by=request.user)
    except NotAllowed as refused:
        raise Http404 from refused  # someone else's follow-up: as if it did not exist
    messages.success(request, _("Follow-up done: %(what)s") % {"what": follow_up.description})
    if request.POST.get("next") == "today":
        return redirect("interventions:today")
    return redirect("interventions:incident_review", pk=follow_up.review_id)
