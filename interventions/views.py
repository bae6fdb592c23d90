from django.contrib import messages
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import roles
from accounts.access import portal_page
from accounts.selectors import user_desks
from orders.services import buyer_record

from .forms import ManualAlertForm
from .selectors import heartbeat_status, managers_summary, police_unit_for_liaison, queue_alerts
from .services import alert_raise_by_hand


@portal_page(roles.WORK_QUEUE)
def queue(request: HttpRequest) -> HttpResponse:
    desks = user_desks(request.user)
    return render(request, "interventions/queue.html", {"alerts": queue_alerts(desks=desks), "desks": desks})


@portal_page(roles.WORK_QUEUE)
def alert_new(request: HttpRequest) -> HttpResponse:
    """Raise an alert by hand: a phone call, a report that came from outside the platform."""
    form = ManualAlertForm(request.POST or None, initial={"desk": next(iter(user_desks(request.user)), None)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        buyer = buyer_record(account_ref=data["buyer_ref"]) if data["buyer_ref"] else None
        alert_raise_by_hand(
            by=request.user,
            desk=data["desk"],
            severity=data["severity"],
            summary=data["summary"],
            text=data["text"],
            buyer=buyer,
        )
        messages.success(request, _("The alert is in the queue."))
        return redirect("interventions:queue")
    return render(request, "interventions/alert_new.html", {"form": form})


@portal_page(roles.VIEW_SUMMARY)
def summary(request: HttpRequest) -> HttpResponse:
    return render(request, "interventions/summary.html", {"summary": managers_summary()})


@portal_page(roles.USE_LIAISON_PORTAL)
def liaison_home(request: HttpRequest) -> HttpResponse:
    return render(request, "interventions/liaison_home.html", {"unit": police_unit_for_liaison(request.user)})


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: the database answers, and when the worker last beat."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    beat = heartbeat_status()
    return JsonResponse(
        {
            "database": "ok",
            "worker": "stale" if beat["is_stale"] else "ok",
            "last_beat_at": beat["last_beat_at"].isoformat() if beat["last_beat_at"] else None,
        }
    )
