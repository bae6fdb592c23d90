"""Supervisors' review of emergency actions, after the fact."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.access import AuthenticatedHttpRequest, portal_page
from accounts.feedback import form_errors_text

from ..forms import (
    ReviewForm,
)
from ..selectors import (
    emergency_action_for_reviewer,
    emergency_actions_reviewed,
    emergency_actions_to_review,
)
from ..services import (
    emergency_action_review,
)


@portal_page(roles.REVIEW_EMERGENCY_ACTIONS)
def reviews(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The emergency actions taken without approval, waiting for a supervisor's look."""
    context = {"pending": emergency_actions_to_review(), "reviewed": emergency_actions_reviewed()}
    return render(request, "interventions/reviews.html", context)


@portal_page(roles.REVIEW_EMERGENCY_ACTIONS)
@require_POST
def review_act(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    form = ReviewForm(request.POST)
    if form.is_valid():
        emergency_action_review(
            action=emergency_action_for_reviewer(pk),
            by=request.user,
            confirmed=form.cleaned_data["decision"] == "confirm",
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Review recorded."))
    else:
        messages.error(request, _("Not saved: %(errors)s") % {"errors": form_errors_text(form)})
    return redirect("interventions:reviews")
