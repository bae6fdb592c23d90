"""The police liaison's portal: the requests of their unit and their answers."""

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import ChoiceField
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.access import AuthenticatedHttpRequest, portal_page

from ..forms import (
    ReferralReceiptForm,
    StopPaymentAnswerForm,
)
from ..selectors import (
    police_unit_for_liaison,
    referral_for_liaison,
    referrals_for_liaison,
    stop_payment_for_liaison,
    stop_payments_for_liaison,
)
from ..services import (
    referral_record_receipt,
    stop_payment_answer,
)


@portal_page(roles.USE_LIAISON_PORTAL)
def liaison_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {
        "unit": police_unit_for_liaison(request.user),
        "referrals": referrals_for_liaison(request.user)[:100],
        "stop_payments": stop_payments_for_liaison(request.user)[:100],
        "stop_statuses": cast(ChoiceField, StopPaymentAnswerForm.base_fields["status"]).choices,
        "now": timezone.now(),
        "statuses": cast(ChoiceField, ReferralReceiptForm.base_fields["status"]).choices,
    }
    return render(request, "interventions/liaison_home.html", context)


@portal_page(roles.USE_LIAISON_PORTAL)
@require_POST
def stop_payment_answer_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The anti-fraud centre answers a stop-payment: received, frozen (how much), or too late."""
    stop = stop_payment_for_liaison(request.user, pk)
    form = StopPaymentAnswerForm(request.POST)
    if form.is_valid():
        try:
            stop_payment_answer(request=stop, by=request.user, **form.cleaned_data)
            messages.success(request, _("Recorded. The specialist sees it on the case."))
        except ValidationError:
            messages.error(request, _("A freeze needs the amount frozen."))
    return redirect("interventions:liaison_home")


@portal_page(roles.USE_LIAISON_PORTAL)
@require_POST
def referral_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The liaison records that the unit received a referral, or how it ended."""
    referral = referral_for_liaison(request.user, pk)
    form = ReferralReceiptForm(request.POST)
    if form.is_valid():
        referral_record_receipt(referral=referral, by=request.user, **form.cleaned_data)
        messages.success(request, _("Recorded. The specialist sees it on the case."))
    return redirect("interventions:liaison_home")
