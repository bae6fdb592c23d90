"""Reads for reviews: emergency actions to review, incident reviews and their follow-ups."""

from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User

from ..models import (
    Case,
    EmergencyAction,
    IncidentReview,
    ReviewAction,
)


def emergency_actions_to_review() -> QuerySet[EmergencyAction]:
    return EmergencyAction.objects.filter(review=EmergencyAction.Review.PENDING).select_related(
        "case", "taken_by", "interception__order__merchant", "referral__unit"
    )


def emergency_actions_reviewed(*, limit: int = 30) -> QuerySet[EmergencyAction]:
    return (
        EmergencyAction.objects.exclude(review=EmergencyAction.Review.PENDING)
        .select_related("case", "taken_by", "reviewed_by", "incident_review")
        .order_by("-reviewed_at")[:limit]
    )


def emergency_action_for_reviewer(pk: int) -> EmergencyAction:
    return get_object_or_404(EmergencyAction, pk=pk)


def incident_reviews() -> QuerySet[IncidentReview]:
    """Every blameless review, newest first, with how many follow-ups each still has open."""
    return IncidentReview.objects.select_related("case", "opened_by").annotate(
        open_follow_ups=Count("follow_ups", filter=Q(follow_ups__done_at__isnull=True)),
        follow_up_count=Count("follow_ups"),
    )


def case_for_reviewer(pk: int) -> Case:
    """Any case, for a supervisor or manager opening a review of it (reviewers read every desk,
    as the emergency-action queue does)."""
    return get_object_or_404(Case, pk=pk)


def incident_review_for_reviewer(pk: int) -> IncidentReview:
    return get_object_or_404(
        IncidentReview.objects.select_related(
            "case__owner", "opened_by", "concluded_by", "flagged_action__taken_by", "flagged_action__reviewed_by"
        ),
        pk=pk,
    )


def review_follow_ups(review: IncidentReview) -> QuerySet[ReviewAction]:
    return review.follow_ups.select_related("owner", "done_by")


def review_follow_ups_open_for(user: User) -> QuerySet[ReviewAction]:
    """What reviews left this person to see through, soonest due first."""
    return (
        ReviewAction.objects.filter(owner=user, done_at__isnull=True)
        .select_related("review__case")
        .order_by(F("due_on").asc(nulls_last=True), "id")
    )


def review_follow_up_of(pk: int) -> ReviewAction:
    return get_object_or_404(ReviewAction.objects.select_related("review", "owner"), pk=pk)


def review_owner_choices() -> QuerySet[User]:
    """Who may own a follow-up: active intervention staff."""
    return User.objects.filter(is_active=True, teams__isnull=False).distinct().order_by("display_name", "email")
