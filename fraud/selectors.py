"""Every read about indicators and where they were seen."""

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from interventions.models import Case

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
        # The case's own sightings, and those of the alerts it holds.
        Indicator.objects.filter(Q(sightings__case=case) | Q(sightings__alert__case=case))
        .distinct()
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
