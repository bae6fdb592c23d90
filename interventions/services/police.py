"""Writes to the police liaison directory."""

from django.db import transaction

from accounts.models import User
from orders.models import Region

from ..models import PoliceLiaison, PoliceUnit


@transaction.atomic
def police_unit_register(
    *, name: str, kind: str, region: Region, phone_24h: str, address: str = "", by: User | None = None
) -> PoliceUnit:
    unit = PoliceUnit(name=name, kind=kind, region=region, phone_24h=phone_24h, address=address)
    unit.full_clean()
    unit._history_user = by
    unit.save()
    return unit


@transaction.atomic
def police_liaison_link(*, user: User, unit: PoliceUnit, by: User | None) -> PoliceLiaison:
    """Make `user` a liaison of `unit`; a liaison belongs to exactly one unit."""
    liaison = PoliceLiaison(user=user, unit=unit)
    liaison._history_user = by
    liaison.save()
    return liaison
