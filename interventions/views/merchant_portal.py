"""The merchant portal: a partner shop's own orders, reports and interception requests. Every
page faces the internet; every read goes through a selector scoped to the user's one shop.

It lives with the interventions, not the orders: a shop's report and its answer to an
interception are case work, written by the case services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.access import AuthenticatedHttpRequest, portal_page, recent_authentication_ensure
from accounts.feedback import form_errors_text, refusal_told
from accounts.ratelimit import limited
from accounts.refusals import Refused
from orders.forms import MerchantReportForm, ReportNoteForm, ShopAnswerForm, StaffInviteForm
from orders.models import Merchant, MerchantReport
from orders.selectors import (
    attachment_for_user,
    merchant_for_user,
    merchant_interception_for,
    merchant_interceptions,
    merchant_membership_for,
    merchant_recent_orders,
    merchant_report_for,
    merchant_reports,
    shop_staff,
    shop_staff_member,
)
from orders.services import (
    merchant_second_factor_require,
    merchant_staff_invite,
    merchant_staff_remove,
    merchant_staff_set_admin,
    password_link_send,
)

from ..services import interception_record_answer, merchant_report_submit, report_note_add


def _shop(request: AuthenticatedHttpRequest) -> Merchant:
    merchant = merchant_for_user(request.user)
    if merchant is None:
        raise Http404
    return merchant


@portal_page(roles.USE_MERCHANT_PORTAL)
def merchant_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    merchant = _shop(request)
    context = {
        "merchant": merchant,
        "orders": merchant_recent_orders(merchant=merchant),
        "open_interceptions": list(merchant_interceptions(merchant, open_only=True)[:20]),
    }
    return render(request, "orders/merchant_home.html", context)


@portal_page(roles.USE_MERCHANT_PORTAL)
@limited("report", limit=settings.SHOUHU_REPORT_RATE[0], per_seconds=settings.SHOUHU_REPORT_RATE[1])
def report_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Report danger heard in the shop's customer service. Errors keep what was typed."""
    merchant = _shop(request)
    form = MerchantReportForm(request.POST or None, request.FILES or None, merchant=merchant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report = merchant_report_submit(
            merchant=merchant,
            by=request.user,
            kind=data["kind"],
            text=data["text"],
            talking_now=data["talking_now"],
            buyer=data["buyer"],
            order=data["order"],
            screenshots=data["screenshots"],
        )
        return redirect("orders:report", pk=report.pk)
    return render(
        request, "orders/report_new.html", {"merchant": merchant, "form": form}, status=400 if form.errors else 200
    )


@portal_page(roles.USE_MERCHANT_PORTAL)
def reports(request: AuthenticatedHttpRequest) -> HttpResponse:
    merchant = _shop(request)
    return render(request, "orders/reports.html", {"merchant": merchant, "reports": merchant_reports(merchant)[:100]})


@portal_page(roles.USE_MERCHANT_PORTAL)
def report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One report: its live status, what to do while waiting, and the thread with the specialist."""
    merchant = _shop(request)
    item = merchant_report_for(merchant, pk)
    context = {
        "merchant": merchant,
        "report": item,
        "notes": item.notes.select_related("author"),
        "note_form": ReportNoteForm(),
        "show_guide": item.kind == MerchantReport.Kind.LIFE,
    }
    return render(request, "orders/report.html", context)


@portal_page(roles.USE_MERCHANT_PORTAL)
def report_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The status line alone, polled by the report page: received → claimed → case opened."""
    item = merchant_report_for(_shop(request), pk)
    return render(request, "orders/_report_status.html", {"report": item})


@portal_page(roles.USE_MERCHANT_PORTAL)
@require_POST
def report_note(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = merchant_report_for(_shop(request), pk)
    form = ReportNoteForm(request.POST)
    if form.is_valid():
        report_note_add(report=item, by=request.user, text=form.cleaned_data["text"], from_platform=False)
        messages.success(request, _("Sent to the specialist."))
    else:
        messages.error(request, _("Write a message."))
    return redirect("orders:report", pk=item.pk)


@portal_page(roles.USE_MERCHANT_PORTAL)
def interceptions(request: AuthenticatedHttpRequest) -> HttpResponse:
    merchant = _shop(request)
    context = {"merchant": merchant, "interceptions": merchant_interceptions(merchant)[:100], "form": ShopAnswerForm()}
    return render(request, "orders/interceptions.html", context)


@portal_page(roles.USE_MERCHANT_PORTAL)
@require_POST
def interception_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The shop answers: held, already shipped (with the tracking number), or could not. The
    answer is on the case at once."""
    interception = merchant_interception_for(_shop(request), pk)
    form = ShopAnswerForm(request.POST)
    if not interception.is_open:
        messages.error(request, _("This request was already answered."))
    elif not form.is_valid():
        messages.error(request, _("Not sent: %(errors)s") % {"errors": form_errors_text(form)})
    else:
        interception_record_answer(interception=interception, by=request.user, **form.cleaned_data)
        messages.success(request, _("Your answer is with the specialist."))
    return redirect("orders:interceptions")


@login_required
def attachment(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """A report's screenshot, for its shop and the specialists of its desk only: never from a
    public URL. Sent as an attachment of its checked type, which the browser may not second-guess."""
    item = attachment_for_user(request.user, pk)
    response = FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        as_attachment=request.GET.get("download") == "1",
        filename=f"screenshot-{item.pk}.{item.extension}",
    )
    # FileResponse sets Content-Disposition itself: inline, or attachment when downloading.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _shop_admin(request: AuthenticatedHttpRequest) -> Merchant:
    """The user's shop if they are its admin; 404 for other staff, as for everyone else."""
    membership = merchant_membership_for(request.user)
    if membership is None or not membership.is_admin:
        raise Http404
    return membership.merchant


@portal_page(roles.USE_MERCHANT_PORTAL)
def staff(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A shop admin's list of the shop's logins, and the form to add one."""
    merchant = _shop_admin(request)
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        recent_authentication_ensure(request)
        try:
            user = merchant_staff_invite(merchant=merchant, by=request.user, **form.cleaned_data)
        except Refused as refused:
            form.add_error("email", str(refused))
        else:
            messages.success(request, _("%(email)s was sent a link to set a password.") % {"email": user.email})
            return redirect("orders:staff")
    context = {"merchant": merchant, "members": shop_staff(merchant), "form": form}
    return render(request, "orders/staff.html", context, status=400 if form.errors else 200)


@portal_page(roles.USE_MERCHANT_PORTAL)
@require_POST
def staff_second_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    merchant = _shop_admin(request)
    recent_authentication_ensure(request)
    required = request.POST.get("required") == "on"
    merchant_second_factor_require(merchant=merchant, by=request.user, required=required)
    if required:
        messages.success(request, _("Every login of the shop now needs a second factor."))
    else:
        messages.success(request, _("A second factor is now each colleague's choice."))
    return redirect("orders:staff")


@portal_page(roles.USE_MERCHANT_PORTAL)
@require_POST
def staff_act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    merchant = _shop_admin(request)
    membership = shop_staff_member(merchant, pk)
    recent_authentication_ensure(request)
    acts = {
        "remove": lambda: merchant_staff_remove(membership=membership, by=request.user),
        "admin": lambda: merchant_staff_set_admin(membership=membership, by=request.user, is_admin=True),
        "not_admin": lambda: merchant_staff_set_admin(membership=membership, by=request.user, is_admin=False),
        "resend": lambda: password_link_send(user=membership.user),
    }
    if action not in acts:
        raise Http404
    try:
        acts[action]()
    except Refused as refused:
        refusal_told(request, refused)
    else:
        messages.success(request, _("Done."))
    return redirect("orders:staff")
