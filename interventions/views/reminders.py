"""Today's check-ins and the notifications list: what a member of staff must do, and what paged them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.access import AuthenticatedHttpRequest, portal_page
from accounts.feedback import refusal_told
from accounts.refusals import Refused

from ..forms import CallForm
from ..models import CheckIn, Notification
from ..selectors import checkins_today, notifications_for, review_follow_ups_open_for
from ..services import checkin_record_call, notifications_mark_read


@portal_page(roles.WORK_QUEUE)
def today(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The specialist's check-ins of today (calls to make, messages awaiting a reply), and what
    blameless reviews left them to see through."""
    context = {"checkins": checkins_today(request.user), "follow_ups": review_follow_ups_open_for(request.user)}
    return render(request, "interventions/today.html", context)


@portal_page(roles.WORK_QUEUE)
@require_POST
def checkin_call(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record a phone check-in: the person was reached, or not."""
    checkin = get_object_or_404(CheckIn.objects.filter(owner=request.user, channel=CheckIn.Channel.PHONE), pk=pk)
    form = CallForm(request.POST)
    if form.is_valid():
        try:
            checkin_record_call(checkin=checkin, by=request.user, **form.cleaned_data)
        except Refused as refused:
            refusal_told(request, refused)
        else:
            messages.success(request, _("Call recorded on %(case)s.") % {"case": checkin.case.reference})
    return redirect("interventions:today")


@login_required
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everything that paged this person, newest first; unread ones marked."""
    return render(request, "interventions/notifications.html", {"items": notifications_for(request.user)})


@login_required
@require_POST
def notification_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go where it points."""
    item = get_object_or_404(Notification, pk=pk, recipient=request.user, channel=Notification.Channel.PORTAL)
    notifications_mark_read(user=request.user, ids=[item.pk])
    safe = url_has_allowed_host_and_scheme(item.link, allowed_hosts={request.get_host()})
    return redirect(item.link if item.link and safe else "interventions:notifications")


@login_required
@require_POST
def notifications_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    return redirect("interventions:notifications")
