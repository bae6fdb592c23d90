"""Every write to indicators, sightings, the blocklist and the official domains, and the fraud
signals of a message (a blocklisted indicator, a look-alike link)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.history import save_with_history
from accounts.models import User
from accounts.refusals import Invalid

from . import lookalike
from .default_scripts import DEFAULT_SCRIPTS
from .indicators import Found, normalise
from .models import DissuasionScript, Indicator, OfficialDomain, Sighting

if TYPE_CHECKING:
    # Names for the annotations only: a sighting is kept on an alert or a case, the layer above.
    from interventions.models import Alert, Case

DEFAULT_OFFICIAL_DOMAINS = ["taobao.com", "tmall.com", "alipay.com", "1688.com", "alibaba.com", "fliggy.com"]


@transaction.atomic
def indicator_sight(
    *, kind: str, raw: str, alert: Alert | None = None, case: Case | None = None, by: User | None = None
) -> Sighting:
    """Record that an indicator was seen in one alert or one case. Seeing it again there is a no-op."""
    if (alert is None) == (case is None):
        raise ValueError("A sighting needs an alert or a case, not both.")
    indicator, _created = Indicator.objects.get_or_create(
        kind=kind, value=normalise(kind, raw), defaults={"created_by": by}
    )
    place = {"alert": alert} if alert is not None else {"case": case}
    sighting, _ = Sighting.objects.get_or_create(indicator=indicator, **place, defaults={"created_by": by})
    return sighting


def indicators_sight_all(*, found: Iterable[Found], alert: Alert) -> None:
    """Record each indicator found in a message as seen in the alert the message is part of."""
    for item in found:
        indicator_sight(kind=item.kind, raw=item.value, alert=alert)


@transaction.atomic
def indicator_block(*, indicator: Indicator, by: User, reason: str) -> Indicator:
    """Blocklist an indicator confirmed as fraudulent: any new message carrying it alerts at once."""
    if not reason.strip():
        raise Invalid(_("Say why the indicator is blocklisted."))
    indicator.blocked_at, indicator.blocked_by, indicator.block_reason = timezone.now(), by, reason.strip()
    save_with_history(indicator, by=by, reason=reason, update_fields=["blocked_at", "blocked_by", "block_reason"])
    return indicator


@transaction.atomic
def indicator_unblock(*, indicator: Indicator, by: User, reason: str) -> Indicator:
    indicator.blocked_at, indicator.blocked_by, indicator.block_reason = None, None, ""
    save_with_history(indicator, by=by, reason=reason, update_fields=["blocked_at", "blocked_by", "block_reason"])
    return indicator


def official_domains_load_defaults(*, using: str = "default") -> int:
    """Fill an empty official-domain list; a list with any domain is left as its managers made it."""
    if OfficialDomain.objects.using(using).exists():
        return 0
    OfficialDomain.objects.using(using).bulk_create([OfficialDomain(domain=d) for d in DEFAULT_OFFICIAL_DOMAINS])
    return len(DEFAULT_OFFICIAL_DOMAINS)


@dataclass(frozen=True)
class FraudSignal:
    """Something in a message that needs the anti-fraud desk whatever words surround it."""

    reason: str


def fraud_signals(
    found: Iterable[Found], *, official_domains: list[str], blocked: set[tuple[str, str]]
) -> list[FraudSignal]:
    """Blocklisted indicators and look-alike links among the indicators found in a message."""
    signals = []
    for item in found:
        if (item.kind, item.value) in blocked:
            signals.append(
                FraudSignal(
                    _("blocklisted %(kind)s %(value)s") % {"kind": Indicator.Kind(item.kind).label, "value": item.value}
                )
            )
        elif item.kind == Indicator.Kind.DOMAIN:
            verdict = lookalike.check(item.value, official_domains)
            if verdict.flagged:
                signals.append(
                    FraudSignal(
                        _("phishing link %(domain)s imitates %(official)s")
                        % {"domain": verdict.domain, "official": verdict.lookalike_of}
                    )
                )
    return signals


def dissuasion_scripts_load_defaults(*, using: str = "default") -> int:
    """Fill an empty script table with the starting scripts; one its managers shaped is left alone."""
    if DissuasionScript.objects.using(using).exists():
        return 0
    DissuasionScript.objects.using(using).bulk_create(
        [DissuasionScript(scam_type=scam_type, points=points) for scam_type, points in DEFAULT_SCRIPTS.items()]
    )
    return len(DEFAULT_SCRIPTS)
