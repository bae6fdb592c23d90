"""Blameless post-incident reviews (复盘): opened on any case by a supervisor or manager, or by
flagging an emergency action; written together; concluded; their follow-ups tracked until done."""

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts.history import save_with_history
from accounts.models import User
from accounts.refusals import Conflict, Invalid
from accounts.roles import REVIEW_EMERGENCY_ACTIONS

from ..models import (
    Case,
    CaseEvent,
    EmergencyAction,
    IncidentReview,
    Notification,
    ReviewAction,
)
from .cases import NotAllowed
from .notifications import notify
from .timeline import case_event_record


def _ensure_reviewer(user: User) -> None:
    if not user.has_perm(roles.REVIEW_EMERGENCY_ACTIONS):
        raise NotAllowed(_("Only supervisors and managers run reviews."))


@transaction.atomic
def incident_review_open(*, case: Case, by: User, flagged_action: EmergencyAction | None = None) -> IncidentReview:
    """Open a review of the case. Flagging the same emergency action twice opens it once."""
    _ensure_reviewer(by)
    if flagged_action is not None:
        existing = IncidentReview.objects.filter(flagged_action=flagged_action).first()
        if existing:
            return existing
    review = IncidentReview(
        case=case,
        flagged_action=flagged_action,
        title=_("Review of %(reference)s") % {"reference": case.reference},
        opened_by=by,
    )
    save_with_history(review, by=by)
    case_event_record(case=case, actor=by, kind=CaseEvent.Kind.REVIEW_OPENED, review_id=review.pk)
    return review


@transaction.atomic
def incident_review_write(
    *, review: IncidentReview, by: User, title: str, what_happened: str, went_well: str, made_it_hard: str
) -> IncidentReview:
    """Save what the review says. A concluded review is kept as it was concluded."""
    _ensure_reviewer(by)
    review = IncidentReview.objects.select_for_update().get(pk=review.pk)
    if not review.is_open:
        raise Conflict(_("The review is concluded; it is kept as it was."))
    review.title, review.what_happened, review.went_well, review.made_it_hard = (
        title,
        what_happened,
        went_well,
        made_it_hard,
    )
    save_with_history(review, by=by, update_fields=["title", "what_happened", "went_well", "made_it_hard"])
    return review


@transaction.atomic
def incident_review_conclude(*, review: IncidentReview, by: User) -> IncidentReview:
    """Close the review's writing. Its follow-ups stay open until each is done."""
    _ensure_reviewer(by)
    review = IncidentReview.objects.select_for_update().get(pk=review.pk)
    if not review.is_open:
        return review
    if not (review.went_well.strip() and review.made_it_hard.strip()):
        raise Invalid(_("Write what went well and what made it hard before concluding."))
    review.status, review.concluded_by, review.concluded_at = IncidentReview.Status.CONCLUDED, by, timezone.now()
    save_with_history(review, by=by, update_fields=["status", "concluded_by", "concluded_at"])
    case_event_record(case=review.case, actor=by, kind=CaseEvent.Kind.REVIEW_CONCLUDED, review_id=review.pk)
    return review


@transaction.atomic
def review_action_add(
    *, review: IncidentReview, by: User, description: str, owner: User, due_on: date | None = None
) -> ReviewAction:
    """A follow-up with its owner, who is told in the portal and by email."""
    _ensure_reviewer(by)
    if not owner.is_active or not owner.has_perm(roles.WORK_QUEUE):
        raise Invalid(_("A follow-up is owned by a member of the intervention staff."))
    follow_up = ReviewAction(review=review, description=description, owner=owner, due_on=due_on, created_by=by)
    save_with_history(follow_up, by=by)
    notify(
        recipients=[owner],
        kind=Notification.Kind.REVIEW_FOLLOW_UP,
        title=_("Follow-up from %(review)s") % {"review": review.title},
        body=description,
        link=reverse("interventions:incident_review", args=[review.pk]),
        key=f"review-follow-up-{follow_up.pk}",
    )
    return follow_up


@transaction.atomic
def review_action_done(*, follow_up: ReviewAction, by: User) -> ReviewAction:
    """Its owner, or a reviewer, marks a follow-up done. Marking it again changes nothing."""
    if by != follow_up.owner:
        _ensure_reviewer(by)
    follow_up = ReviewAction.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.is_done:
        return follow_up
    follow_up.done_by, follow_up.done_at = by, timezone.now()
    save_with_history(follow_up, by=by, update_fields=["done_by", "done_at"])
    return follow_up


def emergency_action_queue(*, case: Case, by: User, kind: str, **action) -> None:
    """At high or critical risk an action took effect on one person's word: queue it for a
    supervisor's look after the fact. `action` names the interception, referral or stop-payment."""
    if case.risk_level >= Case.RiskLevel.HIGH:
        EmergencyAction.objects.create(case=case, kind=kind, taken_by=by, risk_level=case.risk_level, **action)


@transaction.atomic
def emergency_action_review(*, action: EmergencyAction, by: User, confirmed: bool, note: str = "") -> EmergencyAction:
    """A supervisor confirms an emergency action or flags it for a (blameless) review."""
    if not by.has_perm(REVIEW_EMERGENCY_ACTIONS):
        raise NotAllowed(_("Only supervisors review emergency actions."))
    locked = EmergencyAction.objects.select_for_update().get(pk=action.pk)
    if locked.review != EmergencyAction.Review.PENDING:
        return locked
    locked.review = EmergencyAction.Review.CONFIRMED if confirmed else EmergencyAction.Review.FLAGGED
    locked.reviewed_by, locked.reviewed_at, locked.review_note = by, timezone.now(), note
    save_with_history(locked, by=by, update_fields=["review", "reviewed_by", "reviewed_at", "review_note"])
    case_event_record(
        case=locked.case,
        actor=by,
        kind=CaseEvent.Kind.REVIEWED,
        action_id=locked.pk,
        review=locked.review,
        reason=note,
    )
    if locked.review == EmergencyAction.Review.FLAGGED:
        incident_review_open(case=locked.case, by=by, flagged_action=locked)
    return locked
