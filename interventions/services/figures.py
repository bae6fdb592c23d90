"""Rolling the managers' figures up per day. Each day's rows are recomputed whole from the records,
so a roll-up run twice, or a day recomputed for no reason, changes nothing. A sweep finds the days
whose records changed since its last run (alerts and cases by `updated_at`, timeline actions by
their time) and recomputes those, today always included."""

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, FloatField, Func, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Floor, Ln, TruncDate
from django.db.models.lookups import LessThan
from django.utils import timezone

from ..models import (
    Alert,
    AlertDayFigure,
    Case,
    CaseDayFigure,
    CaseEvent,
    DurationBucket,
    FigureRollup,
    FrameDayFigure,
    TermDayFigure,
)
from ..selectors.figures import ACTION_KINDS, BUCKET_GROWTH, Period, portal_zone

ROLLUP = "figures"
# Changes committed a little after the run that should have seen them (a transaction that began
# before the run) are taken in by the next run: each run looks back this far past its mark.
OVERLAP = timedelta(minutes=2)


class Seconds(Func):
    """A duration in seconds, as a float, on PostgreSQL (an interval) and SQLite (microseconds)."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s / 1000000.0)", **extra)


def _bucket(later: str, earlier: str) -> models.Case:
    """The DurationBucket the wait from `earlier` to `later` falls in, computed by the database."""
    waited = Seconds(ExpressionWrapper(F(later) - F(earlier), output_field=DurationField()))
    return models.Case(
        models.When(LessThan(waited, 1), then=Value(0)),
        default=Floor(Ln(waited) / Value(math.log(BUCKET_GROWTH))) + Value(1),
        output_field=models.IntegerField(),
    )


@transaction.atomic
def figures_roll_up_day(day: date) -> None:
    """Recompute one day's figures from the records."""
    one_day = Period(since=day, until=day)
    start, end = one_day.start, one_day.end
    for model in (AlertDayFigure, CaseDayFigure, TermDayFigure, FrameDayFigure, DurationBucket):
        model.objects.filter(day=day).delete()
    _roll_up_alerts(day, start, end)
    _roll_up_cases(day, start, end)
    _roll_up_terms(day, start, end)
    _roll_up_frames(day, start, end)


def _roll_up_alerts(day: date, start: datetime, end: datetime) -> None:
    alerts = Alert.objects.filter(created_at__gte=start, created_at__lt=end)
    claimed = Q(claimed_at__isnull=False)
    AlertDayFigure.objects.bulk_create(
        AlertDayFigure(day=day, **row)
        for row in alerts.values("desk", "severity").annotate(
            raised=Count("id"),
            claimed=Count("id", filter=claimed),
            claimed_within_sla=Count("id", filter=claimed & Q(claimed_at__lte=F("sla_due_at"))),
        )
    )
    waits = (
        alerts.filter(claimed)
        .annotate(bucket=_bucket("claimed_at", "created_at"))
        .values("desk", "severity", "bucket")
        .annotate(count=Count("id"))
    )
    DurationBucket.objects.bulk_create(
        DurationBucket(day=day, measure=DurationBucket.Measure.CLAIM, **row) for row in waits
    )


def _roll_up_cases(day: date, start: datetime, end: datetime) -> None:
    """Each case counts on the day it was opened: from its first alert (or its opening, for a case
    opened by hand) to the first thing done for the person."""
    first_alert = Alert.objects.filter(case=OuterRef("pk")).order_by("created_at").values("created_at")[:1]
    first_action = (
        CaseEvent.objects.filter(case=OuterRef("pk"), kind__in=ACTION_KINDS)
        .order_by("created_at")
        .values("created_at")[:1]
    )
    cases = Case.objects.filter(opened_at__gte=start, opened_at__lt=end).annotate(
        started_at=Coalesce(Subquery(first_alert), F("opened_at")), acted_at=Subquery(first_action)
    )
    acted = Q(acted_at__isnull=False)
    CaseDayFigure.objects.bulk_create(
        CaseDayFigure(day=day, **row)
        for row in cases.values("desk").annotate(
            opened=Count("id"),
            acted=Count("id", filter=acted),
            acted_within_target=Count(
                "id", filter=acted & Q(acted_at__lte=F("started_at") + settings.SHOUHU_FIRST_ACTION_SLA)
            ),
        )
    )
    waits = (
        cases.filter(acted)
        .annotate(bucket=_bucket("acted_at", "started_at"))
        .values("desk", "bucket")
        .annotate(count=Count("id"))
    )
    DurationBucket.objects.bulk_create(
        DurationBucket(day=day, measure=DurationBucket.Measure.FIRST_ACTION, severity=0, **row) for row in waits
    )


# The ORM cannot unnest a JSON array, so the terms of each alert are read by SQL: one row per
# alert and term (DISTINCT: a phrase said three times in one message is one match), then counted.
_TERMS_SQL = {
    "postgresql": """
        SELECT desk, term, category,
               count(*) FILTER (WHERE status IN ('promoted', 'merged')),
               count(*) FILTER (WHERE status = 'dismissed' AND dismiss_reason = 'false_alarm')
          FROM (SELECT DISTINCT a.id, a.desk, a.status, a.dismiss_reason,
                       m->>'term' AS term, m->>'category' AS category
                  FROM interventions_alert a CROSS JOIN LATERAL jsonb_array_elements(a.matches) m
                 WHERE a.created_at >= %(start)s AND a.created_at < %(end)s
                   AND a.status IN ('promoted', 'merged', 'dismissed')) matched
         GROUP BY desk, term, category
    """,
    "sqlite": """
        SELECT desk, term, category,
               sum(status IN ('promoted', 'merged')),
               sum(status = 'dismissed' AND dismiss_reason = 'false_alarm')
          FROM (SELECT DISTINCT a.id, a.desk, a.status, a.dismiss_reason,
                       json_extract(m.value, '$.term') AS term, json_extract(m.value, '$.category') AS category
                  FROM interventions_alert a, json_each(a.matches) m
                 WHERE a.created_at >= %(start)s AND a.created_at < %(end)s
                   AND a.status IN ('promoted', 'merged', 'dismissed')) matched
         GROUP BY desk, term, category
    """,
}


def _decided_rows(sql: dict[str, str], start: datetime, end: datetime) -> list[tuple]:
    times = {"start": start, "end": end}
    params: Mapping[str, datetime | str] = times
    if connection.vendor == "sqlite":
        # How Django stores an aware time in SQLite: naive UTC text.
        params = {key: moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ") for key, moment in times.items()}
    with connection.cursor() as cursor:
        cursor.execute(sql[connection.vendor], params)
        return cursor.fetchall()


def _roll_up_terms(day: date, start: datetime, end: datetime) -> None:
    rows = _decided_rows(_TERMS_SQL, start, end)
    TermDayFigure.objects.bulk_create(
        TermDayFigure(
            day=day, desk=desk, term=term[:100], category=category or "", confirmed=confirmed, false_alarms=false_alarms
        )
        for desk, term, category, confirmed, false_alarms in rows
        if term and (confirmed or false_alarms)
    )


# Per scanner frame: the same count, one row per alert and frame.
_FRAMES_SQL = {
    "postgresql": """
        SELECT desk, frame,
               count(*) FILTER (WHERE status IN ('promoted', 'merged')),
               count(*) FILTER (WHERE status = 'dismissed' AND dismiss_reason = 'false_alarm')
          FROM (SELECT DISTINCT a.id, a.desk, a.status, a.dismiss_reason, f AS frame
                  FROM interventions_alert a CROSS JOIN LATERAL jsonb_array_elements_text(a.frames) f
                 WHERE a.created_at >= %(start)s AND a.created_at < %(end)s
                   AND a.status IN ('promoted', 'merged', 'dismissed')) framed
         GROUP BY desk, frame
    """,
    "sqlite": """
        SELECT desk, frame,
               sum(status IN ('promoted', 'merged')),
               sum(status = 'dismissed' AND dismiss_reason = 'false_alarm')
          FROM (SELECT DISTINCT a.id, a.desk, a.status, a.dismiss_reason, f.value AS frame
                  FROM interventions_alert a, json_each(a.frames) f
                 WHERE a.created_at >= %(start)s AND a.created_at < %(end)s
                   AND a.status IN ('promoted', 'merged', 'dismissed')) framed
         GROUP BY desk, frame
    """,
}


def _roll_up_frames(day: date, start: datetime, end: datetime) -> None:
    rows = _decided_rows(_FRAMES_SQL, start, end)
    FrameDayFigure.objects.bulk_create(
        FrameDayFigure(day=day, desk=desk, frame=frame[:20], confirmed=confirmed, false_alarms=false_alarms)
        for desk, frame, confirmed, false_alarms in rows
        if frame and (confirmed or false_alarms)
    )


def figures_roll_up(*, now: datetime | None = None) -> list[date]:
    """Recompute every day whose records changed since the last run, and today. The first run
    takes in every day that has records. Returns the days recomputed."""
    now = now or timezone.now()
    with transaction.atomic():
        mark, _ = FigureRollup.objects.select_for_update().get_or_create(name=ROLLUP)
        days = _changed_days(since=mark.covered_until - OVERLAP if mark.covered_until else None)
        days.add(timezone.localdate(now, portal_zone()))
        for day in sorted(days):
            figures_roll_up_day(day)
        mark.covered_until = now
        mark.save(update_fields=["covered_until"])
    return sorted(days)


def _changed_days(*, since: datetime | None) -> set[date]:
    zone = portal_zone()
    alerts = Alert.objects.all() if since is None else Alert.objects.filter(updated_at__gte=since)
    cases = Case.objects.all() if since is None else Case.objects.filter(updated_at__gte=since)
    acted = CaseEvent.objects.filter(kind__in=ACTION_KINDS)
    if since is not None:
        acted = acted.filter(created_at__gte=since)
    days = set(alerts.annotate(day=TruncDate("created_at", tzinfo=zone)).values_list("day", flat=True).distinct())
    # A case's figures are on the day it opened; its alerts and its actions move them.
    touched = (
        Q(pk__in=cases.values("pk"))
        | Q(pk__in=acted.values("case"))
        | Q(pk__in=alerts.filter(case__isnull=False).values("case"))
    )
    opened = Case.objects.filter(touched).annotate(day=TruncDate("opened_at", tzinfo=zone))
    days |= set(opened.values_list("day", flat=True).distinct())
    return days
