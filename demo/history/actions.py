"""What the history did for each person, as the services would have written it: emergency
actions, interceptions, referrals, stop-payments, check-ins and closing."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from accounts.models import Desk
from fraud.models import StopPaymentRequest
from interventions.models import (
    Alert,
    Case,
    CaseEvent,
    CheckIn,
    EmergencyAction,
    PoliceReferral,
    PoliceUnit,
    Source,
)
from interventions.services.checkins import checkin_due
from orders.models import Buyer, InterceptionRequest, Order, Region

from .ledger import _Ledger
from .scenarios import CLOSING, HIGH, REPLIES


class _Actions(_Ledger):
    """The actions on a case, written to the ledger's lists."""

    def unit(self, region: Region | None, kind: str) -> PoliceUnit:
        """The unit of this kind nearest the person: their region or a region above or below it."""
        if region is None:  # never: every buyer of the history is given a region (buyer())
            raise ValueError("a buyer of the history without a region")
        codes = {r.code for r in region.lineage()}
        near = [u for u in self.units if u.kind == kind and (u.region.code in codes or u.region.parent_id == region.pk)]
        return near[0] if near else next(u for u in self.units if u.kind == kind)

    @staticmethod
    def person(case: Case) -> Buyer:
        if case.buyer is None:  # never: every case of the history is opened for a buyer (decide())
            raise ValueError("a case of the history without a person")
        return case.buyer

    def liaison(self, unit: PoliceUnit):
        liaison = next(iter(unit.liaisons.all()), None)
        return liaison.user if liaison else None

    def emergency(self, case: Case, kind: str, at: datetime, **action) -> None:
        """At high risk an action took effect on one person's word; a supervisor looked at it later."""
        if case.risk_level < Case.RiskLevel.HIGH:
            return
        row = EmergencyAction(
            case=case, kind=kind, taken_by=case.owner, taken_at=at, risk_level=case.risk_level, **action
        )
        reviewed_at = at + self.minutes(30, 480)
        if reviewed_at <= self.cutoff:
            flagged = self.rng.random() < 0.08
            row.review = EmergencyAction.Review.FLAGGED if flagged else EmergencyAction.Review.CONFIRMED
            row.reviewed_by, row.reviewed_at = self.staff["wang"], reviewed_at
            row.review_note = "复盘:联系商家前未先确认订单状态" if flagged else "处置得当"
            self.event(
                case,
                row.reviewed_by,
                CaseEvent.Kind.REVIEWED,
                reviewed_at,
                action_id=row,
                review=row.review,
                reason=row.review_note,
            )
        self.emergency_actions.append(row)

    def intercept(self, case: Case, order: Order, at: datetime) -> None:
        hold = order.status == Order.Status.PAID
        status = self.rng.choices(["held", "shipped", "failed"], [78, 12, 10] if hold else [60, 0, 40])[0]
        answered_at = at + self.minutes(3, 40)
        note = {"held": "商家已拦截,暂停发货", "shipped": "商家回复已发出", "failed": "快递已派送,未能拦回"}[status]
        request = InterceptionRequest(
            case=case,
            order=order,
            status=status,
            requested_by=case.owner,
            requested_at=at,
            kind=InterceptionRequest.Kind.HOLD if hold else InterceptionRequest.Kind.RECALL,
            deadline=at + settings.SHOUHU_INTERCEPTION_ANSWER_WITHIN,
            note="当事人有轻生风险,请暂停发货",
            tracking_no=order.tracking_no
            or (f"SF55502{len(self.interceptions) + 1:05d}" if status == "shipped" else ""),
            answered_at=answered_at,
        )
        order.status = {"held": Order.Status.HELD, "shipped": Order.Status.SHIPPED, "failed": Order.Status.DELIVERED}[
            status
        ]
        if status != "held" and not order.carrier:
            order.carrier, order.tracking_no = "顺丰速运", request.tracking_no
        self.interceptions.append(request)
        self.event(
            case,
            case.owner,
            CaseEvent.Kind.INTERCEPTION_REQUESTED,
            at,
            interception_id=request,
            order=order.external_ref,
            merchant=order.merchant.name,
            kind_of=request.kind,
            reason=request.note,
        )
        self.emergency(case, EmergencyAction.Kind.INTERCEPTION, at, interception=request)
        self.event(
            case,
            case.owner,
            CaseEvent.Kind.INTERCEPTION_UPDATED,
            answered_at,
            interception_id=request,
            order=order.external_ref,
            status=status,
            reason=note,
        )

    def refer(self, case: Case, at: datetime, text: str, *, kind: str = PoliceUnit.Kind.ANTI_FRAUD_CENTRE) -> None:
        unit = self.unit(self.person(case).region, kind)
        status = self.rng.choices(["closed", "received", "reported"], [75, 20, 5])[0]
        received_at = at + self.minutes(3, 25) if status != "reported" else None
        outcome = ""
        if status == "closed":
            outcome = "民警已上门,当事人安全" if case.desk == Desk.LIFE else "已立案侦查"
        referral = PoliceReferral(
            case=case,
            unit=unit,
            referred_by=case.owner,
            referred_at=at,
            what_reported=text,
            reference_no=f"JJ{at:%Y%m%d}{len(self.referrals) + 1:04d}",
            status=status,
            received_at=received_at,
            outcome=outcome,
        )
        self.referrals.append(referral)
        self.event(
            case,
            case.owner,
            CaseEvent.Kind.POLICE_REFERRED,
            at,
            referral_id=referral,
            unit=unit.name,
            reference_no=referral.reference_no,
            text=text,
        )
        self.emergency(case, EmergencyAction.Kind.REFERRAL, at, referral=referral)
        if received_at:
            liaison = self.liaison(unit)
            self.event(
                case,
                liaison,
                CaseEvent.Kind.REFERRAL_ANSWERED,
                received_at,
                referral_id=referral,
                unit=unit.name,
                status="received",
                text="",
            )
            if status == "closed":
                self.event(
                    case,
                    liaison,
                    CaseEvent.Kind.REFERRAL_ANSWERED,
                    received_at + self.minutes(30, 300),
                    referral_id=referral,
                    unit=unit.name,
                    status=status,
                    text=outcome,
                )

    def stop_payment(self, case: Case, scam: str, amount: int, reported_at: datetime, at: datetime) -> bool:
        """Ask for the money to be stopped; returns whether some of it was frozen."""
        unit = self.unit(self.person(case).region, PoliceUnit.Kind.ANTI_FRAUD_CENTRE)
        in_time = at - reported_at <= settings.SHOUHU_STOP_PAYMENT_WINDOW
        frozen = self.rng.random() < (0.65 if in_time else 0.1)
        shares: list[int | Decimal] = [1, 1, 1, Decimal("0.6"), Decimal("0.35")]
        share = self.rng.choice(shares)
        number = len(self.stop_payments) + 1
        payee = {
            "refund": f"alipay:kefu_refund_{number:03d}",
            "safe_account": f"bank:6217****{number:04d}",
            "brushing": f"wxpay:task_center_{number:03d}",
            "game_currency": f"alipay:game_coin_{number:03d}",
        }.get(scam, f"alipay:seller_{number:03d}")
        paid_at = reported_at - self.minutes(5, 45)
        request = StopPaymentRequest(
            case=case,
            unit=unit,
            payee_account=payee,
            amount=Decimal(amount),
            paid_at=paid_at,
            reported_at=reported_at,
            transaction_ref=f"{paid_at:%Y%m%d%H%M}{number:04d}",
            status=StopPaymentRequest.Status.FROZEN if frozen else StopPaymentRequest.Status.TOO_LATE,
            frozen_amount=(Decimal(amount) * share).quantize(Decimal(1)) if frozen else None,
            requested_by=case.owner,
            requested_at=at,
            answered_by=self.liaison(unit),
            answered_at=at + self.minutes(8, 40),
        )
        self.stop_payments.append(request)
        self.event(
            case,
            case.owner,
            CaseEvent.Kind.STOP_PAYMENT_REQUESTED,
            at,
            stop_payment_id=request,
            unit=unit.name,
            amount=str(request.amount),
            text=payee,
        )
        self.emergency(case, EmergencyAction.Kind.STOP_PAYMENT, at, stop_payment=request)
        if request.answered_at is None:  # never: the request is made answered, above
            raise ValueError("a stop-payment of the history without an answer")
        self.event(
            case,
            request.answered_by,
            CaseEvent.Kind.STOP_PAYMENT_ANSWERED,
            request.answered_at,
            stop_payment_id=request,
            status=request.status,
            amount=str(request.frozen_amount or ""),
            unit=unit.name,
        )
        return frozen

    def plan_checkins(self, case: Case, at: datetime) -> tuple[bool, bool]:
        """Good-morning check-ins at 08:30 on the next days. Returns whether the person answered
        the last one, and whether the case is still being watched: a check-in still to come is
        left out (the demo's worker would send it), and its case stays open."""
        rng, owner = self.rng, case.owner
        zone = self.person(case).time_zone
        channel = rng.choices(list(CheckIn.Channel), [45, 30, 25])[0]
        first_day = at.astimezone(ZoneInfo(zone)).date() + timedelta(days=1)
        days = rng.choice([1, 1, 2, 3, 5])
        dues = [
            checkin_due(local_day=first_day + timedelta(days=n), local_time=time(8, 30), zone=zone) for n in range(days)
        ]
        over = [due for due in dues if due + timedelta(hours=5) <= self.cutoff]
        watching = len(over) < len(dues)
        if not over:
            return True, watching
        dues = over
        text = "上午电话回访" if channel == CheckIn.Channel.PHONE else "早上好,今天感觉怎么样?有需要随时找我们。"
        planned = [
            CheckIn(
                case=case,
                due_at=due,
                time_zone=zone,
                channel=channel,
                text=text,
                owner=owner,
                created_by=owner,
                created_at=at,
                send_after=due,
            )
            for due in dues
        ]
        self.event(
            case,
            owner,
            CaseEvent.Kind.CHECKIN_PLANNED,
            at,
            checkin_id=planned[0],
            local=f"{first_day:%Y-%m-%d} 08:30",
            days=len(dues),
            zone=zone,
            channel=channel,
            text=text,
        )
        answered = True
        for checkin in planned:
            answered = self.checkin_outcome(case, checkin)
            self.checkins.append(checkin)
        return answered, watching

    def checkin_outcome(self, case: Case, checkin: CheckIn) -> bool:
        rng, due = self.rng, checkin.due_at
        if checkin.channel == CheckIn.Channel.PHONE:
            reached = rng.random() < 0.8
            checkin.status = CheckIn.Status.DONE if reached else CheckIn.Status.MISSED
            at = due + self.minutes(0, 40)
            checkin.replied_at = at if reached else None
            note = "当事人接听,状态稳定" if reached else "无人接听"
            self.event(
                case, case.owner, CaseEvent.Kind.CHECKIN_CALLED, at, checkin_id=checkin, reached=reached, text=note
            )
            return reached
        outcome = rng.choices(["replied", "missed", "failed"], [65, 22, 13])[0]
        if outcome == "failed":
            checkin.status, checkin.attempts = CheckIn.Status.FAILED, settings.SHOUHU_DELIVERY_MAX_ATTEMPTS
            checkin.last_error = "短信网关无响应" if checkin.channel == CheckIn.Channel.SMS else "消息通道超时"
            self.event(
                case,
                None,
                CaseEvent.Kind.CHECKIN_FAILED,
                due + self.minutes(60, 70),
                checkin_id=checkin,
                error=checkin.last_error,
            )
            return False
        checkin.attempts, checkin.sent_at = 1, due + timedelta(seconds=rng.randint(5, 50))
        self.event(
            case,
            None,
            CaseEvent.Kind.CHECKIN_SENT,
            checkin.sent_at,
            checkin_id=checkin,
            channel=checkin.channel,
            status="sent",
        )
        if outcome == "replied":
            at = checkin.sent_at + self.minutes(3, 150)
            reply = self.message(Source.CHAT, rng.choice(REPLIES), self.person(case), at)
            checkin.status, checkin.replied_at, checkin.reply = CheckIn.Status.REPLIED, at, reply
            self.event(
                case, None, CaseEvent.Kind.CHECKIN_REPLIED, at, checkin_id=checkin, message_id=reply, text=reply.text
            )
            return True
        # No reply: the owner is chased, then the check-in comes back to the queue as an alert.
        checkin.status = CheckIn.Status.MISSED
        checkin.chased_at = checkin.sent_at + settings.SHOUHU_CHECKIN_REPLY_WITHIN
        self.event(case, None, CaseEvent.Kind.CHECKIN_CHASED, checkin.chased_at, checkin_id=checkin)
        at = checkin.chased_at + settings.SHOUHU_CHECKIN_REQUEUE_AFTER
        alert = self.raise_alert(case.desk, Source.CHECKIN, HIGH, "", case.buyer, at)
        self.requeued.append((alert, case))
        checkin.requeued_alert = alert
        self.event(case, None, CaseEvent.Kind.CHECKIN_MISSED, at, checkin_id=checkin, alert_id=alert)
        claimed_at = at + self.claim_delay(HIGH, at)
        self.claim(alert, case.owner, claimed_at)
        self.link(alert, case, Alert.Status.MERGED, claimed_at + self.minutes(0.5, 2))
        return False

    def close(self, case: Case, at: datetime | None, outcome: str) -> None:
        """Close the case with how it ended; one whose work runs up to now (or past it, at None)
        stays open, under monitoring when it has check-ins."""
        if at is None or at > self.cutoff:
            watched = any(checkin.case is case for checkin in self.checkins)
            case.status = Case.Status.MONITORING if watched else Case.Status.OPEN
            return
        case.status, case.outcome, case.closed_at = Case.Status.CLOSED, outcome, at
        case.closing_summary = self.rng.choice(CLOSING[outcome])
        self.event(case, case.owner, CaseEvent.Kind.CLOSED, at, outcome=outcome, text=case.closing_summary)

    # --- writing -----------------------------------------------------------------------------------
