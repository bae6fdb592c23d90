"""Reads of police units: the directory and the units a case may be referred to."""

from accounts.models import User

from ..models import (
    Case,
    PoliceUnit,
)


def police_unit_for_liaison(user: User) -> PoliceUnit | None:
    """The one unit a liaison works for, or None."""
    return PoliceUnit.objects.select_related("region", "region__parent").filter(liaisons__user=user).first()


def police_units_for_case(case: Case) -> list[PoliceUnit]:
    """Active units, those serving the person's region first (district, then city, then province),
    the desk's kind of unit first within each (anti-fraud centres for the fraud desk)."""
    units = list(PoliceUnit.objects.filter(is_active=True).select_related("region__parent"))
    lineage = [region.pk for region in case.buyer.region.lineage()] if case.buyer and case.buyer.region else []
    preferred = PoliceUnit.Kind.ANTI_FRAUD_CENTRE if case.desk == "fraud" else PoliceUnit.Kind.POLICE

    def nearness(unit: PoliceUnit) -> tuple:
        depth = lineage.index(unit.region_id) if unit.region_id in lineage else len(lineage)
        return (depth, unit.kind != preferred, unit.name)

    return sorted(units, key=nearness)


def police_directory() -> list[tuple]:
    """Active units grouped by the region they serve (province, then city, then district)."""
    units = (
        PoliceUnit.objects.filter(is_active=True)
        .select_related("region__parent")
        .order_by("region__code", "kind", "name")
    )
    grouped: dict = {}
    for unit in units:
        grouped.setdefault(unit.region, []).append(unit)
    return list(grouped.items())
