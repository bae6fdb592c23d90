"""Messages pushed in by the platform's systems, and their scanning into alerts.

Nothing is lost between the two: a message is stored first (once per source and external id),
then scanned by a task enqueued after commit; a message whose task never ran is picked up by the
sweep that beat runs every minute.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Value
from django.utils import timezone

from accounts.models import Desk
from config.celery import enqueue_after_commit
from config.db import insert_new, retried_on_deadlock, statements_committed_whole
from fraud.indicators import Found
from fraud.indicators import extract as extract_indicators
from fraud.selectors import blocked_among, official_domain_names
from fraud.services import FraudSignal, fraud_signals, indicators_sight_all
from orders.models import Buyer, Merchant, Order, Product
from orders.services import buyers_record, contacts_of, orders_intake

from ..choices import Severity, Source
from ..models import Alert, Message, ScanTerm
from ..scanner import Lexicon, ScanResult, scan_text
from ..scanner.default_terms import RETIRED_DEFAULTS, default_terms
from ..scanner.frames import Frame
from ..selectors import current_lexicon
from .alerts import ConversationVerdict, PeopleAtHand, alert_raise_or_join
from .checkins import checkin_replies_record
from .interceptions import reorders_watch

logger = logging.getLogger(__name__)

# Staff raise manual alerts from the console; integrations send the rest.
INTAKE_SOURCES = (Source.CHAT, Source.COMPLAINT, Source.MERCHANT_REPORT, Source.ORDER)
MAX_TEXT_LENGTH = 10_000
MAX_BATCH = 1_000
# An unscanned message older than this is the sweep's, not its own task's, to scan.
SWEEP_AFTER = timedelta(minutes=1)


def scan_terms_load_defaults(*, using: str = "default") -> int:
    """Add the default terms the table lacks (a new database, a test flush, or a release that
    brings new terms), but never one its managers deleted from a list they keep: a list they
    shaped stays as they shaped it, and a term they edited or switched off is left as it is. An
    empty table is filled whole. Method terms get their kind of goods when they have none. A
    default a release retired goes, unless its managers changed it. Returns the terms added."""
    terms = ScanTerm.objects.using(using)
    present = set(terms.values_list("phrase", "category"))
    # An empty table would leave the scanner blind, whatever was deleted before: fill it whole.
    deleted = (
        set(ScanTerm.history.using(using).filter(history_type="-").values_list("phrase", "category"))
        if present
        else set()
    )
    defaults = default_terms()
    missing = [
        ScanTerm(phrase=t.phrase, category=t.category, weight=t.weight, goods=t.goods, note="default list")
        for t in defaults
        if (t.phrase, t.category) not in present and (t.phrase, t.category) not in deleted
    ]
    terms.bulk_create(missing, ignore_conflicts=True)
    without_goods = set(terms.filter(goods="").values_list("phrase", "category"))
    for t in defaults:
        if t.goods and (t.phrase, t.category) in without_goods & present:
            terms.filter(phrase=t.phrase, category=t.category).update(goods=t.goods)
    if missing:
        logger.info("Loaded %d default scan terms", len(missing))
    _retired_defaults_remove(terms)
    return len(missing)


def _retired_defaults_remove(terms) -> None:
    """Delete the retired defaults still as shipped: never changed since they were loaded. Each
    deletion is in the term's history, so a later migrate does not bring it back."""
    for phrase, category, weight in RETIRED_DEFAULTS:
        for term in terms.filter(phrase=phrase, category=category, weight=weight, note="default list"):
            if not term.history.filter(history_type="~").exists():
                term.delete()
                logger.info("Retired default scan term %s (%s)", phrase, category)


@dataclass(frozen=True)
class Intake:
    """What became of one item of a batch."""

    index: int
    external_id: str
    message_id: int
    created: bool


def messages_intake(*, items: Sequence[dict]) -> list[Intake]:
    """Store a batch of validated messages, each once; the new ones are scanned after commit.

    Items carry source, external_id, text, sent_at and optionally channel, buyer_ref,
    buyer_phone, buyer_address, merchant_ref, order_ref. The batch's people are recorded first, by
    statements that commit on their own: concurrent batches that share new people then wait for
    each other only that long, not until a whole batch of messages commits. The messages are
    written all or none, by one INSERT; a person recorded for a batch that then fails is found
    again by its retry. The scan is sent once that INSERT has committed."""
    buyers = _people_record(items)
    return _messages_store(items, buyers)


@retried_on_deadlock
@statements_committed_whole
def _people_record(items: Sequence[dict]) -> dict[str, Buyer]:
    return buyers_record(contacts=contacts_of(items))


@retried_on_deadlock
@statements_committed_whole
def _messages_store(items: Sequence[dict], buyers: dict[str, Buyer]) -> list[Intake]:
    keys = [(item["source"], item["external_id"]) for item in items]
    merchants, orders = _shops_and_orders(items)
    fresh: dict[tuple[str, str], Message] = {}
    for item, key in zip(items, keys, strict=True):
        if key in fresh:
            continue
        # A missing ref is looked up as "", which no lookup holds (each skips blank refs).
        buyer = buyers.get(item.get("buyer_ref") or "")
        fresh[key] = Message(
            source=item["source"],
            external_id=item["external_id"],
            channel=item.get("channel") or "",
            text=item["text"],
            sent_at=item["sent_at"],
            buyer_id=buyer.pk if buyer is not None else None,
            merchant_id=merchants.get(item.get("merchant_ref") or ""),
            merchant_ref=item.get("merchant_ref") or "",
            order_id=orders.get(item.get("order_ref") or ""),
            order_ref=item.get("order_ref") or "",
        )
    # One statement stores the new messages and skips those stored before (by an earlier request,
    # or a concurrent one that commits first: the constraint keeps one). Inserted in key order, so
    # two batches sharing messages take their locks in one order.
    inserted = insert_new([fresh[key] for key in sorted(fresh)], returning=("source", "external_id", "id"))
    created = {(source, external_id): pk for source, external_id, pk in inserted}
    ids = {**_message_ids([key for key in fresh if key not in created]), **created}
    new_ids = [created[key] for key in fresh if key in created]
    if new_ids:
        enqueue_after_commit("interventions.tasks.scan_messages", new_ids, left_to="the sweep of unscanned messages")
    seen: set[tuple[str, str]] = set()
    outcomes = []
    for index, key in enumerate(keys):
        outcomes.append(Intake(index, key[1], ids[key], created=key in created and key not in seen))
        seen.add(key)
    return outcomes


def _message_ids(keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    if not keys:
        return {}
    by_source: dict[str, set[str]] = {}
    for source, external_id in keys:
        by_source.setdefault(source, set()).add(external_id)
    # One (source, external ids) condition per source, so the (source, external_id) unique index
    # takes both columns. With both as separate lists the planner may read every message of the
    # sources and filter: it did, before the table's statistics caught up, at 20 ms a lookup.
    wanted = Q()
    for source, external_ids in by_source.items():
        wanted |= Q(source=source, external_id__in=external_ids)
    rows = Message.objects.filter(wanted).values_list("source", "external_id", "id")
    return {(source, external_id): pk for source, external_id, pk in rows}


def _shops_and_orders(items: Sequence[dict]) -> tuple[dict[str, int], dict[str, int]]:
    """The ids of the shops and the orders the items name, by external ref, in one query (a UNION
    of the two lookups); none when no item names either."""
    shop_refs = {item.get("merchant_ref") for item in items} - {None, ""}
    order_refs = {item.get("order_ref") for item in items} - {None, ""}
    lookups = [
        model.objects.filter(external_ref__in=refs).annotate(kind=Value(kind)).values_list("kind", "external_ref", "id")
        for model, kind, refs in ((Merchant, "shop", shop_refs), (Order, "order", order_refs))
        if refs
    ]
    found: dict[str, dict[str, int]] = {"shop": {}, "order": {}}
    if lookups:
        for kind, ref, pk in lookups[0].union(*lookups[1:], all=True) if len(lookups) > 1 else lookups[0]:
            found[kind][ref] = pk
    return found["shop"], found["order"]


def messages_scan(*, message_ids: Sequence[int], now: datetime | None = None) -> int:
    """Scan the messages of `message_ids` that are not scanned yet, raising or joining alerts.

    Safe to run twice and on two workers at once: rows are claimed with SKIP LOCKED and marked
    scanned in the same transaction as their alerts. Returns how many messages it scanned.
    """
    lexicon = current_lexicon()
    now = now or timezone.now()
    with transaction.atomic():
        messages = list(
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=message_ids, scanned_at__isnull=True)
            .select_related("buyer", "merchant", "order__product")
            .order_by("buyer_id", "sent_at", "id")
        )
        watched = _people_with_open_alerts(messages, now)
        official = official_domain_names()
        found = {message.pk: extract_indicators(message.text) for message in messages}
        blocked = blocked_among([item for items in found.values() for item in items])
        judged = []
        for message in messages:
            high_risk = message.order is not None and message.order.product.is_high_risk
            result = scan_text(message.text, lexicon, high_risk_product=high_risk)
            signals = fraud_signals(found[message.pk], official_domains=official, blocked=blocked)
            judged.append((message, result, high_risk, signals, _desk_severity(result, signals)))
        # The people any of whose messages can reach an alert. A low message whose person gets an
        # alert within the batch is among them already, by the medium one that raised it.
        people = PeopleAtHand(
            {
                message.buyer_id
                for message, _result, _high_risk, _signals, by_desk in judged
                if message.buyer_id and any(_matters(message, desk, sev, watched) for desk, sev in by_desk.items())
            },
            now=now,
        )
        for message, result, high_risk, signals, by_desk in judged:
            _alert_on(message, result, by_desk, lexicon, high_risk, now, watched, signals, found[message.pk], people)
        checkin_replies_record(messages)
        Message.objects.filter(pk__in=[m.pk for m in messages]).update(scanned_at=now)
    return len(messages)


def _people_with_open_alerts(messages: list[Message], now: datetime) -> set[tuple[int, str]]:
    """(buyer id, desk) of the batch's people who have an alert a message could join."""
    buyer_ids = {message.buyer_id for message in messages if message.buyer_id}
    return set(
        Alert.objects.filter(
            buyer_id__in=buyer_ids,
            status__in=Alert.OPEN_STATUSES,
            updated_at__gte=now - settings.SHOUHU_ALERT_JOIN_WINDOW,
        ).values_list("buyer_id", "desk")
    )


def _desk_severity(result: ScanResult, signals: list[FraudSignal]) -> dict[str, int]:
    """The message's severity for each desk. A blocklisted indicator or a look-alike link puts it
    before the anti-fraud desk at high at least, whatever the words."""
    by_desk: dict[str, int] = dict(result.desk_severity)
    if signals:
        by_desk[Desk.FRAUD] = max(by_desk.get(Desk.FRAUD, Severity.NONE), Severity.HIGH)
    return by_desk


def _matters(message: Message, desk: str, severity: int, watched: set[tuple[int, str]]) -> bool:
    """Medium or above raises or joins an alert; low only joins one its person has open."""
    return severity >= Severity.MEDIUM or (severity >= Severity.LOW and (message.buyer_id, desk) in watched)


def _alert_on(
    message: Message,
    result: ScanResult,
    by_desk: dict[str, int],
    lexicon: Lexicon,
    high_risk: bool,
    now: datetime,
    watched: set[tuple[int, str]],
    signals: list[FraudSignal],
    found: list[Found],
    people: PeopleAtHand,
) -> None:
    """A message that matters to a desk goes in front of it: joining the open alert about the same
    person (judged on the whole conversation), or as a new alert at medium or above.

    A low message (a weak term: 今晚, 转账) only matters as context for an open alert, so it is
    looked at only when its person has one (when the batch began, or raised in it since); the
    rest cost no query.

    Every indicator found is sighted on the anti-fraud desk's alert."""
    for desk, severity in by_desk.items():
        if not _matters(message, desk, severity, watched):
            continue
        matches = [
            {"term": m.term, "category": m.category, "start": m.start, "end": m.end, "message_id": message.pk}
            for m in result.matches
        ]

        def judge_conversation(texts: list[str], desk: str = desk) -> ConversationVerdict:
            together = scan_text("\n".join(texts), lexicon, high_risk_product=high_risk)
            return ConversationVerdict(
                together.desk_severity.get(desk, Severity.NONE),
                together.reason_for(desk),
                together.frames_for(desk),
                together.level_for(desk),
            )

        alert = alert_raise_or_join(
            desk=desk,
            source=message.source,
            severity=severity,
            summary=_summary(result, desk, severity, signals),
            matches=matches,
            message=message,
            now=now,
            judge_conversation=judge_conversation,
            people=people,
            frames=[*result.frames_for(desk), *([Frame.INDICATOR] if desk == Desk.FRAUD and signals else [])],
            risk_level=result.level_for(desk),
        )
        if alert is not None and message.buyer_id:
            watched.add((message.buyer_id, desk))
        if alert is not None and desk == Desk.FRAUD and found:
            indicators_sight_all(found=found, alert=alert)


def _summary(result: ScanResult, desk: str, severity: int, signals: list[FraudSignal]) -> str:
    words = result.reason_for(desk)
    if desk != Desk.FRAUD or not signals:
        return words
    found = ";".join(signal.reason for signal in signals)
    return f"{Severity(severity).label}:{found}" + (f" + {words.split(':', 1)[1]}" if words else "")


def messages_scan_overdue(*, now: datetime | None = None, batch: int = MAX_BATCH) -> int:
    """Scan messages whose own task has not run (a lost enqueue, a dead broker). Beat runs this
    every minute; it returns how many it scanned."""
    now = now or timezone.now()
    overdue = list(
        Message.objects.filter(scanned_at__isnull=True, received_at__lt=now - SWEEP_AFTER)
        .order_by("received_at")
        .values_list("id", flat=True)[:batch]
    )
    if overdue:
        logger.warning("Scanning %d messages whose scan task did not run", len(overdue))
    return messages_scan(message_ids=overdue, now=now) if overdue else 0


@retried_on_deadlock
@transaction.atomic
def orders_receive(*, items: Sequence[dict]) -> list:
    """Store orders sent by the order system, then watch them: a high-risk order by a person with
    an open life-protection case raises a critical alert on that case."""
    outcomes = orders_intake(items=items)
    stored = [outcome.order_id for outcome in outcomes if outcome.order_id]
    products_rate_by_name(product_ids=Order.objects.filter(pk__in=stored).values("product_id"))
    reorders_watch(orders=Order.objects.filter(pk__in=stored).select_related("product", "merchant", "buyer"))
    return outcomes


def products_rate_by_name(*, product_ids) -> int:
    """Give the products that the order system sent without a high-risk category the one their
    name says, from the scanner's method terms (木炭 is charcoal, 登山绳 rope, 百草枯 a pesticide).
    A category the order system set is kept. Returns how many products changed."""
    lexicon = current_lexicon()
    products = Product.objects.filter(pk__in=product_ids, risk_category=Product.RiskCategory.NONE).only("id", "name")
    rated = [(product.pk, lexicon.goods_in(product.name)) for product in products]
    changed = 0
    for goods in {goods for _, goods in rated if goods}:
        changed += Product.objects.filter(pk__in=[pk for pk, kind in rated if kind == goods]).update(
            risk_category=goods
        )
    return changed
