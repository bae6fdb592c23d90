"""Every read about indicators and where they were seen."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from interventions.models import Alert, Case

from .models import Indicator, OfficialDomain, Sighting


def case_indicators(*, case: Case) -> QuerySet[Indicator]:
    """The case's indicators, each with `other_case_count` and `other_alert_count`: in how many
    other cases, and in how many alerts outside this case (earlier complaints), it was seen."""
    other_alerts = (
        Sighting.objects.filter(indicator=OuterRef("pk"), alert__isnull=False)
        .exclude(alert__case=case)
        .values("indicator")
        .annotate(total=Count("alert", distinct=True))
        .values("total")
    )
    other_cases = (
        Sighting.objects.filter(indicator=OuterRef("pk"), case__isnull=False)
        .exclude(case=case)
        .values("indicator")
        .annotate(total=Count("case", distinct=True))
        .values("total")
    )
    return (
        # The case's own sightings and those of its alerts, read as the ring reads them (an OR
        # across the alert join would scan every sighting and alert).
        Indicator.objects.filter(pk__in={indicator for _case, indicator in _links_of_cases({case.pk})})
        .annotate(
            other_case_count=Coalesce(Subquery(other_cases, output_field=IntegerField()), 0),
            other_alert_count=Coalesce(Subquery(other_alerts, output_field=IntegerField()), 0),
        )
        .order_by("kind", "value")
    )


def official_domain_names() -> list[str]:
    return list(OfficialDomain.objects.values_list("domain", flat=True))


def blocked_among(found) -> set[tuple[str, str]]:
    """(kind, value) of the found indicators that are blocklisted: one query for a whole batch."""
    values = {item.value for item in found}
    if not values:
        return set()
    return set(Indicator.objects.filter(value__in=values, blocked_at__isnull=False).values_list("kind", "value"))


def link_verdict(link: str):
    """The look-alike check of one link against the official domains, for the console."""
    from .lookalike import check

    return check(link, official_domain_names())


@dataclass
class Ring:
    """Cases linked through shared indicators (信息挂接), as far as `hops` case-to-case steps."""

    cases: dict[int, Case]
    indicators: dict[int, Indicator]
    # (case id, indicator id): the indicator was seen in the case or in one of its alerts
    links: set[tuple[int, int]]

    def counts(self) -> dict[str, int]:
        """How many indicators of each kind the ring holds."""
        totals: dict[str, int] = {}
        for indicator in self.indicators.values():
            totals[indicator.kind] = totals.get(indicator.kind, 0) + 1
        return totals

    def labelled_counts(self) -> list[tuple[str, int]]:
        return [(Indicator.Kind(kind).label, total) for kind, total in sorted(self.counts().items())]

    def shared(self) -> list[tuple[Indicator, list[int]]]:
        """Indicators seen in more than one case of the ring, with the cases, most shared first."""
        by_indicator: dict[int, list[int]] = {}
        for case_id, indicator_id in self.links:
            by_indicator.setdefault(indicator_id, []).append(case_id)
        rows = [(self.indicators[i], sorted(cases)) for i, cases in by_indicator.items() if len(cases) > 1]
        return sorted(rows, key=lambda row: (-len(row[1]), row[0].kind, row[0].value))


def ring_for_case(case: Case, *, hops: int = 2, max_cases: int = 500) -> Ring:
    """The ring around a case, walked breadth-first: case → its indicators → the other cases they
    were seen in, `hops` times. Two queries per hop whatever the size. At most `max_cases` cases:
    the last step is cut, nearest ids first, so a huge ring stays quick and shows its core."""
    seen_cases, seen_indicators, links = {case.pk}, set(), set()
    frontier = {case.pk}
    for _ in range(hops):
        found = _links_of_cases(frontier)
        links |= found
        new_indicators = {indicator for _case, indicator in found} - seen_indicators
        seen_indicators |= new_indicators
        reached = _links_of_indicators(new_indicators)
        room = max_cases - len(seen_cases)
        frontier = set(sorted({case_id for case_id, _indicator in reached} - seen_cases)[:room])
        seen_cases |= frontier
        links |= {(c, i) for c, i in reached if c in seen_cases}
        if not frontier or len(seen_cases) >= max_cases:
            break
    return Ring(
        cases=Case.objects.select_related("buyer", "owner").in_bulk(seen_cases),
        indicators=Indicator.objects.in_bulk(seen_indicators),
        links={(c, i) for c, i in links if c in seen_cases and i in seen_indicators},
    )


def _links_of_cases(case_ids: set[int]) -> set[tuple[int, int]]:
    """(case, indicator) seen in these cases or in their alerts. Two parts joined by UNION ALL:
    one OR across the alert join would make PostgreSQL read both tables whole."""
    if not case_ids:
        return set()
    own = Sighting.objects.filter(case__in=case_ids).values_list("case_id", "indicator_id")
    via_alerts = Sighting.objects.filter(alert__case__in=case_ids).values_list("alert__case_id", "indicator_id")
    return set(own.union(via_alerts, all=True))


def _links_of_indicators(indicator_ids: set[int]) -> set[tuple[int, int]]:
    """(case, indicator) for every case (directly or through its alerts) these indicators were seen in.

    The alert side is read in two steps, sightings then their alerts by primary key: joined in one
    query, PostgreSQL scans every alert that has a case (a hub indicator's few thousand sightings
    cost 200 ms that way, against a few ms by key)."""
    if not indicator_ids:
        return set()
    own = set(
        Sighting.objects.filter(indicator__in=indicator_ids, case__isnull=False).values_list("case_id", "indicator_id")
    )
    seen_in_alerts = list(
        Sighting.objects.filter(indicator__in=indicator_ids, alert__isnull=False).values_list(
            "alert_id", "indicator_id"
        )
    )
    alert_case = dict(
        Alert.objects.filter(pk__in={alert for alert, _ in seen_in_alerts}, case__isnull=False).values_list(
            "id", "case_id"
        )
    )
    return own | {(alert_case[alert], indicator) for alert, indicator in seen_in_alerts if alert in alert_case}
