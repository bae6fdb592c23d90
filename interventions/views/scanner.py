"""The scanner page for supervisors and managers: whom it let through, the changes proposed to
its term lists, their backtests, and publishing a tested set."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.access import portal_page
from accounts.feedback import form_errors_text
from accounts.models import Desk
from accounts.selectors import user_desks
from orders.models import Product

from ..models import ScannerBacktest, ScanTerm, ScanTermChange
from ..scanner.categories import Category as ScanCategory
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


class TermChangeForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("Change"), choices=ScanTermChange.Action.choices)
    phrase = forms.CharField(label=gettext_lazy("Phrase"), max_length=100)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=ScanCategory.choices)
    weight = forms.IntegerField(label=gettext_lazy("Weight"), min_value=0, max_value=3, initial=2)
    goods = forms.ChoiceField(
        label=gettext_lazy("High-risk goods"), required=False, choices=[("", "—"), *Product.RiskCategory.choices]
    )
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=300)

    def clean(self):
        data = super().clean()
        if data.get("action") and data["action"] != ScanTermChange.Action.ADD and data.get("phrase"):
            data["term"] = ScanTerm.objects.filter(phrase=data["phrase"].strip(), category=data.get("category")).first()
            if data["term"] is None:
                raise forms.ValidationError(_("There is no such term in that category to change."))
        return data


@portal_page(roles.VIEW_SUMMARY)
def scanner(request: HttpRequest) -> HttpResponse:
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
def scanner_propose(request: HttpRequest) -> HttpResponse:
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
def scanner_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(ScanTermChange, pk=pk)
    try:
        scan_term_change_withdraw(by=request.user, change=change)
    except TermChangeRefused as refused:
        messages.error(request, str(refused))
    return redirect("interventions:scanner")


@portal_page(roles.TUNE_SCANNER)
@require_POST
def scanner_backtest(request: HttpRequest) -> HttpResponse:
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
def scanner_publish(request: HttpRequest, pk: int) -> HttpResponse:
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
