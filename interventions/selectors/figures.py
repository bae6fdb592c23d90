"""The managers' figures: what came in, how fast it was picked up and acted on, and what came of it,
over a date range and a choice of desks. Every number is an aggregate computed by the database;
nothing here loops over rows in Python."""

import json
import math
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate

from accounts.models import Desk
from fraud.models import Dissuasion, StopPaymentRequest
from orders.models import InterceptionRequest

from ..models import Alert, Case, CaseEvent, CheckIn, PoliceReferral

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


class Percentile(Aggregate):
    """The continuous percentile of a column (0.5 is the median). PostgreSQL has it built in;
    SQLite, the demo's database, gets the same function as `shouhu_percentile` (registered on each
    connection by sqlite_functions_register), so both compute it in the database."""

    name = "Percentile"
    template = "percentile_cont(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile is a fraction between 0 and 1.")
        super().__init__(expression, fraction=float(fraction), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        sqlite = self.copy()
        sqlite.template = "shouhu_percentile(%(expressions)s, %(fraction)s)"
        return sqlite.as_sql(compiler, connection, **extra_context)


class _SQLitePercentile:
    """percentile_cont for SQLite: the same interpolation as PostgreSQL's."""

    def __init__(self):
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value, fraction):
        if value is not None:
            self.values.append(value)
            self.fraction = fraction

    def finalize(self):
        if not self.values:
            return None
        ordered = sorted(self.values)
        position = self.fraction * (len(ordered) - 1)
        below = math.floor(position)
        above = min(below + 1, len(ordered) - 1)
        return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def sqlite_functions_register(sender, connection, **kwargs) -> None:
    """Connected to connection_created (InterventionsConfig.ready)."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("shouhu_percentile", 2, _SQLitePercentile)


@dataclass(frozen=True)
class Period:
    """Whole days in the portal's zone, both ends included, and the desks looked at."""

    since: date
    until: date
    desks: tuple[str, ...] = tuple(Desk.values)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time.min, tzinfo=_zone())

    @property
    def end(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=_zone())

    @property
    def days(self) -> list[date]:
        return [self.since + timedelta(days=n) for n in range((self.until - self.since).days + 1)]

    def within(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})


def _zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _duration(later: str, earlier) -> ExpressionWrapper:
    earlier = F(earlier) if isinstance(earlier, str) else earlier
    return ExpressionWrapper(F(later) - earlier, output_field=DurationField())


def alerts_per_day(period: Period) -> list[dict]:
    """[{day, desk, severity, total}] for every day, desk and severity that had alerts."""
    return list(
        Alert.objects.filter(period.within("created_at"), desk__in=period.desks)
        .annotate(day=TruncDate("created_at", tzinfo=_zone()))
        .values("day", "desk", "severity")
        .annotate(total=Count("id"))
        .order_by("day", "desk", "severity")
    )


def claim_times(period: Period) -> list[dict]:
    """Per desk and severity: alerts raised, claimed, claimed within the SLA, and the median and
    90th percentile time from raising to claiming."""
    waited = _duration("claimed_at", "created_at")
    claimed = Q(claimed_at__isnull=False)
    return list(
        Alert.objects.filter(period.within("created_at"), desk__in=period.desks)
        .values("desk", "severity")
        .annotate(
            raised=Count("id"),
            claimed=Count("id", filter=claimed),
            within_sla=Count("id", filter=claimed & Q(claimed_at__lte=F("sla_due_at"))),
            median=Percentile(waited, 0.5, filter=claimed),
            p90=Percentile(waited, 0.9, filter=claimed),
        )
        .order_by("desk", "-severity")
    )


def first_action_times(period: Period) -> list[dict]:
    """Per desk, for the cases opened in the period: how long from the first alert (or the
    opening, for a case opened by hand) to the first thing done for the person, as the median and
    90th percentile, and how many were acted on within SHOUHU_FIRST_ACTION_SLA."""
    first_alert = Alert.objects.filter(case=OuterRef("pk")).order_by("created_at").values("created_at")[:1]
    first_action = (
        CaseEvent.objects.filter(case=OuterRef("pk"), kind__in=ACTION_KINDS)
        .order_by("created_at")
        .values("created_at")[:1]
    )
    took = _duration("acted_at", "started_at")
    return list(
        Case.objects.filter(period.within("opened_at"), desk__in=period.desks)
        .annotate(started_at=Coalesce(Subquery(first_alert), F("opened_at")), acted_at=Subquery(first_action))
        .values("desk")
        .annotate(
            opened=Count("id"),
            acted=Count("id", filter=Q(acted_at__isnull=False)),
            within_sla=Count("id", filter=Q(acted_at__lte=F("started_at") + settings.SHOUHU_FIRST_ACTION_SLA)),
            median=Percentile(took, 0.5, filter=Q(acted_at__isnull=False)),
            p90=Percentile(took, 0.9, filter=Q(acted_at__isnull=False)),
        )
        .order_by("desk")
    )


def case_outcomes(period: Period) -> list[dict]:
    """[{desk, outcome, total}] of the cases closed in the period."""
    return list(
        Case.objects.filter(period.within("closed_at"), desk__in=period.desks, status=Case.Status.CLOSED)
        .values("desk", "outcome")
        .annotate(total=Count("id"))
        .order_by("desk", "-total", "outcome")
    )


def interceptions(period: Period) -> list[dict]:
    """[{status, total}] of the interceptions asked of shops in the period."""
    return list(
        InterceptionRequest.objects.filter(period.within("requested_at"), case__desk__in=period.desks)
        .values("status")
        .annotate(total=Count("id"))
        .order_by("status")
    )


def police_referrals(period: Period) -> list[dict]:
    """[{status, total}] of the referrals made to police and anti-fraud centres in the period."""
    return list(
        PoliceReferral.objects.filter(period.within("referred_at"), case__desk__in=period.desks)
        .values("status")
        .annotate(total=Count("id"))
        .order_by("status")
    )


def stop_payments(period: Period) -> dict:
    """Stop-payments requested in the period: how many, how many frozen, what was asked and what
    was frozen (yuan)."""
    totals = StopPaymentRequest.objects.filter(period.within("requested_at"), case__desk__in=period.desks).aggregate(
        requested=Count("id"),
        frozen=Count("id", filter=Q(status=StopPaymentRequest.Status.FROZEN)),
        amount_asked=Sum("amount"),
        amount_frozen=Sum("frozen_amount"),
    )
    return {**totals, "amount_asked": totals["amount_asked"] or 0, "amount_frozen": totals["amount_frozen"] or 0}


def dissuasions(period: Period) -> dict:
    """Dissuasion calls in the period: made, reached, convinced, and yuan protected."""
    totals = Dissuasion.objects.filter(period.within("at"), case__desk__in=period.desks).aggregate(
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
        CheckIn.objects.filter(period.within("due_at"), case__desk__in=period.desks)
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


# The ORM cannot unnest a JSON array, so the terms of each alert are read by SQL: one row per
# alert and term (DISTINCT: a phrase said three times in one message is one match), then counted.
_TERM_PRECISION_SQL = {
    "postgresql": """
        SELECT term, category,
               count(*) FILTER (WHERE status IN ('promoted', 'merged')) AS confirmed,
               count(*) FILTER (WHERE status = 'dismissed' AND dismiss_reason = 'false_alarm') AS false_alarms
          FROM (SELECT DISTINCT a.id, a.status, a.dismiss_reason, m->>'term' AS term, m->>'category' AS category
                  FROM interventions_alert a CROSS JOIN LATERAL jsonb_array_elements(a.matches) m
                 WHERE a.created_at >= %(start)s AND a.created_at < %(end)s AND a.desk = ANY(%(desks)s)
                   AND a.status IN ('promoted', 'merged', 'dismissed') AND a.matches <> '[]'::jsonb) matched
         GROUP BY term, category
    """,
    "sqlite": """
        SELECT term, category,
               sum(status IN ('promoted', 'merged')) AS confirmed,
               sum(status = 'dismissed' AND dismiss_reason = 'false_alarm') AS false_alarms
          FROM (SELECT DISTINCT a.id, a.status, a.dismiss_reason,
                       json_extract(m.value, '$.term') AS term, json_extract(m.value, '$.category') AS category
                  FROM interventions_alert a, json_each(a.matches) m
                 WHERE a.created_at >= %(start)s AND a.created_at < %(end)s
                   AND a.desk IN (SELECT value FROM json_each(%(desks_json)s))
                   AND a.status IN ('promoted', 'merged', 'dismissed')) matched
         GROUP BY term, category
    """,
}


def term_precision(period: Period) -> list[dict]:
    """Per scanner term, of the alerts it matched that were decided in the period's alerts: how
    many became (or joined) a case and how many were dismissed as false alarms, and the share
    that were real. Least precise first, so the terms worth tuning lead."""
    if connection.vendor == "sqlite":
        params = {
            "start": _sqlite_time(period.start),
            "end": _sqlite_time(period.end),
            "desks_json": json.dumps(list(period.desks)),
        }
    else:
        params = {"start": period.start, "end": period.end, "desks": list(period.desks)}
    with connection.cursor() as cursor:
        cursor.execute(_TERM_PRECISION_SQL[connection.vendor], params)
        rows = [
            {"term": term, "category": category, "confirmed": confirmed, "false_alarms": false_alarms}
            for term, category, confirmed, false_alarms in cursor.fetchall()
        ]
    for row in rows:
        decided = row["confirmed"] + row["false_alarms"]
        row["decided"] = decided
        row["precision"] = row["confirmed"] / decided if decided else None
    return sorted(rows, key=lambda row: (row["precision"] if row["precision"] is not None else 2, -row["decided"]))


def _sqlite_time(moment: datetime) -> str:
    """How Django stores an aware time in SQLite: naive UTC text."""
    return moment.astimezone(zoneinfo.ZoneInfo("UTC")).replace(tzinfo=None).isoformat(sep=" ")


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
    checkins: list[dict]


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
        checkins=checkins(period),
    )
