"""Retention: a closed case keeps the person's data for SHOUHU_RETENTION_DAYS, then the nightly sweep
anonymises it (PIPL art. 19: the shortest period the purpose needs). The statistics survive, the
person does not: desk, risk, status, outcome, times, counts, the actions taken and the figures stay;
the words, the name and the contact details go.

For a case that is: the texts of its alerts' messages and of the person's replies to check-ins; its
shops' reports, their threads and screenshots; its title and closing summary; the free text of its
timeline (and the word index of its notes), check-ins, risk assessments, police referrals,
emergency-action reviews, dissuasions, interception requests and blameless reviews. The matched
scanner terms stay (the figures count them), without their places in the text. The history
tables never held those texts (see Case.history). The person's buyer row loses its nickname, phone
and address, and its account becomes a pseudonym, once none of their other data is kept any more;
a message or alert that a kept case shares is left for that case's turn.

A legal hold, placed and lifted by a supervisor or manager with a reason, on the timeline and in the
case's history, keeps the case whole until it is lifted.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import User
from accounts.refusals import Conflict, Invalid
from fraud.models import Dissuasion
from orders.models import Buyer, InterceptionRequest, MerchantReport, Order, ReportAttachment, ReportNote
from orders.services import buyer_anonymise

from ..models import (
    Alert,
    Case,
    CaseEvent,
    CheckIn,
    EmergencyAction,
    IncidentReview,
    Message,
    PoliceReferral,
    RiskAssessment,
)
from ..selectors.retention import cases_due_for_anonymisation, retention_cutoff
from .cases import NotAllowed
from .timeline import case_change_save

# What a removed text becomes. Stored data in the platform's language, like the texts it replaces,
# not a phrase of the interface: the same whatever language the worker that ran the sweep speaks.
ANONYMISED = "已匿名"
# The timeline's payload keys that carry free text: notes, reasons, summaries, titles, replies.
PAYLOAD_TEXT_KEYS = frozenset({"title", "summary", "reason", "text", "note", "error"})
# The hold's own lines keep their reasons: they are the audit of why the data was kept, and are
# written about the legal matter, not the person.
HOLD_KINDS = (CaseEvent.Kind.LEGAL_HOLD_SET, CaseEvent.Kind.LEGAL_HOLD_LIFTED)
# Cases looked up per query by the sweep; each is then claimed and anonymised on its own.
SWEEP_BATCH = 100


# --- the legal hold ------------------------------------------------------------------------------


def _ensure_may_hold(user: User) -> None:
    if not user.has_perm(roles.PLACE_LEGAL_HOLD):
        raise NotAllowed(_("Only supervisors and managers place or lift a legal hold."))


def _reason_required(reason: str) -> str:
    if not reason.strip():
        raise Invalid(_("Write the legal matter the hold is for."))
    return reason.strip()[:300]


@transaction.atomic
def case_legal_hold_set(*, case: Case, by: User, reason: str) -> Case:
    """Keep the case whole past the retention period, for a legal matter, until the hold is lifted:
    the sweep passes it by. Who, when and why go on the timeline and into the case's history in the
    same transaction. A case already held keeps its first hold."""
    _ensure_may_hold(by)
    reason = _reason_required(reason)
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.is_anonymised:
        raise Conflict(_("The case is anonymised: nothing is left to hold."))
    if not locked.legal_hold:
        locked.legal_hold, locked.legal_hold_reason = True, reason
        locked.legal_hold_by, locked.legal_hold_at = by, timezone.now()
        _hold_save(locked, by=by, reason=reason, kind=CaseEvent.Kind.LEGAL_HOLD_SET)
    return locked


@transaction.atomic
def case_legal_hold_lift(*, case: Case, by: User, reason: str) -> Case:
    """End the hold: retention takes its course again, and a case already past its period is
    anonymised by the next sweep. Audited as the hold was. A case not held stays as it is."""
    _ensure_may_hold(by)
    reason = _reason_required(reason)
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.legal_hold:
        locked.legal_hold, locked.legal_hold_reason = False, ""
        locked.legal_hold_by, locked.legal_hold_at = None, None
        _hold_save(locked, by=by, reason=reason, kind=CaseEvent.Kind.LEGAL_HOLD_LIFTED)
    return locked


def _hold_save(case: Case, *, by: User, reason: str, kind: str) -> None:
    fields = ["legal_hold", "legal_hold_reason", "legal_hold_by", "legal_hold_at", "updated_at"]
    case_change_save(case, by=by, fields=fields, kind=kind, reason=reason)


# --- anonymisation -------------------------------------------------------------------------------


def case_anonymise(case_id: int, *, now: datetime | None = None) -> bool:
    """Remove the person from the case if it is due: closed before the retention cutoff, not held,
    not anonymised yet. True when it did; False when there was nothing to do (a second run, a held,
    open or recently closed case, no such case), having changed nothing. One transaction with the
    case row locked: a hold placed meanwhile is waited for, then respected."""
    return _anonymise(case_id, now=now or timezone.now(), skip_locked=False)


def cases_anonymise_due(*, now: datetime | None = None, limit: int | None = None) -> int:
    """Anonymise the cases due, each in its own transaction, at most `limit` (SHOUHU_SWEEP_LIMIT) in
    one run, the rest in the next. Safe to run twice or on two workers at once: each case is claimed
    with SKIP LOCKED, and one another worker holds is left to it. Returns how many it anonymised."""
    now = now or timezone.now()
    limit = limit or settings.SHOUHU_SWEEP_LIMIT
    done, after = 0, 0
    while done < limit:
        due = cases_due_for_anonymisation(now=now).filter(pk__gt=after).order_by("pk")
        batch = list(due.values_list("pk", flat=True)[: min(SWEEP_BATCH, limit - done)])
        if not batch:
            break
        done += sum(_anonymise(case_id, now=now, skip_locked=True) for case_id in batch)
        after = batch[-1]
    return done


def _anonymise(case_id: int, *, now: datetime, skip_locked: bool) -> bool:
    with transaction.atomic():
        # The rule of cases_due_for_anonymisation, checked again under the lock.
        due = cases_due_for_anonymisation(now=now).select_for_update(skip_locked=skip_locked)
        case = due.filter(pk=case_id).first()
        if case is None:
            return False
        screenshots = _case_forget(case, now=now)
        # Files are not transactional: they go once the rows that name them are gone for good.
        transaction.on_commit(lambda: _files_delete(screenshots))
    return True


def _case_forget(case: Case, *, now: datetime) -> list[FieldFile]:
    """Blank the case's texts, and the person's if nothing else keeps them; mark it anonymised.
    Returns the screenshot files to delete after the commit."""
    cutoff = retention_cutoff(now)
    replies = CheckIn.objects.filter(case=case, reply__isnull=False).values("reply")
    screenshots = _alerts_forget(
        Alert.objects.filter(case=case),
        messages=Message.objects.filter(Q(alerts__case=case) | Q(pk__in=replies)),
        case=case,
        cutoff=cutoff,
    )
    _casework_forget(case)
    _timeline_forget(case)
    # The person's row is locked before asking whether another case keeps them: of two of their
    # cases anonymised at once, the second then sees the first done and forgets the person.
    # A case without a person has no person's row to lock (the lookup by a null id found none).
    buyer = Buyer.objects.select_for_update().filter(pk=case.buyer_id).first() if case.buyer_id is not None else None
    person_forgotten = False
    if buyer is not None and not _person_still_kept(buyer, case=case, cutoff=cutoff):
        person_forgotten = True
        screenshots += _alerts_forget(
            Alert.objects.filter(buyer=buyer, case__isnull=True),
            messages=Message.objects.filter(buyer=buyer),
            case=case,
            cutoff=cutoff,
        )
        buyer_anonymise(buyer)
    case.title = case.closing_summary = ANONYMISED
    case.anonymised_at = now
    case_change_save(
        case,
        by=None,
        fields=["title", "closing_summary", "anonymised_at", "updated_at"],
        kind=CaseEvent.Kind.ANONYMISED,
        retention_days=settings.SHOUHU_RETENTION_DAYS,
        person=person_forgotten,
    )
    return screenshots


def _kept(alerts: QuerySet[Alert], *, case: Case, cutoff: datetime) -> QuerySet[Alert]:
    """Of `alerts`, those whose data is still kept: an alert of another case not anonymised yet, or
    an alert without a case that is open or was raised within the retention period."""
    return alerts.filter(
        (Q(case__isnull=False, case__anonymised_at__isnull=True) & ~Q(case=case))
        | Q(case__isnull=True, status__in=Alert.OPEN_STATUSES)
        | Q(case__isnull=True, created_at__gte=cutoff)
    )


def _alerts_forget(
    alerts: QuerySet[Alert], *, messages: QuerySet[Message], case: Case, cutoff: datetime
) -> list[FieldFile]:
    """Blank these alerts' summaries, shops' reports and threads (their screenshots are returned,
    their rows deleted) and these messages, but for a message a kept alert shares."""
    candidates = set(messages.values_list("pk", flat=True))
    sharing = _kept(Alert.objects.filter(messages__in=candidates), case=case, cutoff=cutoff)
    shared = set(
        Alert.messages.through.objects.filter(message_id__in=candidates, alert__in=sharing).values_list(
            "message_id", flat=True
        )
    )
    Message.objects.filter(pk__in=candidates - shared).update(text=ANONYMISED)
    rows = list(alerts.exclude(pk__in=_kept(alerts, case=case, cutoff=cutoff)))
    for alert in rows:
        alert.summary = ANONYMISED
        # The terms stay for the scanner's figures; where they were in the text goes with the text.
        alert.matches = [{**match, "start": 0, "end": 0} for match in alert.matches]
    Alert.objects.bulk_update(rows, ["summary", "matches"], batch_size=500)
    reports = MerchantReport.objects.filter(alert__in=rows)
    reports.update(text=ANONYMISED)
    ReportNote.objects.filter(report__in=reports).update(text=ANONYMISED)
    attachments = ReportAttachment.objects.filter(report__in=reports)
    screenshots = [attachment.file for attachment in attachments]
    attachments.delete()
    return screenshots


def _casework_forget(case: Case) -> None:
    """The free text staff wrote about the person while working the case. An empty text stays
    empty: nothing was written."""
    _blank(CheckIn.objects.filter(case=case), "text")
    _blank(RiskAssessment.objects.filter(case=case), "note")
    _blank(PoliceReferral.objects.filter(case=case), "what_reported", "outcome")
    _blank(EmergencyAction.objects.filter(case=case), "review_note")
    _blank(Dissuasion.objects.filter(case=case), "note")
    _blank(InterceptionRequest.objects.filter(case=case), "note")
    reviews = IncidentReview.objects.filter(case=case)
    _blank(reviews, "what_happened", "went_well", "made_it_hard")
    # A review keeps a title that names nobody, so the list of reviews still reads.
    reviews.update(title=_("Review of %(reference)s") % {"reference": case.reference})


def _blank(rows: QuerySet, *fields: str) -> None:
    for field in fields:
        rows.exclude(**{field: ""}).update(**{field: ANONYMISED})


def _timeline_forget(case: Case) -> None:
    events = []
    for event in case.events.exclude(kind__in=HOLD_KINDS):
        texts = [key for key, value in event.payload.items() if key in PAYLOAD_TEXT_KEYS and value]
        if texts:
            event.payload = {**event.payload, **dict.fromkeys(texts, ANONYMISED)}
            events.append(event)
    CaseEvent.objects.bulk_update(events, ["payload"], batch_size=500)
    # A note's word index goes with its words: the search no longer finds the case by them.
    case.events.filter(note_index__isnull=False).update(note_index=None)


def _person_still_kept(buyer: Buyer, *, case: Case, cutoff: datetime) -> bool:
    """Whether another record still keeps the person's data: a case of theirs not anonymised yet
    (open, closed recently, held, or waiting for its turn), an alert kept, or a message or order of
    theirs within the retention period."""
    return (
        Case.objects.filter(buyer=buyer, anonymised_at__isnull=True).exclude(pk=case.pk).exists()
        or _kept(Alert.objects.filter(buyer=buyer), case=case, cutoff=cutoff).exists()
        or Message.objects.filter(buyer=buyer, received_at__gte=cutoff).exists()
        or Order.objects.filter(buyer=buyer, ordered_at__gte=cutoff).exists()
    )


def _files_delete(files: list[FieldFile]) -> None:
    for file in files:
        file.delete(save=False)
