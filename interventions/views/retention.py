"""The legal hold of a case: placed or lifted from the case page by a supervisor or manager."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.access import AuthenticatedHttpRequest, portal_page
from accounts.feedback import form_errors_text, refusal_told
from accounts.refusals import Refused

from ..forms import LegalHoldForm
from ..selectors import case_for_user
from ..services import case_legal_hold_lift, case_legal_hold_set


@portal_page(roles.PLACE_LEGAL_HOLD)
@require_POST
def case_legal_hold(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Place or lift the hold with its reason, then back to the case. Bad input is told, and
    nothing is written."""
    case = case_for_user(request.user, pk)
    form = LegalHoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not saved: %(errors)s") % {"errors": form_errors_text(form)})
        return redirect("interventions:case", pk=case.pk)
    hold, reason = form.cleaned_data["hold"], form.cleaned_data["reason"]
    try:
        if hold:
            case_legal_hold_set(case=case, by=request.user, reason=reason)
        else:
            case_legal_hold_lift(case=case, by=request.user, reason=reason)
    except Refused as refused:
        refusal_told(request, refused)
    else:
        messages.success(request, _("Legal hold placed.") if hold else _("Legal hold lifted."))
    return redirect("interventions:case", pk=case.pk)
