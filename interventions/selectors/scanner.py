"""Reads for the scanner: the live term lists, and what the desk decided about its alerts."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, Sum

from ..choices import Source
from ..models import Alert, Case, Message, ScannerBacktest, ScanTerm, ScanTermChange
from ..scanner import Lexicon, Term, scan_text
from ..scanner.model import shipped as shipped_model

_lexicon_cache: dict[str, Lexicon] = {}


def scan_term_list_version() -> tuple:
    """Changes whenever a term is added, edited, switched off or removed. Edits through the admin
    move `updated_at`; the counts and the weight sum also catch a bulk `.update()`."""
    active = Q(is_active=True)
    summary = ScanTerm.objects.aggregate(
        count=Count("id"),
        active=Count("id", filter=active),
        weights=Sum("weight", filter=active),
        changed=Max("updated_at"),
        last_id=Max("id"),
    )
    return tuple(summary.values())


def current_lexicon() -> Lexicon:
    """The compiled active term lists with the shipped model, rebuilt in this process only when
    the lists changed. One small query per call, so call it once per batch, not per message."""
    version = scan_term_list_version()
    cached = _lexicon_cache.get("current")
    if cached is None or cached.version != version:
        terms = ScanTerm.objects.filter(is_active=True).values_list("phrase", "category", "weight", "goods")
        cached = Lexicon([Term(*row) for row in terms], version=version, model=shipped_model())
        _lexicon_cache["current"] = cached
    return cached


def scanner_desk_examples() -> list[tuple[str, str]]:
    """(text, label) of every message of an alert the desk decided: an alert that became or
    joined a case is labelled with its desk, one dismissed as a false alarm is benign. Alerts
    dismissed as duplicates or as nothing to act on say nothing about the words, and are left out."""
    decided = Alert.objects.filter(
        Q(status__in=(Alert.Status.PROMOTED, Alert.Status.MERGED))
        | Q(status=Alert.Status.DISMISSED, dismiss_reason=Alert.DismissReason.FALSE_ALARM)
    ).prefetch_related(Prefetch("messages", queryset=Message.objects.only("id", "text")))
    examples = []
    for alert in decided.only("id", "desk", "status").iterator(chunk_size=500):
        label = "benign" if alert.status == Alert.Status.DISMISSED else alert.desk
        examples += [(message.text, label) for message in alert.messages.all() if message.text]
    return examples


def scan_term_named(phrase: str, category: str) -> ScanTerm | None:
    """The term of this phrase in this category, switched on or off; None if the lists have none."""
    return ScanTerm.objects.filter(phrase=phrase, category=category).first()


def pending_term_changes():
    """The proposed changes to the term lists not yet published or withdrawn, oldest first."""
    return (
        ScanTermChange.objects.filter(status=ScanTermChange.Status.PROPOSED)
        .select_related("term")
        .order_by("proposed_at", "id")
    )


def recent_backtests(*, limit: int = 10):
    return ScannerBacktest.objects.select_related("requested_by").order_by("-requested_at", "-id")[:limit]


MISSED_LOOKBACK = timedelta(days=30)  # how far before a case opened its person's messages are read


def missed_messages(*, desks: Sequence[str], since: datetime, limit: int = 100) -> list[dict]:
    """What the scanner let through: for each case opened since `since` by another route (a
    shop's report or an alert raised by hand, with no alert of the scanner's own), its person's
    messages of the 30 days before it opened that raised no alert on the case's desk. Newest
    cases first; each row is the case, the message, and how the scanner reads the message today
    (its level and the frames it finds, even below medium), so a manager can see what wording to
    add. Three queries, whatever the number of rows."""
    scanner_alerts = Alert.objects.filter(case=OuterRef("pk"), raised_by__isnull=True).exclude(
        source__in=(Source.MERCHANT_REPORT, Source.MANUAL)
    )
    cases = list(
        Case.objects.on_desks(desks)
        .filter(opened_at__gte=since, buyer__isnull=False)
        .exclude(Exists(scanner_alerts))
        .order_by("-opened_at")
        .only("id", "desk", "buyer_id", "opened_at")[:limit]
    )
    if not cases:
        return []
    earliest = min(case.opened_at for case in cases) - MISSED_LOOKBACK
    messages = (
        Message.objects.filter(
            buyer_id__in={case.buyer_id for case in cases},
            sent_at__gte=earliest,
            source__in=(Source.CHAT, Source.COMPLAINT),
        )
        .prefetch_related(Prefetch("alerts", queryset=Alert.objects.only("id", "desk")))
        .only("id", "buyer_id", "sent_at", "text")
        .order_by("sent_at")
    )
    by_buyer: dict[int | None, list[Message]] = {}
    for message in messages:
        by_buyer.setdefault(message.buyer_id, []).append(message)
    lexicon = current_lexicon()
    rows = []
    for case in cases:
        for message in by_buyer.get(case.buyer_id, []):
            if not case.opened_at - MISSED_LOOKBACK <= message.sent_at < case.opened_at:
                continue
            if any(alert.desk == case.desk for alert in message.alerts.all()):
                continue
            result = scan_text(message.text, lexicon)
            rows.append(
                {
                    "case": case,
                    "message": message,
                    "level": result.level_for(case.desk),
                    "severity": result.desk_severity.get(case.desk, 0),
                    "frames": result.frames_for(case.desk),
                    "reason": result.reason_for(case.desk),
                }
            )
    return rows
