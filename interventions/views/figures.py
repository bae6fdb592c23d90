"""The managers' figures: charts and tables over a date range and a desk, and each table as CSV.
The numbers come from selectors/figures.py; this module only lays them out."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.access import AuthenticatedHttpRequest, portal_page, recent_authentication_ensure
from accounts.exports import csv_download
from accounts.feedback import form_errors_text
from accounts.forms import ExportForm
from accounts.models import AccessLog, Desk
from accounts.ratelimit import client_address
from accounts.services import access_record
from orders.models import InterceptionRequest

from ..choices import Severity
from ..models import Case, CheckIn, PoliceReferral
from ..scanner.categories import Category as ScanCategory
from ..scanner.frames import Frame
from ..selectors import figures as selectors
from ..selectors.figures import Period

if TYPE_CHECKING:  # django_stubs_ext comes with the dev extras, not at run time
    from django_stubs_ext import StrOrPromise

LONGEST_PERIOD = timedelta(days=366)
DEFAULT_DAYS = 30


def _days_up_to(until) -> Period:
    """The default period: DEFAULT_DAYS days ending on `until`, both desks."""
    return Period(since=until - timedelta(days=DEFAULT_DAYS - 1), until=until)


class FiguresForm(forms.Form):
    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    until = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    desk = forms.ChoiceField(
        label=gettext_lazy("Desk"), required=False, choices=[("", gettext_lazy("Both desks")), *Desk.choices]
    )

    def clean(self):
        data = super().clean()
        until = data.get("until") or timezone.localdate()
        since = data.get("since") or _days_up_to(until).since
        if since > until:
            raise forms.ValidationError(_("The period ends before it starts."))
        if until - since > LONGEST_PERIOD:
            raise forms.ValidationError(_("Choose a period of a year at most."))
        data["since"], data["until"] = since, until
        return data

    def period(self) -> Period:
        """The period asked for; the last 30 days of both desks when the form is empty or wrong."""
        if not self.is_valid():
            return _days_up_to(timezone.localdate())
        data = self.cleaned_data
        desks = (data["desk"],) if data["desk"] else tuple(Desk.values)
        return Period(since=data["since"], until=data["until"], desks=desks)


# --- tables: one layout for the page and for the CSV ------------------------------------------------


@dataclass(frozen=True)
class Table:
    key: str
    title: "StrOrPromise"  # lazy for the tables TABLES builds when the module loads
    header: list[str]
    rows: list[list]


def _minutes(duration: timedelta | None) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 60, 1)


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "–"


def _labels(choices) -> dict:
    return {value: str(label) for value, label in choices}


def _alerts_table(rows: list[dict]) -> Table:
    desks, severities = _labels(Desk.choices), _labels(Severity.choices)
    return Table(
        "alerts",
        _("Alerts per day"),
        [_("Day"), _("Desk"), _("Severity"), _("Alerts")],
        [[row["day"].isoformat(), desks[row["desk"]], severities[row["severity"]], row["total"]] for row in rows],
    )


def _claim_table(rows: list[dict]) -> Table:
    desks, severities = _labels(Desk.choices), _labels(Severity.choices)
    return Table(
        "claim",
        _("Time to claim"),
        [
            _("Desk"),
            _("Severity"),
            _("Raised"),
            _("Claimed"),
            _("Claimed within the SLA"),
            _("SLA (min)"),
            _("Median (min)"),
            _("90th percentile (min)"),
        ],
        [
            [
                desks[row["desk"]],
                severities[row["severity"]],
                row["raised"],
                row["claimed"],
                _share(row["within_sla"], row["claimed"]),
                _minutes(_claim_sla(row["severity"])),
                _minutes(row["median"]),
                _minutes(row["p90"]),
            ]
            for row in rows
        ],
    )


def _claim_sla(severity: int) -> timedelta | None:
    return settings.SHOUHU_CLAIM_SLA.get(Severity(severity).name.lower())


def _first_action_table(rows: list[dict]) -> Table:
    desks = _labels(Desk.choices)
    return Table(
        "first_action",
        _("Time to first action"),
        [
            _("Desk"),
            _("Cases opened"),
            _("Acted on"),
            _("Acted on within the target"),
            _("Target (min)"),
            _("Median (min)"),
            _("90th percentile (min)"),
        ],
        [
            [
                desks[row["desk"]],
                row["opened"],
                row["acted"],
                _share(row["within_sla"], row["acted"]),
                _minutes(settings.SHOUHU_FIRST_ACTION_SLA),
                _minutes(row["median"]),
                _minutes(row["p90"]),
            ]
            for row in rows
        ],
    )


def _outcomes_table(rows: list[dict]) -> Table:
    desks, outcomes = _labels(Desk.choices), _labels(Case.Outcome.choices)
    return Table(
        "outcomes",
        _("Cases closed, by outcome"),
        [_("Desk"), _("Outcome"), _("Cases")],
        [[desks[row["desk"]], outcomes[row["outcome"]], row["total"]] for row in rows],
    )


def _status_table(key: str, title: "StrOrPromise", choices) -> Callable[[list[dict]], Table]:
    def table(rows: list[dict]) -> Table:
        statuses = _labels(choices)
        return Table(key, title, [_("Status"), _("Number")], [[statuses[row["status"]], row["total"]] for row in rows])

    return table


def _stop_payments_table(totals: dict) -> Table:
    return Table(
        "stop_payments",
        _("Stop-payments"),
        [_("Requested"), _("Frozen"), _("Amount reported paid (yuan)"), _("Amount frozen (yuan)")],
        [[totals["requested"], totals["frozen"], totals["amount_asked"], totals["amount_frozen"]]],
    )


def _dissuasions_table(totals: dict) -> Table:
    return Table(
        "dissuasions",
        _("Dissuasions"),
        [_("Calls"), _("Reached"), _("Convinced not to pay"), _("Amount protected (yuan)")],
        [[totals["made"], totals["reached"], totals["convinced"], totals["protected"]]],
    )


def _terms_table(rows: list[dict]) -> Table:
    categories = _labels(ScanCategory.choices)
    return Table(
        "terms",
        _("Scanner precision per term"),
        [_("Term"), _("Category"), _("Became a case"), _("False alarms"), _("Precision")],
        [
            [
                row["term"],
                categories.get(row["category"], row["category"]),
                row["confirmed"],
                row["false_alarms"],
                _share(row["confirmed"], row["decided"]),
            ]
            for row in rows
        ],
    )


def _frames_table(rows: list[dict]) -> Table:
    desks, frames = _labels(Desk.choices), _labels(Frame.choices)
    return Table(
        "frames",
        _("Scanner precision per frame"),
        [_("Desk"), _("Frame"), _("Became a case"), _("False alarms"), _("Precision")],
        [
            [
                desks.get(row["desk"], row["desk"]),
                frames.get(row["frame"], row["frame"]),
                row["confirmed"],
                row["false_alarms"],
                _share(row["confirmed"], row["decided"]),
            ]
            for row in rows
        ],
    )


def _checkins_table(rows: list[dict]) -> Table:
    channels = _labels(CheckIn.Channel.choices)
    return Table(
        "checkins",
        _("Check-ins"),
        [
            _("Channel"),
            _("Due in the period"),
            _("Sent or called"),
            _("Replied"),
            _("No reply"),
            _("Could not be sent"),
        ],
        [
            [channels[row["channel"]], row["planned"], row["sent"], row["replied"], row["missed"], row["failed"]]
            for row in rows
        ],
    )


# Each table: the selector that computes it and the layout that shows it, in page order.
TABLES: dict[str, tuple[Callable, Callable]] = {
    "alerts": (selectors.alerts_per_day, _alerts_table),
    "claim": (selectors.claim_times, _claim_table),
    "first_action": (selectors.first_action_times, _first_action_table),
    "outcomes": (selectors.case_outcomes, _outcomes_table),
    "interceptions": (
        selectors.interceptions,
        _status_table("interceptions", gettext_lazy("Interceptions"), InterceptionRequest.Status.choices),
    ),
    "referrals": (
        selectors.police_referrals,
        _status_table("referrals", gettext_lazy("Police referrals"), PoliceReferral.Status.choices),
    ),
    "stop_payments": (selectors.stop_payments, _stop_payments_table),
    "dissuasions": (selectors.dissuasions, _dissuasions_table),
    "terms": (selectors.term_precision, _terms_table),
    "frames": (selectors.frame_precision, _frames_table),
    "checkins": (selectors.checkins, _checkins_table),
}


# --- charts -------------------------------------------------------------------------------------------


def _chart_data(figures: selectors.Figures) -> dict:
    """What static/js/figures.js draws, as plain lists."""
    desks, severities = _labels(Desk.choices), _labels(Severity.choices)
    days = figures.period.days
    per_day: dict[tuple, list[int]] = {}
    for row in figures.alerts_per_day:
        series = per_day.setdefault((row["desk"], row["severity"]), [0] * len(days))
        series[(row["day"] - figures.period.since).days] = row["total"]
    claim = [row for row in figures.claim_times if row["claimed"]]
    return {
        "alerts": {
            "labels": [day.strftime("%m-%d") for day in days],
            "series": [
                {"label": f"{desks[desk]} · {severities[severity]}", "desk": desk, "severity": severity, "data": data}
                for (desk, severity), data in sorted(per_day.items(), key=lambda item: (item[0][0], -item[0][1]))
            ],
        },
        "claim": {
            "labels": [f"{desks[row['desk']]} · {severities[row['severity']]}" for row in claim],
            "median": [_minutes(row["median"]) for row in claim],
            "p90": [_minutes(row["p90"]) for row in claim],
            "sla": [_minutes(_claim_sla(row["severity"])) for row in claim],
        },
        "first_action": {
            "labels": [desks[row["desk"]] for row in figures.first_action_times],
            "median": [_minutes(row["median"]) for row in figures.first_action_times],
            "p90": [_minutes(row["p90"]) for row in figures.first_action_times],
            "sla": [_minutes(settings.SHOUHU_FIRST_ACTION_SLA) for _row in figures.first_action_times],
        },
        "outcomes": _counted(figures.case_outcomes, "outcome", Case.Outcome.choices),
        "interceptions": _counted(figures.interceptions, "status", InterceptionRequest.Status.choices),
        "checkins": {
            "labels": [_labels(CheckIn.Channel.choices)[row["channel"]] for row in figures.checkins],
            "planned": [row["planned"] for row in figures.checkins],
            "sent": [row["sent"] for row in figures.checkins],
            "replied": [row["replied"] for row in figures.checkins],
        },
        "words": {
            "median": _("Median"),
            "p90": _("90th percentile"),
            "sla": _("Target"),
            "minutes": _("minutes"),
            "due": _("Due in the period"),
            "sent": _("Sent or called"),
            "replied": _("Replied"),
        },
    }


def _counted(rows: list[dict], field: str, choices) -> dict:
    """Rows counted by one field (summed over desks), as labels and numbers."""
    labels = _labels(choices)
    totals: dict[str, int] = {}
    for row in rows:
        totals[row[field]] = totals.get(row[field], 0) + row["total"]
    return {"labels": [labels[key] for key in totals], "keys": list(totals), "data": list(totals.values())}


# --- pages --------------------------------------------------------------------------------------------


@portal_page(roles.VIEW_SUMMARY)
def figures(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = FiguresForm(request.GET or None)
    period = form.period()
    if not form.is_bound:
        form = FiguresForm(initial={"since": period.since, "until": period.until})
    figures = selectors.managers_figures(period)
    tables = [layout(getattr(figures, selector.__name__)) for selector, layout in TABLES.values()]
    context = {
        "form": form,
        "period": period,
        "figures": figures,
        "tables": tables,
        "charts": _chart_data(figures),
        "export_purposes": cast(forms.ChoiceField, ExportForm.base_fields["purpose"]).choices,
        "query": request.GET.urlencode(),
    }
    return render(request, "interventions/figures.html", context)


@portal_page(roles.VIEW_SUMMARY)
@require_POST
def figures_export(request: AuthenticatedHttpRequest, table: str) -> HttpResponse:
    """One table of the figures as CSV, with a purpose that goes into the access log."""
    if table not in TABLES:
        raise Http404
    period = FiguresForm(request.GET).period()
    back = f"{reverse('interventions:figures')}?{request.GET.urlencode()}"
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not exported: %(errors)s") % {"errors": form_errors_text(form)})
        return redirect(back)
    recent_authentication_ensure(request)
    selector, layout = TABLES[table]
    laid_out = layout(selector(period))
    desk = period.desks[0] if len(period.desks) == 1 else "all"
    name = f"figures-{table}-{desk}-{period.since:%Y%m%d}-{period.until:%Y%m%d}"
    access_record(
        user=request.user,
        action=AccessLog.Action.EXPORT,
        object_type="figures",
        object_id=table,
        object_label=name,
        purpose=form.cleaned_data["purpose"],
        address=client_address(request),
    )
    return csv_download(f"{name}.csv", [laid_out.header, *laid_out.rows])
