"""The scanner page for supervisors and managers: whom it let through, the changes proposed to
its term lists, their backtests, and publishing a tested set."""

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.access import AuthenticatedHttpRequest, portal_page
from accounts.feedback import form_errors_text
from accounts.models import Desk
from accounts.selectors import user_desks

from ..forms import TermChangeForm
from ..models import ScannerBacktest, ScanTermChange
from ..scanner.frames import Frame
from ..selectors.scanner import missed_messages, pending_term_changes, recent_backtests
from ..services.scanner import (
    TermChangeRefused,
    changes_fingerprint,
    scan_term_change_propose,
    scan_term_change_withdraw,
    scan_term_changes_publish,
    scanner_backtest_request,
)

MISSED_DAYS = 30


@portal_page(roles.VIEW_SUMMARY)
def scanner(request: AuthenticatedHttpRequest) -> HttpResponse:
    pending = list(pending_term_changes())
    backtests = list(recent_backtests())
    fingerprint = changes_fingerprint(pending)
    # Managers see both desks; a supervisor, the desks they work.
    desks = user_desks(request.user) or list(Desk.values)
    context = {
        "missed": missed_messages(desks=desks, since=timezone.now() - timedelta(days=MISSED_DAYS)),
        "missed_days": MISSED_DAYS,
        "pending": pending,
        "backtests": backtests,
        "publishable": next(
            (b for b in backtests if b.status == ScannerBacktest.Status.DONE and b.fingerprint == fingerprint), None
        )
        if pending
        else None,
        "form": TermChangeForm(),
        "can_tune": request.user.has_perm(roles.TUNE_SCANNER),
        "frames": dict(Frame.choices),
    }
    return render(request, "interventions/scanner.html", context)


@portal_page(roles.TUNE_SCANNER)
@require_POST
def scanner_propose(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TermChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not proposed: %(errors)s") % {"errors": form_errors_text(form)})
        return redirect("interventions:scanner")
    data = form.cleaned_data
    try:
        scan_term_change_propose(
            by=request.user,
            action=data["action"],
            reason=data["reason"],
            term=data.get("term"),
            phrase=data["phrase"],
            category=data["category"],
            weight=data["weight"],
            goods=data["goods"],
        )
    except TermChangeRefused as refused:
        messages.error(request, _("Not proposed: %(errors)s") % {"errors": refused})
    else:
        messages.success(request, _("Proposed. Backtest the proposed changes before they are published."))
    return redirect("interventions:scanner")


@portal_page(roles.TUNE_SCANNER)
@require_POST
def scanner_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(ScanTermChange, pk=pk)
    try:
        scan_term_change_withdraw(by=request.user, change=change)
    except TermChangeRefused as refused:
        messages.error(request, str(refused))
    return redirect("interventions:scanner")


@portal_page(roles.TUNE_SCANNER)
@require_POST
def scanner_backtest(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        scanner_backtest_request(by=request.user)
    except TermChangeRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request, _("Backtest queued. It reads the last 30 days of messages; this page shows it when done.")
        )
    return redirect("interventions:scanner")


@portal_page(roles.TUNE_SCANNER)
@require_POST
def scanner_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    backtest = get_object_or_404(ScannerBacktest, pk=pk)
    try:
        published = scan_term_changes_publish(by=request.user, backtest=backtest)
    except TermChangeRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request, _("%(count)d changes published; the scanner uses them from its next batch.") % {"count": published}
        )
    return redirect("interventions:scanner")
