"""Changing the scanner's term lists: propose, backtest, publish. Nothing a manager proposes
reaches the intake until a backtest has shown what it adds and drops, on the corpus's test half
and on the messages of the last days, and someone has published exactly the set that was tested.
"""

import hashlib
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.history import save_with_history
from accounts.models import Desk, User
from accounts.refusals import Refused
from config.celery import enqueue_after_commit

from ..choices import Severity
from ..models import Message, ScannerBacktest, ScanTerm, ScanTermChange
from ..scanner import Lexicon, Term, corpus, scan_text
from ..scanner.evaluation import evaluate
from ..selectors.scanner import current_lexicon, pending_term_changes

logger = logging.getLogger(__name__)

BACKTEST_DAYS = 30
SHOWN_PER_SIDE = 200  # messages listed as added and as dropped; the counts are always complete
# A backtest still "running" this long after it started lost its worker; it may be claimed again.
BACKTEST_STALE_AFTER = timedelta(minutes=30)


class TermChangeRefused(Refused):
    """A change the lists cannot take, with a message for the person who proposed it."""


@transaction.atomic
def scan_term_change_propose(
    *,
    by: User,
    action: str,
    reason: str,
    term: ScanTerm | None = None,
    phrase: str = "",
    category: str = "",
    weight: int = 2,
    goods: str = "",
) -> ScanTermChange:
    """Propose one change. A new term may not repeat a term of the same category; a change or a
    retirement names an existing term and takes its phrase and category."""
    if action == ScanTermChange.Action.ADD:
        phrase = phrase.strip()
        if not phrase:
            raise TermChangeRefused(_("A new term needs a phrase."))
        if ScanTerm.objects.filter(phrase=phrase, category=category).exists():
            raise TermChangeRefused(_("This phrase is already a term of that category; propose a change to it."))
    else:
        if term is None:
            raise TermChangeRefused(_("Choose the term to change."))
        phrase, category = term.phrase, term.category
        if action == ScanTermChange.Action.RETIRE:
            weight, goods = term.weight, term.goods
    if category == "exception":
        weight = 0
    elif not 1 <= weight <= 3:
        raise TermChangeRefused(_("A weight is 1, 2 or 3."))
    return ScanTermChange.objects.create(
        action=action,
        term=term if action != ScanTermChange.Action.ADD else None,
        phrase=phrase,
        category=category,
        weight=weight,
        goods=goods,
        reason=reason,
        proposed_by=by,
    )


@transaction.atomic
def scan_term_change_withdraw(*, by: User, change: ScanTermChange) -> None:
    """Withdraw a proposal that was not published. Any backtest of a set that held it is stale."""
    updated = ScanTermChange.objects.filter(pk=change.pk, status=ScanTermChange.Status.PROPOSED).update(
        status=ScanTermChange.Status.WITHDRAWN
    )
    if not updated:
        raise TermChangeRefused(_("Only a proposed change can be withdrawn."))
    logger.info("Term change %s withdrawn by user %s", change.pk, by.pk)


def changes_fingerprint(changes: Iterable[ScanTermChange]) -> str:
    """Names one set of proposals exactly as they stand: ids and every field that changes the
    lists. Publishing checks that the set tested is the set published."""
    parts = sorted(f"{c.pk}:{c.action}:{c.term_id}:{c.phrase}:{c.category}:{c.weight}:{c.goods}" for c in changes)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@transaction.atomic
def scanner_backtest_request(*, by: User, days: int = BACKTEST_DAYS) -> ScannerBacktest:
    """Ask for a backtest of every proposal now pending. It runs on a worker after commit; the
    beat sweep runs it if the enqueue is lost."""
    changes = list(pending_term_changes())
    if not changes:
        raise TermChangeRefused(_("There is no proposed change to backtest."))
    backtest = ScannerBacktest.objects.create(fingerprint=changes_fingerprint(changes), days=days, requested_by=by)
    backtest.changes.set(changes)

    enqueue_after_commit(
        "interventions.tasks.run_scanner_backtest", backtest.pk, left_to="the sweep of backtests not finished"
    )
    return backtest


def scanner_backtest_run(*, backtest_id: int, now: datetime | None = None) -> bool:
    """Run one backtest if it is queued (or its run was lost). Safe to call twice or on two
    workers: the run is claimed with a conditional update. Returns whether this call ran it."""
    now = now or timezone.now()
    claimable = Q(status=ScannerBacktest.Status.QUEUED) | Q(
        status=ScannerBacktest.Status.RUNNING, started_at__lt=now - BACKTEST_STALE_AFTER
    )
    claimed = ScannerBacktest.objects.filter(claimable, pk=backtest_id).update(
        status=ScannerBacktest.Status.RUNNING, started_at=now
    )
    if not claimed:
        return False
    backtest = ScannerBacktest.objects.get(pk=backtest_id)
    try:
        before = current_lexicon()
        after = lexicon_with_changes(before, list(backtest.changes.all()))
        results = {
            "corpus": {"before": _corpus_figures(before), "after": _corpus_figures(after)},
            "stored": backtest_stored_messages(before, after, since=now - timedelta(days=backtest.days)),
        }
    except Exception as error:  # recorded for the manager, and logged with its traceback
        logger.exception("Scanner backtest %s failed", backtest_id)
        ScannerBacktest.objects.filter(pk=backtest_id).update(
            status=ScannerBacktest.Status.FAILED, finished_at=timezone.now(), error=str(error)[:300]
        )
        return True
    ScannerBacktest.objects.filter(pk=backtest_id).update(
        status=ScannerBacktest.Status.DONE, finished_at=timezone.now(), results=results
    )
    return True


def scanner_backtests_run_due(*, now: datetime | None = None) -> int:
    """Beat's safety net: run the backtests whose own task did not (a lost enqueue, a dead worker)."""
    now = now or timezone.now()
    due = ScannerBacktest.objects.filter(
        Q(status=ScannerBacktest.Status.QUEUED, requested_at__lt=now - timedelta(minutes=2))
        | Q(status=ScannerBacktest.Status.RUNNING, started_at__lt=now - BACKTEST_STALE_AFTER)
    ).values_list("pk", flat=True)
    return sum(scanner_backtest_run(backtest_id=pk, now=now) for pk in list(due))


def lexicon_with_changes(lexicon: Lexicon, changes: Sequence[ScanTermChange]) -> Lexicon:
    """The lexicon as it would be with the changes applied, with the same model."""
    terms = {(term.phrase, term.category): term for term in lexicon.terms}
    for change in changes:
        key = (change.phrase, change.category)
        if change.action == ScanTermChange.Action.RETIRE:
            terms.pop(key, None)
        else:
            terms[key] = Term(change.phrase, change.category, change.weight, change.goods)
    return Lexicon(terms.values(), model=lexicon.model)


def _corpus_figures(lexicon: Lexicon) -> dict:
    report = evaluate(
        corpus.half("test"), lambda text: scan_text(text, lexicon), variants=False, everyday=corpus.ordinary("test")
    )
    return {
        "life_recall": round(report.recall("life"), 4),
        "fraud_recall": round(report.recall("fraud"), 4),
        "false_alarms": round(report.false_alarm_rate, 4),
        "everyday_alarms": round(report.everyday_alarm_rate, 4),
        "critical_below_high": len(report.critical_below_high),
    }


def backtest_stored_messages(before: Lexicon, after: Lexicon, *, since: datetime) -> dict:
    """Each stored message received since `since`, scanned with both lexicons: the messages that
    would now reach a desk at medium or above and did not (added), and the reverse (dropped).
    Ids, desks and verdicts only; the words stay in the message rows."""
    added: list[dict] = []
    dropped: list[dict] = []
    counts = {"messages": 0, "added_count": 0, "dropped_count": 0}
    messages = (
        Message.objects.filter(received_at__gte=since)
        .select_related("order__product")
        .only("id", "text", "received_at", "order__product__risk_category")
        .order_by("id")
    )
    for message in messages.iterator(chunk_size=1000):
        counts["messages"] += 1
        high_risk = message.order is not None and message.order.product.is_high_risk
        old = scan_text(message.text, before, high_risk_product=high_risk)
        new = scan_text(message.text, after, high_risk_product=high_risk)
        for desk in Desk.values:
            was, now_is = old.desk_severity.get(desk, 0), new.desk_severity.get(desk, 0)
            if (was >= Severity.MEDIUM) == (now_is >= Severity.MEDIUM):
                continue
            row = {"message": message.pk, "desk": desk, "before": int(was), "after": int(now_is)}
            if now_is >= Severity.MEDIUM:
                counts["added_count"] += 1
                if len(added) < SHOWN_PER_SIDE:
                    added.append({**row, "reason": new.reason_for(desk)})
            else:
                counts["dropped_count"] += 1
                if len(dropped) < SHOWN_PER_SIDE:
                    dropped.append({**row, "reason": old.reason_for(desk)})
    return {**counts, "added": added, "dropped": dropped}


@transaction.atomic
def scan_term_changes_publish(*, by: User, backtest: ScannerBacktest) -> int:
    """Publish the set of changes the backtest tested, if it is done and the pending set is still
    exactly that set. Each term change is saved with its publisher in the term's history; the
    scanner takes the new lists on its next batch. Returns the changes published."""
    changes = list(pending_term_changes().select_for_update(of=("self",)))
    if backtest.status != ScannerBacktest.Status.DONE:
        raise TermChangeRefused(_("Publish after the backtest has finished."))
    if changes_fingerprint(changes) != backtest.fingerprint:
        raise TermChangeRefused(_("The proposed changes changed after this backtest; run a new one."))
    now = timezone.now()
    for change in changes:
        _apply(change, by=by)
        change.status, change.published_by, change.published_at = ScanTermChange.Status.PUBLISHED, by, now
        change.save(update_fields=["status", "published_by", "published_at"])
    return len(changes)


def _apply(change: ScanTermChange, *, by: User) -> None:
    reason = f"{change.get_action_display()}: {change.reason}"[:100]
    if change.action == ScanTermChange.Action.ADD:
        term = ScanTerm(
            phrase=change.phrase, category=change.category, weight=change.weight, goods=change.goods, note=change.reason
        )
    else:
        if change.term is None:  # never: the term_change_names_its_term constraint
            raise ValueError(f"{change.action} change {change.pk} names no term")
        term = change.term
        if change.action == ScanTermChange.Action.RETIRE:
            term.is_active = False
        else:
            term.weight, term.goods, term.is_active = change.weight, change.goods, True
    save_with_history(term, by=by, reason=reason)
