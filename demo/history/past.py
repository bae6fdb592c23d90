"""The history's flows: an alert comes in, is decided, and becomes a case that is worked."""

from datetime import datetime, timedelta
from decimal import Decimal

from accounts.models import Desk
from fraud.models import Dissuasion
from interventions.models import (
    Alert,
    Case,
    CaseEvent,
    PoliceUnit,
    RiskAssessment,
)
from interventions.risk import risk_level
from orders.models import Buyer, Order
from orders.services import buyer_contact_apply

from .actions import _Actions
from .scenarios import (
    AMOUNTS,
    CRITICAL,
    FOLLOW_UPS,
    HIGH,
    NICKNAMES,
    STREETS,
    Scenario,
)


class _Past(_Actions):
    """Eight weeks of alerts, each decided as the desk would have, on the ledger's lists."""

    def alert(self, desk: str, scenario: Scenario, raised_at: datetime) -> None:
        """Raise the alert and play out what came of it. Last night's alerts whose work would run
        past now are left out (the rows would be half done): the stories' queue has the open ones."""
        lists = self.lists()
        sizes = [len(rows) for rows in lists]
        self.decide(desk, scenario, raised_at)
        late = any(at > self.cutoff for _case, _actor, _kind, at, _payload in self.events[sizes[-1] :]) or any(
            alert.claimed_at > self.cutoff for alert in self.alerts[sizes[0] :]
        )
        if late:
            for case in self.cases[sizes[4] :]:
                self.last.pop(id(case), None)
            for rows, size in zip(lists, sizes, strict=True):
                del rows[size:]

    def decide(self, desk: str, scenario: Scenario, raised_at: datetime) -> None:
        rng = self.rng
        severity = rng.choice(scenario.severities)
        amount = rng.choice(AMOUNTS.get(scenario.scam, AMOUNTS["default"]))
        real = rng.random() < scenario.real
        buyer = self.buyer(raised_at)
        order = self.order(buyer, scenario.goods, raised_at) if real and scenario.goods else None
        alert = self.raise_alert(
            desk,
            scenario.source,
            severity,
            scenario.summary.format(yuan=f"{amount:,}"),
            buyer,
            raised_at,
            text=scenario.text.format(amount=amount),
            terms=scenario.terms,
            order=order,
        )
        owner = self.claimant(desk)
        claimed_at = raised_at + self.claim_delay(severity, raised_at)
        self.claim(alert, owner, claimed_at)
        if not real:
            false_alarm = rng.random() < 0.85
            self.dismiss(alert, Alert.DismissReason.FALSE_ALARM if false_alarm else Alert.DismissReason.NOT_ACTIONABLE)
            return
        if rng.random() < 0.06:
            self.dismiss(alert, Alert.DismissReason.NOT_ACTIONABLE)  # already helped elsewhere
            return
        opened_at = claimed_at + self.minutes(0.5, 4)
        case = Case(
            desk=desk,
            title=(scenario.title or scenario.summary).format(yuan=f"{amount:,}"),
            buyer=buyer,
            owner=owner,
            opened_by=owner,
            opened_at=opened_at,
        )
        self.cases.append(case)
        self.event(case, owner, CaseEvent.Kind.OPENED, opened_at, title=case.title)
        self.link(alert, case, Alert.Status.PROMOTED, opened_at)
        if rng.random() < 0.18:
            self.follow_up(case, alert, opened_at)
        if rng.random() < 0.05:
            self.close(case, self.last[id(case)] + self.minutes(20, 120), Case.Outcome.FALSE_ALARM)
        elif desk == Desk.LIFE:
            self.life_case(case, scenario, alert, order, opened_at)
        else:
            self.fraud_case(case, scenario, alert, amount, opened_at)

    def buyer(self, at: datetime) -> Buyer:
        number = len(self.buyers) + 1
        buyer = Buyer(
            account_ref=f"tb_hist_{number:04d}",
            nickname=self.rng.choice(NICKNAMES),
            region=self.rng.choice(self.regions),
            created_at=at - timedelta(days=self.rng.randint(30, 900)),
        )
        if buyer.region is None:  # never: drawn from self.regions just above
            raise ValueError("a buyer of the history without a region")
        # Fictional, and made from the number rather than drawn: the draws stay those of the
        # history before buyers had a phone and an address, and so do the figures.
        towns = "".join(region.name for region in reversed(buyer.region.lineage()))
        street = STREETS[number % len(STREETS)]
        buyer_contact_apply(buyer=buyer, phone=f"1380001{number:04d}", address=f"{towns}{street}{number % 200 + 1}号")
        self.buyers.append(buyer)
        return buyer

    def order(self, buyer: Buyer, goods: tuple[str, ...], at: datetime) -> Order:
        product = self.products[self.rng.choice(goods)]
        ordered_at = at - self.minutes(20, 360)
        shipped = self.rng.random() < 0.2
        order = Order(
            external_ref=f"TB{ordered_at:%Y%m%d%H%M}{len(self.orders) + 1:04d}",
            buyer=buyer,
            merchant=product.merchant,
            product=product,
            region=buyer.region,
            status=Order.Status.SHIPPED if shipped else Order.Status.PAID,
            carrier="顺丰速运" if shipped else "",
            tracking_no=f"SF55501{len(self.orders) + 1:05d}" if shipped else "",
            ordered_at=ordered_at,
        )
        self.orders.append(order)
        return order

    def follow_up(self, case: Case, first: Alert, opened_at: datetime) -> None:
        """The person writes again: the alert joins their case, or is dismissed as its duplicate."""
        text, terms = self.rng.choice(FOLLOW_UPS[case.desk])
        at = opened_at + self.minutes(8, 90)
        alert = self.raise_alert(
            case.desk, first.source, first.severity, "同一当事人再次留言", case.buyer, at, text=text, terms=terms
        )
        claimed_at = at + self.claim_delay(first.severity, at)
        self.claim(alert, case.owner, claimed_at)
        if self.rng.random() < 0.85:
            self.link(alert, case, Alert.Status.MERGED, claimed_at + self.minutes(0.5, 3))
        else:
            self.dismiss(alert, Alert.DismissReason.DUPLICATE)

    def life_case(self, case: Case, scenario: Scenario, alert: Alert, order: Order | None, opened_at: datetime):
        rng, owner = self.rng, case.owner
        at = opened_at + self.minutes(0.5, 3)
        if scenario.factors or scenario.cssrs:
            answers = {key: key in scenario.cssrs for key in ("q1", "q2", "q3", "q4", "q5", "q6", "q6_recent")}
            level = risk_level(answers, set(scenario.factors))
            assessment = RiskAssessment(
                case=case,
                assessed_by=owner,
                assessed_at=at,
                cssrs=answers,
                factors=sorted(scenario.factors),
                level=level,
                note="电话评估",
            )
            self.assessments.append(assessment)
            self.event(
                case,
                owner,
                CaseEvent.Kind.ASSESSED,
                at,
                assessment_id=assessment,
                previous=case.risk_level,
                level=level,
                reason="电话评估",
            )
            case.risk_level = level
        act_at = at + self.act_delay(alert.severity)
        referred = False
        if order is not None:
            self.intercept(case, order, act_at)
            act_at += self.minutes(2, 10)
        police_share: dict[int, float] = {CRITICAL: 0.45, HIGH: 0.2}
        if rng.random() < police_share.get(alert.severity, 0.05):
            self.refer(case, act_at, "当事人表达明确轻生意图,请求就近上门查看。", kind=PoliceUnit.Kind.POLICE)
            referred = True
            act_at += self.minutes(3, 15)
        reached, watching = True, False
        if rng.random() < 0.85:
            reached, watching = self.plan_checkins(case, act_at)
        if referred and rng.random() < 0.6:
            outcome = Case.Outcome.REFERRED
        elif not reached or rng.random() < 0.08:
            outcome = Case.Outcome.UNREACHABLE
        else:
            outcome = Case.Outcome.SAFE
        self.close(case, None if watching else self.last[id(case)] + self.minutes(60, 600), outcome)

    def fraud_case(self, case: Case, scenario: Scenario, alert: Alert, amount: int, opened_at: datetime):
        rng, owner = self.rng, case.owner
        at = opened_at + self.minutes(0.5, 3)
        level = Case.RiskLevel.HIGH if scenario.scam == "safe_account" or amount >= 5000 else Case.RiskLevel.MODERATE
        if scenario.plan == "takeover":
            level = Case.RiskLevel.MODERATE
        reasons = {"paid": "已付款,仍在止付窗口内", "dissuade": "尚未付款,需立即劝阻", "takeover": "手机号被冒用"}
        reason = reasons.get(scenario.plan, "待核实")
        self.event(case, owner, CaseEvent.Kind.RISK_RATED, at, previous=case.risk_level, level=level, reason=reason)
        case.risk_level = level
        act_at = at + self.act_delay(alert.severity)
        # A fraud case never closes as "safe", the life desk's outcome: an account taken over and
        # given back is fraud stopped.
        outcome = Case.Outcome.FRAUD_STOPPED
        if scenario.plan == "paid":
            frozen = self.stop_payment(case, scenario.scam, amount, alert.created_at, act_at)
            outcome = Case.Outcome.FRAUD_STOPPED if frozen else Case.Outcome.FRAUD_LOSS
            if rng.random() < 0.3:
                self.refer(case, act_at + self.minutes(5, 40), "被骗报案,附转账记录与对方账户。")
                if not frozen and rng.random() < 0.5:
                    outcome = Case.Outcome.REFERRED
        elif scenario.plan == "dissuade":
            reached = rng.random() < 0.8
            convinced = reached and rng.random() < 0.75
            dissuasion = Dissuasion(
                case=case,
                scam_type=scenario.scam,
                reached=reached,
                convinced=convinced,
                amount_protected=Decimal(amount) if convinced else Decimal(0),
                note="电话劝阻,当事人同意不再转账" if convinced else ("未接通" if not reached else "当事人坚持转账"),
                by=owner,
                at=act_at,
            )
            self.dissuasions.append(dissuasion)
            self.event(
                case,
                owner,
                CaseEvent.Kind.DISSUADED,
                act_at,
                dissuasion_id=dissuasion,
                convinced=convinced,
                amount=str(dissuasion.amount_protected),
                text=dissuasion.note,
            )
            if convinced:
                outcome = Case.Outcome.FRAUD_STOPPED
            elif not reached:
                outcome = Case.Outcome.UNREACHABLE
            else:
                outcome = Case.Outcome.FRAUD_LOSS
            if scenario.scam == "safe_account" and not convinced:
                self.refer(case, act_at + self.minutes(2, 10), "当事人正在银行准备转账至“安全账户”,请求现场劝阻。")
                outcome = Case.Outcome.REFERRED
        elif scenario.plan == "takeover" and rng.random() < 0.7:
            self.refer(case, act_at, "手机号被冒用注册平台账号,疑似验证码被拦截。", kind=PoliceUnit.Kind.POLICE)
            outcome = Case.Outcome.REFERRED
        self.close(case, self.last[id(case)] + self.minutes(60, 1800), outcome)
