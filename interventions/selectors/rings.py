"""The ring around a case (信息挂接): the cases linked through shared indicators, drawn, tabled
and exported, and where one indicator was seen across the desks' alerts and cases."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from fraud.models import Indicator, Sighting
from interventions.models import Alert, Case

if TYPE_CHECKING:  # django_stubs_ext comes with the dev extras, not at run time
    from django_stubs_ext import StrOrPromise


def case_indicators(*, case: Case) -> QuerySet[Indicator]:
    """The case's indicators, each with `other_case_count` and `other_alert_count`: in how many
    other cases, and in how many alerts outside this case (earlier complaints), it was seen."""
    # The case's own sightings and those of its alerts, read as the ring reads them (an OR across
    # the alert join would scan every sighting and alert).
    found = {indicator for _case, indicator in _links_of_cases({case.pk})}
    return _seen_elsewhere(Indicator.objects.filter(pk__in=found), case_id=case.pk)


def alert_indicators(*, alert: Alert) -> QuerySet[Indicator]:
    """The indicators seen in the alert and, once it is part of a case, in the case and its other
    alerts: each with `other_case_count` and `other_alert_count`, as case_indicators counts them
    (outside the alert and its case)."""
    found = set(Sighting.objects.filter(alert=alert).values_list("indicator_id", flat=True))
    if alert.case_id is not None:
        found |= {indicator for _case, indicator in _links_of_cases({alert.case_id})}
    return _seen_elsewhere(Indicator.objects.filter(pk__in=found), case_id=alert.case_id, alert_id=alert.pk)


def _seen_elsewhere(
    indicators: QuerySet[Indicator], *, case_id: int | None, alert_id: int | None = None
) -> QuerySet[Indicator]:
    """`indicators` with how many cases other than `case_id`, and how many alerts outside it
    (and other than `alert_id`), each was seen in; by kind and value."""
    other_alerts = Sighting.objects.filter(indicator=OuterRef("pk"), alert__isnull=False)
    other_cases = Sighting.objects.filter(indicator=OuterRef("pk"), case__isnull=False)
    if case_id is not None:
        other_alerts = other_alerts.exclude(alert__case=case_id)
        other_cases = other_cases.exclude(case=case_id)
    if alert_id is not None:
        other_alerts = other_alerts.exclude(alert=alert_id)
    alerts_total = other_alerts.values("indicator").annotate(total=Count("alert", distinct=True)).values("total")
    cases_total = other_cases.values("indicator").annotate(total=Count("case", distinct=True)).values("total")
    return indicators.annotate(
        other_case_count=Coalesce(Subquery(cases_total, output_field=IntegerField()), 0),
        other_alert_count=Coalesce(Subquery(alerts_total, output_field=IntegerField()), 0),
    ).order_by("kind", "value")


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

    def labelled_counts(self) -> list[tuple["StrOrPromise", int]]:
        return [(Indicator.Kind(kind).label, total) for kind, total in sorted(self.counts().items())]

    def cases_of(self) -> dict[int, list[int]]:
        """For each indicator id, the ids of the ring's cases it was seen in."""
        by_indicator: dict[int, list[int]] = {}
        for case_id, indicator_id in sorted(self.links):
            by_indicator.setdefault(indicator_id, []).append(case_id)
        return by_indicator

    def shared(self) -> list[tuple[Indicator, list[int]]]:
        """Indicators seen in more than one case of the ring, with the cases, most shared first."""
        rows = [(self.indicators[i], cases) for i, cases in self.cases_of().items() if len(cases) > 1]
        return sorted(rows, key=lambda row: (-len(row[1]), row[0].kind, row[0].value))

    def all_indicators(self) -> list[tuple[Indicator, int]]:
        """Every indicator of the ring with how many of its cases it was seen in, most shared first."""
        cases_of = self.cases_of()
        rows = [(indicator, len(cases_of.get(pk, []))) for pk, indicator in self.indicators.items()]
        return sorted(rows, key=lambda row: (-row[1], row[0].kind, row[0].value))


def ring_for_case(case: Case, *, hops: int = 2, max_cases: int = 500) -> Ring:
    """The ring around a case, walked breadth-first: case → its indicators → the other cases they
    were seen in, `hops` times. A case merged into a ring case starts from the whole ring case.
    Four queries per hop and four to load the ring, whatever its size. At most `max_cases` cases:
    the last step is cut, nearest ids first, so a huge ring stays quick and shows its core."""
    frontier = _ring_case_and_members(case)
    seen_cases = set(frontier)
    seen_indicators: set[int] = set()
    links: set[tuple[int, int]] = set()
    for _hop in range(hops):
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
        # A desk has a few owners for hundreds of cases: prefetched, each is one User, where
        # select_related built one per case (4 ms of a 500-case ring).
        cases=Case.objects.select_related("buyer").prefetch_related("owner").in_bulk(seen_cases),
        indicators=Indicator.objects.in_bulk(seen_indicators),
        # Every link is within the ring already: a hop keeps the links of the cases it kept, and
        # every indicator it found.
        links=links,
    )


def _ring_case_and_members(case: Case) -> set[int]:
    """The case, and when it is or belongs to a ring case, that ring case and all its members:
    cases merged by hand stay one ring even where no indicator links them."""
    root = case.ring_id or case.pk
    return {case.pk, *Case.objects.filter(Q(pk=root) | Q(ring=root)).values_list("pk", flat=True)}


def _links_of_cases(case_ids: set[int]) -> set[tuple[int, int]]:
    """(case, indicator) seen in these cases or in their alerts. One OR across the alert join
    would make PostgreSQL read both tables whole."""
    if not case_ids:
        return set()
    own = Sighting.objects.filter(case__in=case_ids)
    via_alerts = Sighting.objects.filter(alert__case__in=case_ids)
    return {*own.values_list("case_id", "indicator_id"), *via_alerts.values_list("alert__case_id", "indicator_id")}


def _links_of_indicators(indicator_ids: set[int]) -> set[tuple[int, int]]:
    """(case, indicator) for every case (directly or through its alerts) these indicators were seen in.

    Read from indexes only: the sightings from their unique (indicator, place) indexes, the alerts'
    cases from alert_case_idx. The alerts are joined in the query, so that a hub indicator's few
    thousand alert ids do not travel to Python and back as a list of parameters."""
    if not indicator_ids:
        return set()
    own = Sighting.objects.filter(indicator__in=indicator_ids, case__isnull=False)
    via_alerts = Sighting.objects.filter(indicator__in=indicator_ids, alert__case__isnull=False)
    return {*own.values_list("case_id", "indicator_id"), *via_alerts.values_list("alert__case_id", "indicator_id")}


def ring_graph(ring: Ring, *, root: Case) -> dict:
    """The ring as nodes and edges for the drawing: every case, and the indicators that tie two
    or more cases together (one seen in a single case adds ink, not links; a lone case shows all
    of its own). Plain data for json_script; the page's script only draws it."""
    # A lone case has nothing shared: draw all its indicators, so the drawing shows what was found.
    shared = {i.pk for i, _cases in ring.shared()} if len(ring.cases) > 1 else set(ring.indicators)
    ring_cases = {case.ring_id for case in ring.cases.values() if case.ring_id}
    nodes = [
        {
            "id": f"c{case.pk}",
            "kind": "case",
            "label": case.reference,
            "title": case.title[:60],
            "risk": case.risk_level,
            "closed": case.is_closed,
            "ring_case": case.pk in ring_cases,
            "root": case.pk == root.pk,
        }
        for case in ring.cases.values()
    ]
    nodes += [
        {
            "id": f"i{indicator.pk}",
            "kind": indicator.kind,
            "label": indicator.value if len(indicator.value) <= 24 else indicator.value[:23] + "…",
            "title": indicator.get_kind_display(),
            "blocked": indicator.is_blocked,
        }
        for pk, indicator in ring.indicators.items()
        if pk in shared
    ]
    edges: list[dict[str, str | bool]] = [
        {"source": f"c{case}", "target": f"i{indicator}"}
        for case, indicator in sorted(ring.links)
        if indicator in shared
    ]
    edges += [
        {"source": f"c{case.pk}", "target": f"c{case.ring_id}", "merged": True}
        for case in ring.cases.values()
        if case.ring_id in ring.cases
    ]
    return {"nodes": nodes, "edges": edges}


def ring_evidence(ring: Ring, *, root: Case) -> dict:
    """The ring as evidence for an anti-fraud centre: its cases, and every indicator with the
    cases it was seen in. The same data feeds the JSON and the CSV export."""
    references = {pk: [ring.cases[case].reference for case in cases] for pk, cases in ring.cases_of().items()}
    return {
        "from_case": root.reference,
        "generated_at": timezone.now().isoformat(),
        "cases": [
            {
                "reference": case.reference,
                "title": case.title,
                "desk": case.desk,
                "status": case.status,
                "risk": case.get_risk_level_display(),
                "opened_at": case.opened_at.isoformat(),
                "ring_case": ring.cases[case.ring_id].reference if case.ring_id in ring.cases else "",
            }
            for case in sorted(ring.cases.values(), key=lambda c: c.pk)
        ],
        "indicators": [
            {
                "kind": indicator.kind,
                "value": indicator.value,
                "first_seen_at": indicator.first_seen_at.isoformat(),
                "blocklisted": indicator.is_blocked,
                "block_reason": indicator.block_reason,
                "cases": references.get(indicator.pk, []),
            }
            for indicator in sorted(ring.indicators.values(), key=lambda i: (i.kind, i.value))
        ],
    }


def ring_evidence_rows(evidence: dict) -> list[list[str]]:
    """One CSV row per indicator and case it was seen in, with a header row."""
    cases = {case["reference"]: case for case in evidence["cases"]}
    rows = [["indicator_kind", "indicator_value", "blocklisted", "case", "case_title", "case_status", "case_opened_at"]]
    for indicator in evidence["indicators"]:
        for reference in indicator["cases"]:
            case = cases[reference]
            rows.append(
                [
                    indicator["kind"],
                    indicator["value"],
                    "yes" if indicator["blocklisted"] else "no",
                    reference,
                    case["title"],
                    case["status"],
                    case["opened_at"],
                ]
            )
    return rows


def indicator_seen_in(indicator: Indicator, *, desks: list[str], limit: int = 200) -> dict:
    """Where an indicator was seen, newest first: the alerts and cases of the desks the reader
    works (others are only counted), so a specialist can open each earlier complaint."""
    sightings = Sighting.objects.filter(indicator=indicator)
    alerts = (
        Alert.objects.on_desks(desks)
        .filter(pk__in=sightings.filter(alert__isnull=False).values("alert"))
        .select_related("case", "buyer")
        .order_by("-created_at")
    )
    cases = (
        Case.objects.on_desks(desks)
        .filter(
            Q(pk__in=sightings.filter(case__isnull=False).values("case"))
            | Q(pk__in=sightings.filter(alert__case__isnull=False).values("alert__case"))
        )
        .select_related("owner")
        .order_by("-opened_at")
    )
    return {
        "alerts": list(alerts[:limit]),
        "cases": list(cases[:limit]),
        "alert_count": alerts.count(),
        "case_count": cases.count(),
        "sightings": sightings.count(),
    }


def ring_report_draft(ring: Ring) -> str:
    """A first draft of what to tell the anti-fraud centre about a ring; the specialist edits it."""
    cases = sorted(ring.cases.values(), key=lambda c: c.pk)
    lines = [
        _("A ring of %(n)d linked cases: %(references)s.")
        % {"n": len(cases), "references": ", ".join(c.reference for c in cases)}
    ]
    for indicator, case_ids in ring.shared()[:20]:
        lines.append(
            _("%(kind)s %(value)s: in %(n)d cases.")
            % {"kind": indicator.get_kind_display(), "value": indicator.value, "n": len(case_ids)}
        )
    return "\n".join(lines)
