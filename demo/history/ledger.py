"""The history's ledger: the lists every step adds to, the draws of time, and the writing of
the lists, table by table."""

import math
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models

from accounts.models import Desk, User
from fraud.models import Dissuasion, StopPaymentRequest
from interventions.models import (
    Alert,
    Case,
    CaseEvent,
    CheckIn,
    EmergencyAction,
    Message,
    PoliceReferral,
    PoliceUnit,
    RiskAssessment,
)
from interventions.scanner import scan_text
from interventions.scanner.lexicon import default_lexicon
from interventions.services.alerts import alert_claim_deadline
from orders.models import Buyer, InterceptionRequest, Order, Region

from .scenarios import (
    _CATEGORY,
    CLAIM,
    FIRST_ACTION,
    LOW,
    SEED,
)


class _Ledger:
    """The history in memory, then written table by table. A class because every step adds to
    the same lists; model instances refer to each other before they have ids, and bulk_create
    fills the ids in, table after table."""

    def __init__(self, *, staff, products, regions, now) -> None:
        # Repeatable demo data, nothing secret.
        self.rng = random.Random(SEED)  # nosec B311
        self.lexicon = default_lexicon()
        self.now = now
        # Nothing is written later than this: the last half hour belongs to the stories.
        self.cutoff = now - timedelta(minutes=30)
        self.staff, self.products = staff, products
        self.regions = [r for r in regions.values() if r.level > Region.Level.PROVINCE]
        self.units = list(PoliceUnit.objects.select_related("region").prefetch_related("liaisons__user"))
        self.serial = 0
        self.buyers: list[Buyer] = []
        self.orders: list[Order] = []
        self.messages: list[Message] = []
        self.cases: list[Case] = []
        self.alerts: list[Alert] = []
        self.scanned: list[tuple[Alert, Message, tuple[str, ...]]] = []
        self.requeued: list[tuple[Alert, Case]] = []
        self.interceptions: list[InterceptionRequest] = []
        self.referrals: list[PoliceReferral] = []
        self.stop_payments: list[StopPaymentRequest] = []
        self.dissuasions: list[Dissuasion] = []
        self.assessments: list[RiskAssessment] = []
        self.checkins: list[CheckIn] = []
        self.emergency_actions: list[EmergencyAction] = []
        self.events: list[tuple[Case, User | None, str, datetime, dict]] = []
        self.last: dict[int, datetime] = {}  # id(case) -> its latest event

    # --- drawing ---------------------------------------------------------------------------------

    def minutes(self, low: float, high: float) -> timedelta:
        return timedelta(minutes=self.rng.uniform(low, high))

    def lognormal(self, median: float, cap: float | None = None) -> timedelta:
        minutes = max(0.4, self.rng.lognormvariate(math.log(median), 0.6))
        return timedelta(minutes=min(minutes, cap) if cap else minutes)

    def claim_delay(self, severity: int, at: datetime) -> timedelta:
        median, cap, late, (low, high) = CLAIM[max(severity, LOW)]
        night = at.astimezone(ZoneInfo(settings.TIME_ZONE)).hour < 7
        if self.rng.random() < late + (0.05 if night else 0):
            return self.minutes(low, high)
        return self.lognormal(median, cap)

    def act_delay(self, severity: int) -> timedelta:
        if self.rng.random() < 0.08:
            return self.minutes(45, 180)
        return self.lognormal(FIRST_ACTION[max(severity, LOW)], 45)

    def claimant(self, desk: str):
        people = ["li", "wugang", "wang"] if desk == Desk.LIFE else ["chen", "wang"]
        weights = [5, 4, 1] if desk == Desk.LIFE else [8, 2]
        return self.staff[self.rng.choices(people, weights)[0]]

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    # --- rows ------------------------------------------------------------------------------------

    def event(self, case: Case, actor, kind: str, at: datetime, **payload) -> None:
        self.events.append((case, actor, kind, at, payload))
        self.last[id(case)] = max(at, self.last.get(id(case), at))

    def message(self, source: str, text: str, buyer: Buyer, at: datetime, order: Order | None = None) -> Message:
        message = Message(
            source=source,
            external_id=f"{source}-h{self.next_serial():05d}",
            buyer=buyer,
            merchant=order.merchant if order else None,
            order=order,
            text=text,
            sent_at=at,
            received_at=at + timedelta(seconds=2),
            scanned_at=at + timedelta(seconds=3),
        )
        self.messages.append(message)
        return message

    def raise_alert(self, desk, source, severity, summary, buyer, at, *, text="", terms=(), order=None) -> Alert:
        alert = Alert(
            desk=desk,
            source=source,
            severity=severity,
            summary=summary,
            buyer=buyer,
            merchant=order.merchant if order else None,
            order=order,
            created_at=at,
            sla_due_at=alert_claim_deadline(severity=severity, raised_at=at),
        )
        if text:
            message = self.message(source, text, buyer, at - timedelta(seconds=3), order)
            self.scanned.append((alert, message, terms))
            # The frames the scanner reads in the words, as intake would record them.
            result = scan_text(text, self.lexicon, high_risk_product=bool(order and order.product.is_high_risk))
            alert.frames, alert.risk_level = result.frames_for(desk), result.level_for(desk)
        self.alerts.append(alert)
        return alert

    def claim(self, alert: Alert, by, at: datetime) -> None:
        alert.status, alert.claimed_by, alert.claimed_at = Alert.Status.CLAIMED, by, at

    def dismiss(self, alert: Alert, reason: str) -> None:
        alert.status, alert.dismiss_reason = Alert.Status.DISMISSED, reason

    def link(self, alert: Alert, case: Case, status: str, at: datetime) -> None:
        alert.status, alert.case = status, case
        self.event(
            case,
            alert.claimed_by,
            CaseEvent.Kind.ALERT_LINKED,
            at,
            alert_id=alert,
            severity=alert.severity,
            summary=alert.summary,
        )

    # --- one alert and what came of it -------------------------------------------------------------

    def lists(self) -> list[list]:
        """Every list a flow adds to: the alerts first, the cases fifth, the events last."""
        return [
            self.alerts, self.buyers, self.orders, self.messages, self.cases, self.scanned, self.requeued,
            self.interceptions, self.referrals, self.stop_payments, self.dissuasions, self.assessments,
            self.checkins, self.emergency_actions, self.events,
        ]  # fmt: skip

    def write(self) -> None:
        for number, order in enumerate(self.orders, 1):
            # Weeks on, an order that was not held has reached the person.
            if order.status in (Order.Status.PAID, Order.Status.SHIPPED):
                order.status = Order.Status.DELIVERED
                order.carrier = order.carrier or "顺丰速运"
                order.tracking_no = order.tracking_no or f"SF55503{number:05d}"
        Buyer.objects.bulk_create(self.buyers)
        Order.objects.bulk_create(self.orders)
        Message.objects.bulk_create(self.messages)
        Case.objects.bulk_create(self.cases)
        for alert, message, terms in self.scanned:
            alert.matches = _matches(message, terms)
        for alert, case in self.requeued:
            alert.summary = f"{case.reference} 的回访无回复:请联系当事人"
        Alert.objects.bulk_create(self.alerts)
        Alert.messages.through.objects.bulk_create(
            [Alert.messages.through(alert_id=alert.pk, message_id=message.pk) for alert, message, _ in self.scanned]
        )
        InterceptionRequest.objects.bulk_create(self.interceptions)
        PoliceReferral.objects.bulk_create(self.referrals)
        StopPaymentRequest.objects.bulk_create(self.stop_payments)
        Dissuasion.objects.bulk_create(self.dissuasions)
        RiskAssessment.objects.bulk_create(self.assessments)
        CheckIn.objects.bulk_create(self.checkins)
        EmergencyAction.objects.bulk_create(self.emergency_actions)
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(
                    case=case,
                    actor=actor,
                    kind=kind,
                    created_at=at,
                    payload={
                        key: value.pk if isinstance(value, models.Model) else value for key, value in payload.items()
                    },
                )
                for case, actor, kind, at, payload in sorted(self.events, key=lambda event: event[3])
            ]
        )


def _matches(message: Message, terms: tuple[str, ...]) -> list[dict]:
    """Where each term occurs in the message, as the scanner reports it (as the loader's _matches)."""
    found = []
    for term in terms:
        start = message.text.find(term)
        if start < 0 or term not in _CATEGORY:
            raise ValueError(f"{term!r} is not a scanner term found in {message.text!r}")
        found.append(
            {
                "term": term,
                "category": _CATEGORY[term],
                "start": start,
                "end": start + len(term),
                "message_id": message.pk,
            }
        )
    return found
