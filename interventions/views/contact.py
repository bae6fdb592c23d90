"""Revealing a person's full phone number and street address, with a purpose, from the alert or the
case they are shown on. The values are in that one response only, which no one may cache."""

from collections.abc import Callable

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from accounts import roles
from accounts.access import AuthenticatedHttpRequest, portal_page, recent_authentication_ensure
from accounts.ratelimit import client_address
from accounts.refusals import Refused
from accounts.selectors import user_desks
from orders.models import Buyer

from ..forms import ContactRevealForm
from ..selectors import alert_for_user, case_for_user
from ..services import alert_contact_reveal, case_contact_reveal
from .cases import break_glass_grants


@portal_page(roles.WORK_QUEUE)
@never_cache
def alert_contact(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET: the form that asks why. POST: reveal, if the reason is given."""
    alert = alert_for_user(request.user, pk)
    if alert.buyer is None:
        raise Http404

    def reveal(data: dict) -> Buyer:
        return alert_contact_reveal(alert=alert, by=request.user, address=client_address(request), **data)

    return _contact(request, alert.buyer, reverse("interventions:alert_contact", args=[alert.pk]), reveal)


@portal_page(roles.WORK_QUEUE)
@never_cache
def case_contact(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """As alert_contact, for the case's person. Whoever may read the case may reveal, a
    break-glass reader too, whose only purpose is then the emergency."""
    case = case_for_user(request.user, pk, granted=break_glass_grants(request))
    if case.buyer is None:
        raise Http404

    def reveal(data: dict) -> Buyer:
        return case_contact_reveal(case=case, by=request.user, address=client_address(request), **data)

    outside_desk = case.desk not in user_desks(request.user)
    url = reverse("interventions:case_contact", args=[case.pk])
    return _contact(request, case.buyer, url, reveal, outside_desk=outside_desk)


def _contact(
    request: AuthenticatedHttpRequest,
    buyer: Buyer,
    url: str,
    reveal: Callable[[dict], Buyer],
    *,
    outside_desk: bool = False,
) -> HttpResponse:
    form = ContactRevealForm(request.POST if request.method == "POST" else None, outside_desk=outside_desk)
    revealed = None
    if request.method == "POST" and form.is_valid():
        recent_authentication_ensure(request)
        try:
            revealed = reveal(form.cleaned_data)
        except Refused as refused:
            form.add_error(None, str(refused))
    context = {"buyer": buyer, "reveal_url": url, "reveal_form": form, "revealed": revealed}
    if request.htmx:
        # htmx swaps only a 2xx answer: a refusal must come back as one to be seen in place.
        return render(request, "interventions/_contact.html", context)
    return render(request, "interventions/contact.html", context, status=400 if form.errors else 200)
