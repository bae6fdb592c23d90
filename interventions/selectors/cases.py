"""Reads of cases: one case for its reader, the workspace, the person's other cases and orders."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from accounts.desks import on_desks
from accounts.models import AccessLog, User
from accounts.selectors import user_desks
from fraud.indicators import extract
from fraud.models import DissuasionScript, Indicator
from fraud.payments import amount_paid
from orders.models import InterceptionRequest, Order

from ..choices import Severity, Source
from ..models import (
    Alert,
    Case,
    CaseEvent,
    EmergencyAction,
    Message,
    Playbook,
    PoliceReferral,
    RiskAssessment,
)
from .alerts import BUYER_WITH_REGIONS
from .caseload import staff_on_desks
from .rings import case_indicators


def case_for_user(user: User, pk: int, *, granted: Iterable[int] = ()) -> Case:
    """The case, if it belongs to a desk the user works, or was opened to them by a break-glass
    grant (`granted`, for reading only); 404 otherwise."""
    mine = on_desks(user_desks(user)) | Q(pk__in=list(granted))
    return get_object_or_404(
        Case.objects.select_related(BUYER_WITH_REGIONS, "owner", "opened_by", "playbook", "ring").filter(mine), pk=pk
    )


@dataclass(frozen=True)
class BreakGlassReading:
    """A case read outside one's desks: why, as the reader wrote it, and until when they may."""

    reason: str
    until: datetime | None


def break_glass_reading(
    user: User, case: Case, *, desks: Iterable[str], until: datetime | None
) -> BreakGlassReading | None:
    """How `user` reads `case`: None when it is on one of their `desks`, which they work; else
    through break-glass, for reading only, with the reason of their latest break-glass entry in
    the access log and the end of the grant (`until`, which their session keeps)."""
    if case.desk in desks:
        return None
    entry = (
        AccessLog.objects.filter(
            user=user,
            action=AccessLog.Action.BREAK_GLASS,
            object_type=case._meta.label_lower,
            object_id=str(case.pk),
        )
        .order_by("-at", "-id")
        .values_list("reason", flat=True)
        .first()
    )
    return BreakGlassReading(reason=entry or "", until=until)


def case_by_reference(reference: str) -> Case | None:
    """LP-000042 or AF-000042, on any desk: for a break-glass request, which is logged."""
    prefix, _, number = reference.strip().upper().partition("-")
    desks = {"LP": "life", "AF": "fraud"}
    if prefix not in desks or not number.isdigit():
        return None
    return Case.objects.filter(pk=int(number), desk=desks[prefix]).first()


def case_on_other_desk(buyer, *, desk: str, now: datetime, recent: dict[int, list[Case]] | None = None) -> Case | None:
    """The person's latest case on a desk other than `desk` that is open or was closed within
    SHOUHU_RELATED_CASE_WINDOW, or None. `recent`: recent_cases_of for a batch's people, read
    once by the caller; otherwise the person's are read now."""
    if recent is None:
        recent = recent_cases_of([buyer.pk], now=now)
    return next((case for case in recent.get(buyer.pk, []) if case.desk != desk), None)


def recent_cases_of(buyer_ids: Iterable[int], *, now: datetime) -> dict[int, list[Case]]:
    """The people's cases that are open or were closed within SHOUHU_RELATED_CASE_WINDOW, by
    person, latest opened first: what case_on_other_desk chooses from."""
    recent = Q(closed_at__isnull=True) | Q(closed_at__gte=now - settings.SHOUHU_RELATED_CASE_WINDOW)
    cases: dict[int, list[Case]] = {}
    for case in Case.objects.filter(recent, buyer_id__in=buyer_ids).order_by("-opened_at"):
        if case.buyer_id is None:  # never: IN never matches a null
            raise ValueError(f"case {case.pk} has no person")
        cases.setdefault(case.buyer_id, []).append(case)
    return cases


def open_cases_to_merge_into(alert: Alert, *, limit: int = 20) -> list[Case]:
    """Cases an alert may join: open cases of its desk, the same person's first."""
    cases = Case.objects.filter(desk=alert.desk).exclude(status=Case.Status.CLOSED).select_related("buyer")
    same_person = list(cases.filter(buyer=alert.buyer)[:limit]) if alert.buyer_id else []
    others = list(cases.exclude(pk__in=[c.pk for c in same_person]).order_by("-opened_at")[: limit - len(same_person)])
    return same_person + others


def buyer_history(alert_or_case_buyer, *, exclude_alert: int | None = None, limit: int = 20) -> dict:
    """Everything known about a person: earlier alerts, recent orders (high-risk marked), cases."""
    if alert_or_case_buyer is None:
        return {"alerts": [], "orders": [], "cases": []}
    alerts = Alert.objects.filter(buyer=alert_or_case_buyer).order_by("-created_at")
    if exclude_alert is not None:  # exclude(pk=None) would exclude nothing either
        alerts = alerts.exclude(pk=exclude_alert)
    return {
        "alerts": list(alerts.select_related("claimed_by")[:limit]),
        "orders": recent_orders_of(alert_or_case_buyer, limit=limit),
        "cases": list(Case.objects.filter(buyer=alert_or_case_buyer).order_by("-opened_at")[:limit]),
    }


def recent_orders_of(buyer, *, limit: int = 20) -> list[Order]:
    """The person's latest orders at any shop, with what marks high-risk goods."""
    if buyer is None:
        return []
    return list(
        Order.objects.filter(buyer=buyer)
        .select_related("product", "merchant", "region")
        .order_by("-ordered_at")[:limit]
    )


def open_case_counts() -> dict:
    """Cases not closed, per desk and risk level."""
    rows = Case.objects.exclude(status=Case.Status.CLOSED).values("desk", "risk_level").annotate(total=Count("id"))
    return {(row["desk"], row["risk_level"]): row["total"] for row in rows}


# What counts as acting on a person at risk: the first of these on a high-risk case stops its
# first-action clock. Reading the person's phone number counts: it is how a call starts.
FIRST_ACTIONS = (
    CaseEvent.Kind.CONTACT_REVEALED,
    CaseEvent.Kind.INTERCEPTION_REQUESTED,
    CaseEvent.Kind.POLICE_REFERRED,
    CaseEvent.Kind.STOP_PAYMENT_REQUESTED,
    CaseEvent.Kind.DISSUADED,
    CaseEvent.Kind.CHECKIN_CALLED,
)


@dataclass(frozen=True)
class FirstActionClock:
    """When a high-risk case's first action is due, and when it was taken (None: not yet)."""

    due_at: datetime
    done_at: datetime | None


def _high_risk() -> Q:
    return Q(risk_level__gte=Case.RiskLevel.HIGH) | Q(alerts__severity__gte=Severity.HIGH)


def first_action_clock(case: Case) -> FirstActionClock | None:
    """The case's first-action clock, or None when the case is not high-risk. One query: the case's
    row when it is high-risk (no row when not; one per high-severity alert, of which the first is
    read), with the time of its first action beside it."""
    first = CaseEvent.objects.filter(case=OuterRef("pk"), kind__in=FIRST_ACTIONS).order_by("created_at")
    found = list(
        Case.objects.filter(_high_risk(), pk=case.pk)
        .annotate(done_at=Subquery(first.values("created_at")[:1]))
        .values_list("done_at", flat=True)[:1]
    )
    if not found:
        return None
    return FirstActionClock(due_at=case.opened_at + settings.SHOUHU_FIRST_ACTION_WITHIN, done_at=found[0])


def cases_awaiting_first_action(*, now: datetime) -> QuerySet[Case]:
    """Open high-risk cases past their first-action time with no action taken, opened within
    SHOUHU_FIRST_ACTION_WATCH, oldest first."""
    opened = now - settings.SHOUHU_FIRST_ACTION_WITHIN
    acted = CaseEvent.objects.filter(case=OuterRef("pk"), kind__in=FIRST_ACTIONS)
    return (
        Case.objects.filter(
            _high_risk(),
            opened_at__lte=opened,
            opened_at__gt=now - settings.SHOUHU_FIRST_ACTION_WATCH,
        )
        .exclude(status=Case.Status.CLOSED)
        .filter(~Exists(acted))
        .distinct()
        .select_related("owner")
        .order_by("opened_at")
    )


def case_workspace(case: Case) -> dict:
    """Everything the case page shows besides the case row: one query per kind of thing."""
    interceptions = list(
        InterceptionRequest.objects.filter(case=case)
        .select_related("order__merchant", "order__product", "requested_by")
        .order_by("-requested_at")
    )
    return {
        "orders": recent_orders_of(case.buyer),
        "indicators": list(case_indicators(case=case)),
        "other_alerts": list(Alert.objects.filter(buyer=case.buyer_id).exclude(case=case).order_by("-created_at")[:20])
        if case.buyer_id
        else [],
        "other_cases": list(Case.objects.filter(buyer=case.buyer_id).exclude(pk=case.pk).order_by("-opened_at")[:20])
        if case.buyer_id
        else [],
        # All of them: the timeline shows each with its answers (case_timeline).
        "assessments": list(case.assessments.select_related("assessed_by")),
        "interceptions": interceptions,
        # The latest interception of each order, for the order's row: it says what the shop
        # answered instead of offering to hold an order the shop has already shipped.
        "interception_by_order": {req.order_id: req for req in reversed(interceptions)},
        "referrals": list(case.referrals.select_related("unit", "referred_by")),
        "stop_payments": list(case.stop_payments.select_related("unit", "requested_by").order_by("-requested_at")),
        "dissuasions": list(case.dissuasions.select_related("by")),
        "scripts": list(DissuasionScript.objects.all()) if case.desk == "fraud" else [],
        "checkins": list(case.checkins.select_related("owner")),
        "ticks": {tick.step: tick for tick in case.ticks.filter(playbook=case.playbook_id).select_related("done_by")},
        "playbooks": list(Playbook.objects.filter(desk=case.desk, is_active=True)),
        "ring_members": list(case.ring_members.select_related("owner").order_by("pk")),
        # The bridge between the desks: alerts about this person raised on the other desk while
        # this case was open, and the other desk's cases this case's alerts were linked to.
        "related_alerts": list(case.related_alerts.select_related("case").order_by("-created_at")[:20]),
        "related_cases": list(Case.objects.filter(related_alerts__case=case).distinct().order_by("-opened_at")),
        "pending_reviews": sum(1 for a in case.emergency_actions.all() if a.review == EmergencyAction.Review.PENDING),
    }


# The timeline's lines about one row, by the payload key that names the row: the attribute the
# line gets it under, and how it is read with what the line shows of it.
_TIMELINE_ROWS: dict[str, tuple[str, QuerySet]] = {
    "assessment_id": ("assessment", RiskAssessment.objects.all()),
    "interception_id": ("interception", InterceptionRequest.objects.select_related("order__merchant")),
    "referral_id": ("referral", PoliceReferral.objects.select_related("unit")),
}


def case_timeline(case: Case, *, read: Iterable[Model] = ()) -> list[CaseEvent]:
    """The case's timeline, oldest first. A line about an assessment, an interception or a
    referral carries it (`event.assessment`, `.interception`, `.referral`; None on other lines):
    the risk level and answers, the shop's answer and tracking number, the unit. `read`: such rows
    the page has read already (case_workspace's); the others are read at one query per kind."""
    events = list(case.events.select_related("actor"))
    for key, (attribute, rows) in _TIMELINE_ROWS.items():
        named = {event.payload.get(key) for event in events} - {None}
        known = {row.pk: row for row in read if isinstance(row, rows.model) and row.pk in named}
        if named - known.keys():
            known.update(rows.filter(case=case).in_bulk(named - known.keys()))
        for event in events:
            setattr(event, attribute, known.get(event.payload.get(key)))
    return events


def colleagues_on_desk(case: Case) -> QuerySet[User]:
    """Who the case can be handed over to: active members of the desk's teams."""
    return staff_on_desks([case.desk])


def order_of_case_person(case: Case, order_id: int) -> Order:
    """An order of the case's person (any shop); 404 for anyone else's."""
    return get_object_or_404(Order.objects.select_related("merchant", "product"), pk=order_id, buyer=case.buyer_id)


def interception_of_case(case: Case, interception_id: int) -> InterceptionRequest:
    return get_object_or_404(InterceptionRequest.objects.select_related("order", "case"), pk=interception_id, case=case)


def stop_payment_draft(*, alerts: Iterable[Alert], indicators: Iterable[Indicator], now: datetime) -> dict:
    """What the stop-payment form starts with, read from the victim's complaint (the earliest
    complaint among the case's alerts' messages, else their earliest message): the payee it names,
    else the case's first payee indicator; the sum it says was paid (fraud.payments); and when the
    victim reported, the complaint's time (now, when the case has no message: they report by
    phone). When they paid is left for the specialist to ask. `alerts` with their messages and
    `indicators` are what the case page has read already: this reads nothing more."""
    messages: list[Message] = sorted(
        {message.pk: message for alert in alerts for message in alert.messages.all()}.values(),
        key=lambda message: (message.sent_at, message.pk),
    )
    complaints = [m for m in messages if m.source == Source.COMPLAINT] or messages
    payees = [found.value for m in complaints for found in extract(m.text) if found.kind == Indicator.Kind.PAYEE]
    payees += [indicator.value for indicator in indicators if indicator.kind == Indicator.Kind.PAYEE]
    amount = next((paid for paid in map(amount_paid, (m.text for m in complaints)) if paid is not None), None)
    return {
        "payee_account": payees[0] if payees else "",
        "amount": amount,
        "reported_at": complaints[0].sent_at if complaints else now,
    }
