"""The managers' figures: what came in, how fast it was picked up and acted on, and what came of it,
over a date range and a choice of desks. Every number is an aggregate computed by the database,
nothing loops over records in Python. Alerts, cases and scanner terms are read from their daily
roll-ups (models/figures.py, kept by services/figures.py), so a quarter costs a few thousand rows,
not half a million; the actions (interceptions, referrals, money) are few enough to count directly."""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Manager, Q, QuerySet, Sum

from accounts.desks import on_desks
from accounts.models import Desk
from fraud.models import Dissuasion, StopPaymentRequest
from orders.models import InterceptionRequest

from ..models import (
    AlertDayFigure,
    Case,
    CaseDayFigure,
    CaseEvent,
    CheckIn,
    DurationBucket,
    FigureRollup,
    FrameDayFigure,
    PoliceReferral,
    TermDayFigure,
)

# What counts as acting for the person, as opposed to reading, noting or re-assigning.
ACTION_KINDS = (
    CaseEvent.Kind.INTERCEPTION_REQUESTED,
    CaseEvent.Kind.POLICE_REFERRED,
    CaseEvent.Kind.STOP_PAYMENT_REQUESTED,
    CaseEvent.Kind.DISSUADED,
    CaseEvent.Kind.CHECKIN_PLANNED,
    CaseEvent.Kind.CHECKIN_CALLED,
    CaseEvent.Kind.RING_REFERRED,
)
# Each duration bucket is 5 % wider than the one before (see DurationBucket).
BUCKET_GROWTH = 1.05


def portal_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Period:
    """Whole days in the portal's zone, both ends included, and the desks looked at."""

    since: date
    until: date
    desks: tuple[str, ...] = tuple(Desk.values)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time.min, tzinfo=portal_zone())

    @property
    def end(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=portal_zone())

    @property
    def days(self) -> list[date]:
        return [self.since + timedelta(days=n) for n in range((self.until - self.since).days + 1)]

    @property
    def every_desk(self) -> bool:
        return set(self.desks) >= set(Desk.values)

    def within(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})

    def rolled_up(self, queryset: Manager | QuerySet) -> QuerySet:
        """A roll-up's rows of the period's days and desks."""
        return queryset.filter(on_desks(self.desks), day__gte=self.since, day__lte=self.until)

    def of_cases(self, queryset: Manager | QuerySet, field: str) -> QuerySet:
        """Rows of the period whose case is on one of its desks. With every desk chosen, the case
        is not read at all."""
        queryset = queryset.filter(self.within(field))
        return queryset if self.every_desk else queryset.filter(on_desks(self.desks, via="case__"))


def bucket_seconds(bucket: int) -> float:
    """The middle of a duration bucket, in seconds (geometric: the buckets grow by a factor)."""
    return 0.0 if bucket == 0 else BUCKET_GROWTH ** (bucket - 0.5)


def alerts_per_day(period: Period) -> list[dict]:
    """[{day, desk, severity, total}] for every day, desk and severity that had alerts."""
    return list(
        period.rolled_up(AlertDayFigure.objects)
        .values("day", "desk", "severity")
        .annotate(total=Sum("raised"))
        .order_by("day", "desk", "severity")
    )


def claim_times(period: Period) -> list[dict]:
    """Per desk and severity: alerts raised, claimed, claimed within the SLA, and the median and
    90th percentile time from raising to claiming (within 5 %: see DurationBucket)."""
    rows = list(
        period.rolled_up(AlertDayFigure.objects)
        .values("desk", "severity")
        .annotate(raised=Sum("raised"), claimed=Sum("claimed"), within_sla=Sum("claimed_within_sla"))
        .order_by("desk", "-severity")
    )
    waits = _percentiles(period, DurationBucket.Measure.CLAIM)
    return [{**row, **waits.get((row["desk"], row["severity"]), _NO_WAITS)} for row in rows]


def first_action_times(period: Period) -> list[dict]:
    """Per desk, for the cases opened in the period: how long from the first alert (or the
    opening, for a case opened by hand) to the first thing done for the person, as the median and
    90th percentile, and how many were acted on within SHOUHU_FIRST_ACTION_SLA."""
    rows = list(
        period.rolled_up(CaseDayFigure.objects)
        .values("desk")
        .annotate(opened=Sum("opened"), acted=Sum("acted"), within_sla=Sum("acted_within_target"))
        .order_by("desk")
    )
    waits = _percentiles(period, DurationBucket.Measure.FIRST_ACTION)
    return [{**row, **waits.get((row["desk"], 0), _NO_WAITS)} for row in rows]


_NO_WAITS = {"median": None, "p90": None}

# The bucket holding the median and the 90th percentile wait of each group: running sums over the
# buckets in order, and the first bucket whose running sum reaches the share.
_PERCENTILE_SQL = """
    SELECT desk, severity,
           MIN(CASE WHEN below >= 0.5 * total THEN bucket END),
           MIN(CASE WHEN below >= 0.9 * total THEN bucket END)
      FROM (SELECT desk, severity, bucket,
                   SUM(waits) OVER (PARTITION BY desk, severity ORDER BY bucket) AS below,
                   SUM(waits) OVER (PARTITION BY desk, severity) AS total
              FROM ({per_bucket}) per_bucket) running
     GROUP BY desk, severity
"""


def _percentiles(period: Period, measure: str) -> dict[tuple[str, int], dict]:
    per_bucket = (
        period.rolled_up(DurationBucket.objects.filter(measure=measure))
        .values("desk", "severity", "bucket")
        .annotate(waits=Sum("count"))
        .order_by()
    )
    sql, params = per_bucket.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_PERCENTILE_SQL.format(per_bucket=sql), params)
        return {
            (desk, severity): {
                "median": timedelta(seconds=bucket_seconds(median)),
                "p90": timedelta(seconds=bucket_seconds(p90)),
            }
            for desk, severity, median, p90 in cursor.fetchall()
        }


def term_precision(period: Period) -> list[dict]:
    """Per scanner term, of the alerts it matched in the period that were decided: how many became
    (or joined) a case, how many were dismissed as false alarms, and the share that were real.
    Least precise first, so the terms worth tuning lead."""
    return _precision(period.rolled_up(TermDayFigure.objects).values("term", "category"))


def frame_precision(period: Period) -> list[dict]:
    """Per scanner frame, as term_precision: which ways of reading a message the desk confirms
    and which it dismisses."""
    return _precision(period.rolled_up(FrameDayFigure.objects).values("desk", "frame"))


def _precision(grouped) -> list[dict]:
    rows = list(grouped.annotate(confirmed=Sum("confirmed"), false_alarms=Sum("false_alarms")))
    for row in rows:
        row["decided"] = row["confirmed"] + row["false_alarms"]
        row["precision"] = row["confirmed"] / row["decided"] if row["decided"] else None
    return sorted(rows, key=lambda row: (row["precision"] if row["precision"] is not None else 2, -row["decided"]))


def figures_as_of() -> datetime | None:
    """Up to when the rolled-up figures have taken in changes."""
    return FigureRollup.objects.filter(name="figures").values_list("covered_until", flat=True).first()


def case_outcomes(period: Period) -> list[dict]:
    """[{desk, outcome, total}] of the cases closed in the period."""
    rows = (
        Case.objects.on_desks(period.desks)
        .filter(period.within("closed_at"), status=Case.Status.CLOSED)
        .values("desk", "outcome")
        .annotate(total=Count("id"))
        .order_by("desk", "-total", "outcome")
    )
    # The stubs type each row as a TypedDict, which list[dict] does not take; dict() says it is one.
    return [dict(row) for row in rows]


def interceptions(period: Period) -> list[dict]:
    """[{status, total}] of the interceptions asked of shops in the period."""
    return list(
        period.of_cases(InterceptionRequest.objects, "requested_at")
        .values("status")
        .annotate(total=Count("id"))
        .order_by("status")
    )


def police_referrals(period: Period) -> list[dict]:
    """[{status, total}] of the referrals made to police and anti-fraud centres in the period."""
    return list(
        period.of_cases(PoliceReferral.objects, "referred_at")
        .values("status")
        .annotate(total=Count("id"))
        .order_by("status")
    )


def stop_payments(period: Period) -> dict:
    """Stop-payments requested in the period: how many, how many frozen, what was asked and what
    was frozen (yuan)."""
    totals = period.of_cases(StopPaymentRequest.objects, "requested_at").aggregate(
        requested=Count("id"),
        frozen=Count("id", filter=Q(status=StopPaymentRequest.Status.FROZEN)),
        amount_asked=Sum("amount"),
        amount_frozen=Sum("frozen_amount"),
    )
    return {**totals, "amount_asked": totals["amount_asked"] or 0, "amount_frozen": totals["amount_frozen"] or 0}


def dissuasions(period: Period) -> dict:
    """Dissuasion calls in the period: made, reached, convinced, and yuan protected."""
    totals = period.of_cases(Dissuasion.objects, "at").aggregate(
        made=Count("id"),
        reached=Count("id", filter=Q(reached=True)),
        convinced=Count("id", filter=Q(convinced=True)),
        protected=Sum("amount_protected"),
    )
    return {**totals, "protected": totals["protected"] or 0}


def checkins(period: Period) -> list[dict]:
    """Per channel, the check-ins due in the period: planned, sent, replied (or called), no reply,
    could not be sent."""
    sent = Q(sent_at__isnull=False) | Q(status=CheckIn.Status.DONE)
    return list(
        period.of_cases(CheckIn.objects, "due_at")
        .exclude(status=CheckIn.Status.CANCELLED)
        .values("channel")
        .annotate(
            planned=Count("id"),
            sent=Count("id", filter=sent),
            replied=Count("id", filter=Q(status__in=[CheckIn.Status.REPLIED, CheckIn.Status.DONE])),
            missed=Count("id", filter=Q(status=CheckIn.Status.MISSED)),
            failed=Count("id", filter=Q(status=CheckIn.Status.FAILED)),
        )
        .order_by("channel")
    )


@dataclass(frozen=True)
class Figures:
    period: Period
    alerts_per_day: list[dict]
    claim_times: list[dict]
    first_action_times: list[dict]
    case_outcomes: list[dict]
    interceptions: list[dict]
    police_referrals: list[dict]
    stop_payments: dict
    dissuasions: dict
    term_precision: list[dict]
    frame_precision: list[dict]
    checkins: list[dict]
    as_of: datetime | None


def managers_figures(period: Period) -> Figures:
    """Everything the dashboard shows, for one period."""
    return Figures(
        period=period,
        alerts_per_day=alerts_per_day(period),
        claim_times=claim_times(period),
        first_action_times=first_action_times(period),
        case_outcomes=case_outcomes(period),
        interceptions=interceptions(period),
        police_referrals=police_referrals(period),
        stop_payments=stop_payments(period),
        dissuasions=dissuasions(period),
        term_precision=term_precision(period),
        frame_precision=frame_precision(period),
        checkins=checkins(period),
        as_of=figures_as_of(),
    )
