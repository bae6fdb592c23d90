"""Eight weeks of past work, so the managers' figures have something to draw: the alerts that came
in, how fast they were claimed, the cases they became, what was done for each person and how each
case ended.

Past records cannot go through the services, which stamp everything "now" (and page shops, call
webhooks), so this writes the rows the services would have written, timeline events included, with
their own past times, one bulk insert per table. Nothing is left for the sweeps to act on: every
old alert is decided, every interception and stop-payment answered, every check-in over.

The history has people of its own: an alert about someone with a case on the other desk links to
that case, and the stories' people must come to the stories without a past. Repeatable: one
random.Random(SEED) makes every choice, in the same order, for the same `now`.
"""

import math
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
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
    Severity,
    Source,
)
from interventions.risk import risk_level
from interventions.scanner import scan_text
from interventions.scanner.default_terms import default_terms
from interventions.scanner.lexicon import default_lexicon
from interventions.services.alerts import alert_claim_deadline
from interventions.services.checkins import checkin_due
from orders.models import Buyer, InterceptionRequest, Order, Product, Region
from orders.services import buyer_contact_apply

SEED = 20260929
DAYS = 56
CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

# The category of each default term; the history flags only what the scanner knows.
_CATEGORY = {term.phrase: term.category for term in reversed(default_terms()) if term.category != "exception"}


@dataclass(frozen=True)
class Scenario:
    """A kind of message the scanner flags, and what usually comes of it. `real` is the share in
    which someone turns out to be in danger; the rest are false alarms. Texts may hold {amount}
    (digits, as a person writes it), summaries and titles {yuan} (with thousands separators)."""

    weight: int
    severities: tuple[int, ...]
    real: float
    source: str
    text: str
    terms: tuple[str, ...]
    summary: str
    title: str = ""
    goods: tuple[str, ...] = ()  # products one of which the person has just ordered
    plan: str = ""  # anti-fraud: "paid", "dissuade" or "takeover"
    scam: str = "other"
    factors: tuple[str, ...] = ()
    cssrs: tuple[str, ...] = ()


CHAT, COMPLAINT = Source.CHAT, Source.COMPLAINT

# fmt: off
LIFE = [
    Scenario(3, (CRITICAL, CRITICAL, HIGH), 0.95, CHAT,
             "客服你好,艾司唑仑还能再买一瓶吗?我已经囤了很多,今晚就全部吃掉,活不下去了。",
             ("艾司唑仑", "囤了", "今晚", "活不下去"), "明确意图 + 囤药 + 今晚:高危", "囤药 · 今晚轻生",
             goods=("kn-001",), factors=("explicit_intent", "prepared_method"), cssrs=("q1", "q2", "q3", "q4")),
    Scenario(2, (CRITICAL, HIGH), 0.9, CHAT,
             "木炭和炭盆都买好了,就是想烧炭,这是最后一次跟人说话了,别拦我。",
             ("木炭", "炭盆", "买好了", "烧炭", "最后一次", "别拦我"), "烧炭意图 + 已购木炭 + 别拦我",
             "已购木炭 · 烧炭意图", goods=("nd-001",),
             factors=("explicit_intent", "prepared_method", "backup_plan"), cssrs=("q1", "q2", "q3", "q4", "q5")),
    Scenario(2, (CRITICAL, HIGH), 0.9, COMPLAINT,
             "有用户举报:好友在朋友圈说欠债还不起,不想活了,还晒了刚买的农药。",
             ("欠债", "还不起", "不想活了", "农药"), "朋友圈轻生 + 已购农药", "欠债 · 朋友圈轻生 · 已购农药",
             goods=("qh-001", "wt-001"), factors=("explicit_intent", "prepared_method", "recent_setback"),
             cssrs=("q1", "q2", "q3")),
    Scenario(2, (HIGH, CRITICAL), 0.85, CHAT, "这根绳子够结实吗?我想上吊,遗书已经写好了。",
             ("绳子", "上吊", "遗书"), "上吊意图 + 遗书 + 购买绳子", "购买绳子 · 遗书已写", goods=("nd-002",),
             factors=("explicit_intent", "prepared_method"), cssrs=("q1", "q2", "q3", "q4")),
    Scenario(2, (HIGH, CRITICAL), 0.85, CHAT, "我是初中生,今天又被批评了,现在在楼顶,想跳下去。",
             ("初中生", "被批评", "楼顶", "跳下去"), "未成年人 · 楼顶 · 跳楼意图", "初中生 · 楼顶 · 跳楼意图",
             factors=("explicit_intent", "recent_setback"), cssrs=("q1", "q2", "q3", "q4")),
    Scenario(3, (MEDIUM, HIGH), 0.7, CHAT, "分手以后天天失眠,活着没意思,想买点安眠药一了百了。",
             ("分手", "失眠", "活着没意思", "安眠药", "一了百了"), "失眠 + 轻生念头 + 求购安眠药",
             "分手后失眠 · 求购安眠药", factors=("explicit_intent", "recent_setback", "psychiatric_history"),
             cssrs=("q1", "q2", "q3")),
    Scenario(2, (MEDIUM, HIGH), 0.8, COMPLAINT, "网友反映:一位顾客说抑郁症又犯了,最近一直在割手,伤害自己停不下来。",
             ("抑郁症", "割手", "伤害自己"), "自伤行为 · 抑郁症", "反复自伤 · 抑郁症",
             factors=("psychiatric_history", "researched_or_attempted"), cssrs=("q1", "q6")),
    Scenario(1, (CRITICAL,), 0.95, CHAT, "永别了,替我照顾好我家的猫。地址不用改了,东西不要发了。",
             ("永别了", "替我照顾"), "告别留言:永别了 · 托付后事", "告别留言 · 托付后事",
             factors=("explicit_intent",), cssrs=("q1", "q2", "q4")),
    Scenario(1, (HIGH, CRITICAL), 0.9, CHAT, "已经买了药,一直在哭,对不起大家,下辈子再见。",
             ("买了药", "对不起大家", "下辈子再见"), "告别语 + 已买药", "已买药 · 告别语", goods=("kn-001",),
             factors=("explicit_intent", "prepared_method"), cssrs=("q1", "q2", "q3", "q4")),
    Scenario(2, (MEDIUM, HIGH), 0.5, CHAT, "考砸了,爸妈肯定会骂我,好累,不想回家。", ("考砸", "爸妈", "好累"),
             "学业受挫 · 情绪低落", "考试受挫 · 情绪低落", factors=("recent_setback",), cssrs=("q1",)),
    Scenario(3, (MEDIUM,), 0.3, CHAT, "最近总是睡不着,失眠好几天了,助眠药和褪黑素哪个好?",
             ("睡不着", "失眠", "助眠药"), "长期失眠 · 咨询助眠药", "长期失眠 · 求购助眠药",
             factors=("psychiatric_history",), cssrs=("q1",)),
    # Mostly false alarms: everyday words that the scanner cannot tell from danger.
    Scenario(3, (LOW, MEDIUM), 0.05, CHAT, "楼顶晒被子要用的绳子,十米够不够?", ("楼顶", "绳子"),
             "“楼顶”“绳子”同时出现", "楼顶 · 绳子 · 待核实"),
    Scenario(3, (LOW, MEDIUM), 0.06, CHAT, "周末露营烧烤,木炭买好了吗?今晚能发货吗?", ("木炭", "买好了", "今晚"),
             "“木炭”“买好了”“今晚”同时出现", "木炭 · 待核实"),
    Scenario(3, (LOW, MEDIUM), 0.05, CHAT, "加班到现在,活着好累,快递能不能快点到。", ("活着好累",),
             "“活着好累”出现在催单中", "活着好累 · 待核实", factors=("recent_setback",)),
    Scenario(2, (MEDIUM, HIGH), 0.04, CHAT, "这把游戏又输了,我要死了,队友都去死吧。", ("我要死了", "去死"),
             "“我要死了”“去死”出现在游戏抱怨中", "游戏抱怨 · 待核实"),
    Scenario(2, (LOW, MEDIUM), 0.05, CHAT, "家里有蟑螂,杀虫剂对老人小孩安全吗?老人每天要吃药。", ("杀虫剂", "吃药"),
             "“杀虫剂”“吃药”同时出现", "杀虫剂 · 待核实"),
    Scenario(2, (MEDIUM,), 0.08, CHAT, "剃须刀的刀片是原装的吗?今天晚上下单明天就能到吗?",
             ("刀片", "今天晚上", "明天就"), "“刀片”+ 时间词", "刀片 · 待核实"),
]

FRAUD = [
    Scenario(3, (HIGH, CRITICAL), 0.92, COMPLAINT,
             "对方自称客服,说我的快递丢失理赔,让我点链接填了银行卡,我转了{amount}元,现在联系不上了。",
             ("自称客服", "快递丢失理赔", "点链接", "转了", "联系不上"), "冒充客服理赔诈骗 · 已付款 {yuan} 元",
             "冒充客服理赔 · {yuan} 元", plan="paid", scam="refund"),
    Scenario(2, (HIGH, CRITICAL), 0.95, COMPLAINT,
             "有人自称警察,说我涉嫌洗钱,要资金核查,我已经把{amount}元转到安全账户了。",
             ("自称警察", "涉嫌洗钱", "资金核查", "安全账户"), "冒充公检法 · 安全账户 · 已转 {yuan} 元",
             "冒充公检法 · 安全账户 · {yuan} 元", plan="paid", scam="safe_account"),
    Scenario(1, (CRITICAL,), 0.95, COMPLAINT,
             "家人接到电话,对方自称警察说他涉嫌洗钱,让他把存款转到安全账户,人现在正在银行。",
             ("自称警察", "涉嫌洗钱", "安全账户"), "冒充公检法 · 正在去转账", "冒充公检法 · 劝阻转账",
             plan="dissuade", scam="safe_account"),
    Scenario(3, (MEDIUM, HIGH), 0.9, COMPLAINT,
             "网上找的兼职日结,做任务刷单,先垫付了{amount}元,返佣一直不给,客服也联系不上。",
             ("兼职日结", "做任务", "刷单", "先垫付", "返佣", "联系不上"), "刷单返佣诈骗 · 已垫付 {yuan} 元",
             "刷单返佣 · {yuan} 元", plan="paid", scam="brushing"),
    Scenario(2, (MEDIUM, HIGH), 0.85, COMPLAINT,
             "卖游戏币的人让我加微信私下交易,扫码付款{amount}元后就把我拉黑了,我被骗了。",
             ("游戏币", "加微信", "私下交易", "扫码付款", "被骗了"), "游戏币私下交易诈骗 · {yuan} 元",
             "游戏币私下交易 · {yuan} 元", plan="paid", scam="game_currency"),
    Scenario(2, (MEDIUM, HIGH), 0.85, COMPLAINT, "我从来没注册过这个账号,手机号被冒用了,最近总收到陌生的验证码。",
             ("没注册过", "被冒用", "验证码"), "手机号被冒用注册", "手机号被冒用注册账号", plan="takeover"),
    Scenario(2, (MEDIUM, HIGH), 0.8, CHAT,
             "有人说我账户异常,让我点击链接办理退款,说能双倍赔偿,还没付钱,这是真的吗?",
             ("账户异常", "点击链接", "双倍赔偿"), "虚假退款链接 · 尚未付款", "虚假退款 · 劝阻付款",
             plan="dissuade", scam="refund"),
    Scenario(2, (MEDIUM,), 0.6, CHAT, "卖家说不走平台可以便宜两百,让我支付宝转给他,靠谱吗?", ("不走平台", "支付宝转"),
             "诱导绕开平台付款", "绕开平台付款 · 劝阻", plan="dissuade", scam="other"),
    # Mostly false alarms.
    Scenario(3, (LOW, MEDIUM), 0.05, CHAT, "换了新手机,验证码一直收不到,怎么登录?", ("验证码",),
             "“验证码”出现在登录求助中", "验证码 · 待核实", plan="takeover"),
    Scenario(2, (LOW,), 0.05, CHAT, "游戏账号能换绑手机吗?装备会不会丢?", ("游戏账号", "装备"),
             "“游戏账号”“装备”同时出现", "游戏账号 · 待核实"),
    Scenario(3, (LOW, MEDIUM), 0.08, COMPLAINT, "已付款三天了还不发货,转账记录我都有截图。", ("已付款", "转账"),
             "“已付款”“转账”出现在催发货中", "催发货 · 待核实"),
    Scenario(2, (MEDIUM,), 0.15, CHAT, "卖家让我加微信发实物图看看色差,可以吗?", ("加微信",),
             "引导加微信", "加微信 · 待核实", plan="dissuade"),
    Scenario(2, (LOW, MEDIUM), 0.05, CHAT, "点券充值转了50元还没到账,麻烦查一下。", ("点券", "转了"),
             "“点券”“转了”同时出现", "点券充值 · 待核实"),
    Scenario(1, (LOW, MEDIUM), 0.05, CHAT, "收到异常登录提醒,其实是我自己换手机登录的。", ("异常登录",),
             "“异常登录”出现在咨询中", "异常登录 · 待核实", plan="takeover"),
]
# fmt: on

# The same person writing again while their case is open.
FOLLOW_UPS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    Desk.LIFE: [("还在吗?我说的是真的,今晚就做个了断。", ("今晚",)), ("你们别劝了,拦我也没用。", ("拦我也没用",))],
    Desk.FRAUD: [
        ("对方又来联系,让我点链接交保证金才能退钱。", ("点链接",)),
        ("刚才又转了一笔,说是解冻费。", ("转了",)),
    ],
}
AMOUNTS = {
    "safe_account": [30000, 48000, 80000, 126000, 200000],
    "default": [680, 1200, 2000, 2980, 3500, 5000, 6800, 8800, 12000, 18000, 26000],
}
# Local hour weights: despair is written at night, fraud is reported in the day.
HOURS: dict[str, list[float]] = {
    Desk.LIFE: [6, 5, 4, 3, 2, 1, 1, 1, 1, 2, 2, 2, 3, 2, 2, 2, 3, 3, 4, 5, 6, 7, 8, 8],
    Desk.FRAUD: [1, 1, 1, 0.5, 0.5, 0.5, 1, 2, 3, 5, 6, 6, 5, 5, 6, 6, 6, 5, 5, 5, 5, 4, 3, 2],
}
# Alerts a day: (weekday, weekend) choices.
PER_DAY = {Desk.LIFE: ((2, 3, 3, 4), (3, 4, 4, 5)), Desk.FRAUD: ((3, 4, 4, 5), (1, 2, 2, 3))}
# Minutes to claim: (median, latest on time, share late, late range). Critical mostly within 5.
CLAIM: dict[int, tuple[float, float, float, tuple[int, int]]] = {
    CRITICAL: (2.0, 4.8, 0.06, (6, 25)),
    HIGH: (5.0, 14.5, 0.1, (16, 50)),
    MEDIUM: (12.0, 58.0, 0.12, (65, 180)),
    LOW: (60.0, 235.0, 0.12, (250, 540)),
}
# Minutes from opening the case to the first thing done for the person.
FIRST_ACTION: dict[int, float] = {CRITICAL: 4.0, HIGH: 6.0, MEDIUM: 10.0, LOW: 20.0}
STREETS = ["示范路", "样例街", "演示大道", "虚构巷", "模拟路"]
NICKNAMES = ["王女士", "李先生", "小陈", "阿杰", "晴天", "木木", "橙子", "小林", "周同学", "大海", "小雨", "阿花"]
REPLIES = [
    "早上好,我好多了,谢谢你们。",
    "收到,昨晚睡着了,今天去上班了。",
    "谢谢关心,家人在陪我。",
    "还行吧,会好好吃饭的。",
]
CLOSING: dict[str, list[str]] = {
    Case.Outcome.SAFE: ["回访确认当事人安全,已提供心理援助热线。", "当事人情绪平稳,家人陪伴,结案。"],
    Case.Outcome.REFERRED: ["民警已上门处置,当事人由家属接回。", "已移交警方跟进,当事人安全。"],
    Case.Outcome.UNREACHABLE: ["多次联系未果,已留言并提供求助热线。"],
    Case.Outcome.FALSE_ALARM: ["核实为误报,当事人无风险。"],
    Case.Outcome.FRAUD_STOPPED: ["资金已止付或当事人未付款,结案。"],
    Case.Outcome.FRAUD_LOSS: ["资金已被转走,已指导当事人报警并保留证据。"],
}


def load_history(staff: dict, merchants: dict, products: dict[str, Product], buyers: dict, regions: dict, now) -> None:
    """Write eight weeks of decided alerts and their cases, ending the day before `now`. The
    stories' `merchants` and `buyers` are not used: the history has buyers and orders of its own."""
    past = _Past(staff=staff, products=products, regions=regions, now=now)
    zone = ZoneInfo(settings.TIME_ZONE)
    today = now.astimezone(zone).date()
    for days_ago in range(DAYS, 0, -1):
        day = today - timedelta(days=days_ago)
        for desk, scenarios in ((Desk.LIFE, LIFE), (Desk.FRAUD, FRAUD)):
            weekday, weekend = PER_DAY[desk]
            moments = sorted(
                datetime.combine(
                    day,
                    time(past.rng.choices(range(24), HOURS[desk])[0], past.rng.randrange(60), past.rng.randrange(60)),
                    tzinfo=zone,
                )
                for _ in range(past.rng.choice(weekend if day.weekday() >= 5 else weekday))
            )
            for raised_at in moments:
                scenario = past.rng.choices(scenarios, [s.weight for s in scenarios])[0]
                past.alert(desk, scenario, raised_at)
    past.write()


class _Past:
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

    def lists(self) -> list[list]:
        """Every list a flow adds to: the alerts first, the cases fifth, the events last."""
        return [
            self.alerts, self.buyers, self.orders, self.messages, self.cases, self.scanned, self.requeued,
            self.interceptions, self.referrals, self.stop_payments, self.dissuasions, self.assessments,
            self.checkins, self.emergency_actions, self.events,
        ]  # fmt: skip

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
        outcome = Case.Outcome.SAFE
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

    # --- actions -----------------------------------------------------------------------------------

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
