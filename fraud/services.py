"""Every write to indicators and sightings."""

import re
import unicodedata

from django.db import transaction

from accounts.models import User
from interventions.models import Alert, Case

from .models import Indicator, Sighting

_SPACES_AND_DASHES = re.compile(r"[\s\-()（）]+")


def indicator_normalise(*, kind: str, raw: str) -> str:
    """The one spelling under which an indicator is stored, so two spellings link.

    Full-width characters become half-width; phones keep digits (and a leading +86 is dropped,
    the default region being China); links and domains are lower-cased without a trailing slash
    or dot.
    """
    value = unicodedata.normalize("NFKC", raw).strip()
    if kind == Indicator.Kind.PHONE:
        value = _SPACES_AND_DASHES.sub("", value)
        if value.startswith("+86"):
            value = value[3:]
        elif value.startswith("0086"):
            value = value[4:]
        return value
    if kind in (Indicator.Kind.URL, Indicator.Kind.DOMAIN):
        value = value.lower().rstrip("/")
        return value.rstrip(".") if kind == Indicator.Kind.DOMAIN else value
    if kind == Indicator.Kind.PAYEE:
        return _SPACES_AND_DASHES.sub("", value)
    return value


@transaction.atomic
def indicator_sight(
    *, kind: str, raw: str, alert: Alert | None = None, case: Case | None = None, by: User | None = None
) -> Sighting:
    """Record that an indicator was seen in one alert or one case. Seeing it again there is a no-op."""
    if (alert is None) == (case is None):
        raise ValueError("A sighting needs an alert or a case, not both.")
    value = indicator_normalise(kind=kind, raw=raw)
    indicator, _created = Indicator.objects.get_or_create(kind=kind, value=value, defaults={"created_by": by})
    place = {"alert": alert} if alert is not None else {"case": case}
    sighting, _ = Sighting.objects.get_or_create(indicator=indicator, **place, defaults={"created_by": by})
    return sighting
