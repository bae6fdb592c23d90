"""Every read about indicators and where they were seen."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from interventions.models import Case

from .models import Indicator, Sighting


def case_indicators(*, case: Case) -> QuerySet[Indicator]:
    """The case's indicators, each with `other_case_count`: in how many other cases it was seen."""
    other_cases = (
        Sighting.objects.filter(indicator=OuterRef("pk"), case__isnull=False)
        .exclude(case=case)
        .values("indicator")
        .annotate(total=Count("case", distinct=True))
        .values("total")
    )
    return (
        Indicator.objects.filter(sightings__case=case)
        .annotate(other_case_count=Coalesce(Subquery(other_cases, output_field=IntegerField()), 0))
        .order_by("kind", "value")
    )
