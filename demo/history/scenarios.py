"""The history's scenarios and rates: what kinds of alerts came in, how many a day, at which
hours, how fast they were claimed and acted on, and how cases ended."""

from dataclasses import dataclass

from accounts.models import Desk
from interventions.models import (
    Case,
    Severity,
    Source,
)
from interventions.scanner.default_terms import default_terms

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
