"""Fill a PostgreSQL database with a production-sized history of alerts, cases, actions, orders and sightings.

Usage, from the repository root (DJANGO_SETTINGS_MODULE defaults to config.settings.test):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shouhu_bench \\
        .venv/bin/python bench/seed.py --alerts 1000000 [--cases N] [--orders N] [--sightings N] \\
                                       [--buyers N] [--merchants N] [--seed N] [--reset]

Counts not given follow the number of alerts (see `Sizes`): a tenth as many cases, half as many
orders, as many sightings, a fifth as many buyers, 2,000 merchants. Besides those it writes a
handful of regions, ten products per merchant (about one in ten of a high-risk category),
indicators of every kind, a few timeline events per case, and bench staff (bench-specialist-N and
bench-supervisor-N @bench.invalid, in two bench teams, one per desk), who are created once and
reused. Alerts span the last 180 days on both desks; the recent ones are mostly still in the
queue, the older ones were dismissed, promoted to a case or merged into one. Every check and
unique constraint of the models holds. Simple-history tables get no rows.

What was done on the cases, drawn case by case (so the counts are about these shares of the
cases, which follow --cases): an interception of the order for about one in eight cases that have
one (the order's own status is then set to what the answer made it), a police referral for about
one in twelve cases (mostly those that ended "referred"), a stop-payment request for about one in
six fraud-desk cases (mostly those that ended with a loss) and a dissuasion call for about one in
four, check-ins for about one in five life-desk cases (a few days of them each), and an emergency
action for every interception, referral and stop-payment made at high or critical risk, as the
services do. Each leaves its lines on the case's timeline. When there is no active police unit of
a kind, a handful of bench units is created, each with a bench liaison (bench-police_liaison-N).

Why COPY: the services write one alert per transaction with its history row, and even
bulk_create builds a model instance and a multi-row INSERT for every batch; a million alerts would
take hours or tens of minutes. COPY streams rows to the server in its own format, and psycopg 3
formats them in C, so generating the rows in Python is the slow part, not the database.

Why the script picks the ids: with every id known in advance an alert can name its case, order
and buyer without reading anything back, so each table is written in one pass. Ids start after
the current maximum, the seeded tables are locked against other writers meanwhile, and each
table's sequence is moved past the last id at the end.

Repeatable: each table draws from its own random.Random seeded with --seed, and times are offsets
from the start of the run, so the same arguments write the same rows (shifted to the run's time).

--reset empties the seeded tables of the orders, interventions and fraud apps first, police units
included (TRUNCATE ... RESTART IDENTITY CASCADE; tables pointing at them, such as messages,
merchant staff and police liaisons, are emptied by the cascade and listed). No user is ever deleted.
"""

import argparse
import json
import os
import random
import sys
import time
from array import array
from bisect import bisect, bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import accumulate, count, islice
from math import gcd
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from _common import copy_columns, database_create, figure, results_write  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from psycopg import sql  # noqa: E402

from accounts.crypto import encrypt, phone_index  # noqa: E402
from accounts.models import Desk, Team, User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from fraud.models import Dissuasion, DissuasionScript, Indicator, Sighting, StopPaymentRequest  # noqa: E402
from interventions.models import (  # noqa: E402
    Alert,
    Case,
    CaseEvent,
    CheckIn,
    EmergencyAction,
    PoliceLiaison,
    PoliceReferral,
    PoliceUnit,
    Severity,
    Source,
)
from interventions.services import alert_claim_deadline  # noqa: E402
from interventions.services.outbox import retry_delay  # noqa: E402
from orders.models import Buyer, InterceptionRequest, Merchant, Order, Product, Region  # noqa: E402

MINUTE, HOUR, DAY = 60.0, 3_600.0, 86_400.0
SPAN = 180 * DAY  # alerts, cases and orders are spread over the last 180 days
# Indicators were first seen from this long before the span, so early alerts can sight old ones.
INDICATOR_LEAD = 30 * DAY
# One COPY statement per batch: the foreign keys are checked at the end of each statement, and the
# server keeps a queue entry per row and key until then, so a batch bounds that memory.
BATCH_ROWS = 50_000
PRODUCTS_PER_MERCHANT = 10
SPECIALISTS_PER_DESK = 10
SUPERVISORS = 4
DESKS = (Desk.LIFE, Desk.FRAUD)
# The target (docs/development.md): a million alerts seeded in under ten minutes.
TARGET_ALERTS = 1_000_000
TARGET_SECONDS = 600.0
# The claim deadline of each severity, taken from the service so that the rule stays in one place.
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
CLAIM_WITHIN = {s: alert_claim_deadline(severity=s, raised_at=_EPOCH) - _EPOCH for s in range(1, 5)}
SLA = {severity: within.total_seconds() for severity, within in CLAIM_WITHIN.items()}


class Weighted:
    """A choice among fixed values with weights, drawn once or more per row (faster than choices())."""

    def __init__(self, weights: dict) -> None:
        self.values = list(weights)
        self.cumulative = list(accumulate(weights.values()))

    def __call__(self, rng: random.Random):
        return self.values[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


# --- What the rows say -----------------------------------------------------------------------
# Shares are guesses at a busy marketplace's traffic, not measurements; they only need to give the
# queries realistic selectivity (few open alerts, few high-risk products, many dismissals).

DESK_SHARE = Weighted({Desk.LIFE: 55, Desk.FRAUD: 45})
SOURCES = {
    Desk.LIFE: Weighted(
        {Source.CHAT: 45, Source.ORDER: 25, Source.COMPLAINT: 12, Source.MERCHANT_REPORT: 10, Source.MANUAL: 8}
    ),
    Desk.FRAUD: Weighted(
        {Source.CHAT: 50, Source.COMPLAINT: 25, Source.MERCHANT_REPORT: 10, Source.MANUAL: 10, Source.ORDER: 5}
    ),
}
SEVERITIES = {
    Desk.LIFE: Weighted({Severity.LOW: 25, Severity.MEDIUM: 30, Severity.HIGH: 28, Severity.CRITICAL: 17}),
    Desk.FRAUD: Weighted({Severity.LOW: 40, Severity.MEDIUM: 35, Severity.HIGH: 18, Severity.CRITICAL: 7}),
}
DISMISS_REASONS = Weighted(
    {Alert.DismissReason.FALSE_ALARM: 55, Alert.DismissReason.NOT_ACTIONABLE: 35, Alert.DismissReason.DUPLICATE: 10}
)
MERGE_SHARE = 0.05  # of the alerts that open no case, those merged into an open case of their desk

# (summary, matched term, category): one line a specialist reads, and what the scanner matched.
TOPICS = {
    Desk.LIFE: [
        ("聊天中表达轻生念头", "不想活了", "intent"),
        ("询问安眠药的致死剂量", "吃多少片", "method"),
        ("购买农药并留言告别", "最后一次", "farewell"),
        ("投诉中提到活着没意思", "活着没意思", "intent"),
        ("购买木炭和胶带，留言异常", "烧炭", "method"),
        ("商家反映买家情绪异常", "再见了", "farewell"),
        ("深夜多次询问绳子承重", "承重多少", "method"),
        ("留言交代后事", "帮我照顾", "farewell"),
        ("自述长期失眠、绝望", "绝望", "distress"),
        ("提到已写好遗书", "遗书", "farewell"),
    ],
    Desk.FRAUD: [
        ("疑似刷单返利诈骗", "刷单", "task_scam"),
        ("冒充客服要求退款转账", "退款链接", "impersonation"),
        ("诱导添加陌生QQ群", "加群", "diversion"),
        ("虚假投资理财推荐", "稳赚不赔", "investment"),
        ("冒充物流理赔", "快递丢失理赔", "impersonation"),
        ("要求开启屏幕共享", "屏幕共享", "remote_control"),
        ("诱导下载陌生App", "下载App", "diversion"),
        ("疑似网恋交友诈骗", "带你投资", "romance"),
        ("索要短信验证码", "验证码", "credential"),
        ("游戏账号交易诈骗", "低价出号", "trade"),
    ],
}
# The matched term's offsets point into a message the scanner read; no message rows are seeded.
MATCHES = {
    desk: [
        json.dumps([{"term": t, "category": c, "start": 12, "end": 12 + len(t)}], ensure_ascii=False)
        for _, t, c in topics
    ]
    for desk, topics in TOPICS.items()
}
NO_MATCHES = "[]"
ORDER_SUMMARIES = {Desk.LIFE: "购买高危商品，近期有异常留言", Desk.FRAUD: "高危商品订单，疑似被诱导下单"}
SCANNED_SOURCES = {Source.CHAT, Source.COMPLAINT, Source.MERCHANT_REPORT}

CASE_STATUS_BY_AGE = [  # (younger than, weights): recent cases are still being worked
    (DAY, Weighted({Case.Status.OPEN: 75, Case.Status.MONITORING: 15, Case.Status.CLOSED: 10})),
    (14 * DAY, Weighted({Case.Status.OPEN: 25, Case.Status.MONITORING: 30, Case.Status.CLOSED: 45})),
    (float("inf"), Weighted({Case.Status.OPEN: 1, Case.Status.MONITORING: 4, Case.Status.CLOSED: 95})),
]
OUTCOMES = {
    Desk.LIFE: Weighted(
        {
            Case.Outcome.SAFE: 55,
            Case.Outcome.REFERRED: 20,
            Case.Outcome.UNREACHABLE: 10,
            Case.Outcome.FALSE_ALARM: 15,
        }
    ),
    Desk.FRAUD: Weighted(
        {
            Case.Outcome.FRAUD_STOPPED: 50,
            Case.Outcome.FRAUD_LOSS: 15,
            Case.Outcome.REFERRED: 15,
            Case.Outcome.UNREACHABLE: 5,
            Case.Outcome.FALSE_ALARM: 15,
        }
    ),
}
CLOSING_SUMMARIES = {
    Case.Outcome.SAFE: "已电话联系本人，情绪稳定，家属已知情。",
    Case.Outcome.REFERRED: "已转交属地派出所跟进。",
    Case.Outcome.UNREACHABLE: "多次联系未果，订单已拦截。",
    Case.Outcome.FRAUD_STOPPED: "已劝阻，买家未转账。",
    Case.Outcome.FRAUD_LOSS: "买家已转账，已协助报警并申请止付。",
    Case.Outcome.FALSE_ALARM: "核实为误报。",
}
TIERS = Weighted({Case.Tier.SPECIALIST: 85, Case.Tier.SUPERVISOR: 12, Case.Tier.MANAGER: 3})
NOTES = ["已致电买家，未接通。", "联系商家暂停发货。", "买家表示情绪好转。", "已与家属取得联系。", "已发送关怀短信。"]
RISK_REASONS = ["表述明确且有具体方法", "有购买行为", "情绪低落但无计划", "已有转账意向", "多次出现同类信号"]
ESCALATION_REASONS = ["需要主管决定是否报警", "买家失联超过一小时", "涉及多名受害人"]

RISK_CATEGORIES = Weighted(
    {
        Product.RiskCategory.NONE: 900,
        Product.RiskCategory.PESTICIDE: 25,
        Product.RiskCategory.SEDATIVE: 15,
        Product.RiskCategory.CHARCOAL: 20,
        Product.RiskCategory.ROPE: 15,
        Product.RiskCategory.KNIFE: 20,
        Product.RiskCategory.OTHER: 5,
    }
)
PRODUCT_NAMES = {
    Product.RiskCategory.NONE: ["保温杯 500ml", "纯棉T恤", "手机壳", "数据线 1m", "洗衣液 2kg", "儿童绘本", "蓝牙耳机"],
    Product.RiskCategory.PESTICIDE: ["草甘膦除草剂 1L", "敌敌畏乳油 500ml", "百草枯替代型除草剂", "杀虫剂 喷雾"],
    Product.RiskCategory.SEDATIVE: ["助眠片 60粒", "安神口服液", "褪黑素软糖"],
    Product.RiskCategory.CHARCOAL: ["无烟竹炭 5kg", "烧烤木炭 3kg", "机制炭 10kg"],
    Product.RiskCategory.ROPE: ["登山绳 10m", "尼龙绳 20m", "晾衣绳 加粗"],
    Product.RiskCategory.KNIFE: ["水果刀", "厨房刀具套装", "户外折叠刀"],
    Product.RiskCategory.OTHER: ["打火机油", "强力胶带 宽版"],
}
SHOP_WORDS = (
    ["绿野", "鑫源", "佳禾", "优品", "惠民", "金穗", "好运来", "森林", "阳光", "老街"],
    ["农资", "家居", "日用百货", "五金", "户外", "厨具", "母婴", "数码", "服饰", "食品"],
    ["旗舰店", "专营店", "专卖店", "小铺", "工厂店"],
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林"
GIVEN_NAMES = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
NICKNAMES = (
    ["快乐的", "孤独的", "星空下的", "爱吃", "不睡觉的", "安静的", "阿"],
    ["小鱼", "猫", "土豆", "明", "花花", "兔子", "大叔"],
)
PHONE_PREFIXES = ["130", "131", "135", "136", "138", "139", "150", "152", "158", "177", "182", "186", "188", "199"]
CARRIERS = [("顺丰速运", "SF"), ("中通快递", "ZT"), ("圆通速递", "YT"), ("韵达快递", "YD"), ("京东物流", "JD")]
ORDER_STATUS_BY_AGE = [
    (DAY, Weighted({"created": 15, "paid": 45, "shipped": 30, "held": 5, "cancelled": 5})),
    (7 * DAY, Weighted({"paid": 5, "shipped": 35, "delivered": 50, "held": 3, "cancelled": 7})),
    (float("inf"), Weighted({"delivered": 90, "cancelled": 8, "held": 2})),
]
SHIPPED = {Order.Status.SHIPPED, Order.Status.DELIVERED}

KIND_SHARE = {"phone": 30, "account": 20, "device": 10, "payee": 20, "url": 10, "domain": 10}
SIGHTED_KINDS = {  # what each desk's alerts and cases mention
    Desk.LIFE: Weighted({"phone": 50, "account": 40, "device": 10}),
    Desk.FRAUD: Weighted({"phone": 25, "account": 10, "device": 5, "payee": 25, "url": 20, "domain": 15}),
}
SIGHTING_WEIGHT = {Desk.LIFE: 1.0, Desk.FRAUD: 3.0}  # fraud alerts carry most numbers, accounts and links
SIGHTING_SPREAD = (0.0, 0.5, 1.0, 1.0, 2.0, 4.0)  # most places name one or two, a few many, some none
CASE_SIGHTING_SHARE = 0.15
SCAM_WORDS = ["kefu", "tuikuan", "licai", "fanli", "lipei", "jiaoyi", "vip", "app-down", "wuliu", "shuadan"]
TLDS = ["top", "xyz", "cc", "vip", "com", "cn", "net", "icu"]
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"

# What was done on the cases. A share is the chance that one case gets the action; several depend
# on how the case ended, so that the actions agree with the outcomes and closing summaries.
Outcome = Case.Outcome
Kind = CaseEvent.Kind
INTERCEPTED_SHARE = 1 / 8  # of the cases with an order
REFERRAL_SHARE = {Outcome.REFERRED: 0.35}  # other outcomes, and open cases:
OTHER_REFERRAL_SHARE = 0.035
STOP_PAYMENT_SHARE = {Outcome.FRAUD_LOSS: 0.8, Outcome.REFERRED: 0.3, "": 0.15, Outcome.UNREACHABLE: 0.05}
DISSUASION_SHARE = {Outcome.FRAUD_STOPPED: 0.35, Outcome.FRAUD_LOSS: 0.3, "": 0.25, Outcome.REFERRED: 0.15}
OTHER_DISSUASION_SHARE = 0.05
CHECKIN_SHARE = {Case.Status.MONITORING: 0.6}  # of the life-desk cases; the others:
OTHER_CHECKIN_SHARE = 0.18

IStatus = InterceptionRequest.Status
INTERCEPTION_ANSWERS = {  # the merchant's final word, once answered
    InterceptionRequest.Kind.HOLD: Weighted(
        {IStatus.HELD: 55, IStatus.SHIPPED: 15, IStatus.FAILED: 10, IStatus.RELEASED: 20}
    ),
    InterceptionRequest.Kind.RECALL: Weighted({IStatus.HELD: 45, IStatus.FAILED: 35, IStatus.RELEASED: 20}),
}
INTERCEPTION_NOTES = ["买家有轻生迹象，请暂停发货。", "当事人情绪危急，请立即拦截。", "请勿发货，平台正在联系买家。"]
ANSWER_NOTES = {
    IStatus.HELD: "商家已拦截，暂不发货。",
    IStatus.SHIPPED: "商家回复：已发出，无法拦截。",
    IStatus.FAILED: "快递已揽收，召回未成功。",
    IStatus.CONFIRMED: "商家已确认，正在处理。",
}
RELEASE_NOTE = "危机已解除，可正常发货。"
ANSWER_WITHIN = settings.SHOUHU_INTERCEPTION_ANSWER_WITHIN.total_seconds()

AFC, POLICE = PoliceUnit.Kind.ANTI_FRAUD_CENTRE, PoliceUnit.Kind.POLICE
REFERRAL_UNIT_KINDS = {Desk.LIFE: Weighted({POLICE: 90, AFC: 10}), Desk.FRAUD: Weighted({AFC: 80, POLICE: 20})}
WHAT_REPORTED = {
    Desk.LIFE: ["当事人表达轻生意图，已购买危险物品，请求上门查看。", "当事人失联，留言告别，请协助寻找。"],
    Desk.FRAUD: ["买家疑似遭遇刷单诈骗，已转账，请求止损。", "涉嫌冒充客服诈骗，附收款账户及聊天记录。"],
}
REFERRAL_OUTCOMES = {
    Desk.LIFE: ["民警已上门，当事人安全，已通知家属。", "已找到当事人，送医观察。"],
    Desk.FRAUD: ["已受理立案。", "已联系受害人做笔录，涉案账户已上报。"],
}

STOP_PAYMENT_WINDOW = settings.SHOUHU_STOP_PAYMENT_WINDOW.total_seconds()
# Dissuasion scripts by kind of scam, in the order of TOPICS[Desk.FRAUD].
ScamType = DissuasionScript.ScamType
TOPIC_SCAMS = [
    ScamType.BRUSHING,
    ScamType.REFUND,
    ScamType.OTHER,
    ScamType.OTHER,
    ScamType.REFUND,
    ScamType.SAFE_ACCOUNT,
    ScamType.OTHER,
    ScamType.OTHER,
    ScamType.SAFE_ACCOUNT,
    ScamType.GAME_CURRENCY,
]
DISSUASION_NOTES = {  # (reached, convinced)
    (True, True): "已电话劝阻，买家表示不再转账。",
    (True, False): "买家坚持转账，已提示风险。",
    (False, False): "电话未接通，已发送提醒短信。",
}

REVIEW_DELAY = (10 * MINUTE, 12 * HOUR)  # supervisors look at emergency actions after the fact
FLAGGED_SHARE = 0.08
UNREVIEWED_SHARE = 0.02  # the backlog: old actions nobody has looked at yet
FLAG_NOTES = ["风险等级偏高，建议复盘。", "报警前未尝试联系家属。", "拦截理由记录不全。"]

Channel = CheckIn.Channel
CHECKIN_CHANNELS = Weighted({Channel.CHAT: 50, Channel.SMS: 20, Channel.PHONE: 30})
CHECKIN_DAYS = Weighted({1: 45, 3: 30, 7: 20, 14: 5})
CHECKIN_TEXTS = {
    Channel.CHAT: ["早上好，今天感觉怎么样？有什么想聊的随时找我们。", "昨晚睡得好吗？我们一直都在。"],
    Channel.SMS: ["您好，这里是平台关怀专员，今天还好吗？回复任意内容即可。"],
    Channel.PHONE: ["回访电话：确认情绪状态", ""],
}
REPLIES = ["早上好，我还好，谢谢关心。", "好多了。", "嗯，在上班。"]
CALL_NOTES = {True: "已通话，情绪平稳。", False: "未接听。"}
DELIVERY_ERRORS = ["HTTP 503 from the chat gateway", "timed out after 5.0 s", "buyer account not found"]
REPLY_WITHIN = settings.SHOUHU_CHECKIN_REPLY_WITHIN.total_seconds()
REQUEUE_AFTER = settings.SHOUHU_CHECKIN_REQUEUE_AFTER.total_seconds()
MAX_ATTEMPTS = settings.SHOUHU_DELIVERY_MAX_ATTEMPTS
ZONES = (settings.TIME_ZONE, "Asia/Urumqi")  # as buyer_rows gives them, by index

REGIONS = [  # GB/T 2260 code, name, level, parent code (municipal districts sit under the municipality)
    ("110000", "北京市", 1, None),
    ("110101", "东城区", 3, "110000"),
    ("110105", "朝阳区", 3, "110000"),
    ("110108", "海淀区", 3, "110000"),
    ("310000", "上海市", 1, None),
    ("310101", "黄浦区", 3, "310000"),
    ("310104", "徐汇区", 3, "310000"),
    ("310115", "浦东新区", 3, "310000"),
    ("440000", "广东省", 1, None),
    ("440100", "广州市", 2, "440000"),
    ("440104", "越秀区", 3, "440100"),
    ("440106", "天河区", 3, "440100"),
    ("440300", "深圳市", 2, "440000"),
    ("440304", "福田区", 3, "440300"),
    ("440305", "南山区", 3, "440300"),
    ("440306", "宝安区", 3, "440300"),
    ("330000", "浙江省", 1, None),
    ("330100", "杭州市", 2, "330000"),
    ("330106", "西湖区", 3, "330100"),
    ("330108", "滨江区", 3, "330100"),
    ("510000", "四川省", 1, None),
    ("510100", "成都市", 2, "510000"),
    ("510104", "锦江区", 3, "510100"),
    ("510107", "武侯区", 3, "510100"),
    ("420000", "湖北省", 1, None),
    ("420100", "武汉市", 2, "420000"),
    ("420106", "武昌区", 3, "420100"),
    ("420111", "洪山区", 3, "420100"),
]

# Created when there is no active unit of a kind: (region code, kind, name, 24h phone).
POLICE_UNITS = [
    ("110105", POLICE, "北京市公安局朝阳分局三里屯派出所", "010-64160000"),
    ("110000", AFC, "北京市反诈骗中心", "010-96110"),
    ("310104", POLICE, "上海市公安局徐汇分局天平路派出所", "021-64310000"),
    ("310000", AFC, "上海市反电信网络诈骗中心", "021-96110"),
    ("440106", POLICE, "广州市公安局天河区分局石牌派出所", "020-85510000"),
    ("440100", AFC, "广州市反诈中心", "020-96110"),
    ("440305", POLICE, "深圳市公安局南山分局粤海派出所", "0755-26710000"),
    ("440300", AFC, "深圳市反电信网络诈骗中心", "0755-96110"),
    ("330106", POLICE, "杭州市公安局西湖区分局北山派出所", "0571-87970000"),
    ("330100", AFC, "杭州市反诈中心", "0571-96110"),
    ("510107", POLICE, "成都市公安局武侯区分局玉林派出所", "028-85550000"),
    ("420111", POLICE, "武汉市公安局洪山区分局珞南派出所", "027-87880000"),
]

# Tables written by COPY, in an order where every foreign key points at rows already written.
ACTIONS = [InterceptionRequest, PoliceReferral, StopPaymentRequest, EmergencyAction, Dissuasion, CheckIn]
COPIED = [Merchant, Product, Buyer, Order, Indicator, Case, Alert, *ACTIONS, CaseEvent, Sighting]
SEEDED = [Region, PoliceUnit, *COPIED]


# --- Sizes and shared facts ----------------------------------------------------------------------


@dataclass
class Sizes:
    alerts: int
    cases: int
    orders: int
    sightings: int
    buyers: int
    merchants: int

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "Sizes":
        def given(value: int | None, default: int) -> int:
            return default if value is None else value

        alerts = args.alerts
        return cls(
            alerts=alerts,
            cases=given(args.cases, alerts // 10),
            orders=given(args.orders, alerts // 2),
            sightings=given(args.sightings, alerts),
            buyers=given(args.buyers, max(1, alerts // 5)),
            merchants=given(args.merchants, 2_000),
        )

    @property
    def products(self) -> int:
        return self.merchants * PRODUCTS_PER_MERCHANT

    @property
    def indicators(self) -> int:
        # A few sightings per indicator on average: linking needs indicators seen more than once.
        return max(1_000, self.sightings // 4)

    def check(self) -> None:
        if self.alerts < 1 or self.buyers < 1 or self.merchants < 1:
            sys.exit("seed.py: --alerts, --buyers and --merchants must be at least 1.")
        if min(self.cases, self.orders, self.sightings) < 0:
            sys.exit("seed.py: counts cannot be negative.")
        if self.cases > self.alerts:
            sys.exit("seed.py: every case is opened from an alert, so --cases cannot exceed --alerts.")


class RiskyOrder(NamedTuple):
    id: int
    buyer: int
    merchant: int


class CaseFacts(NamedTuple):
    """What the alerts, timeline and sightings of a case must agree with. Times in seconds."""

    id: int
    desk: str
    buyer: int | None
    order: RiskyOrder | None
    topic: int
    severity: int  # of the alert that opened it
    risk: int
    status: str
    outcome: str
    tier: str
    owner: int
    opener: int
    raised: float  # when the alert that opened it was raised, claimed, and the case opened
    claimed: float
    opened: float
    escalated: float | None
    closed: float | None

    @property
    def end(self) -> float:
        return SPAN if self.closed is None else self.closed


class Unit(NamedTuple):
    id: int
    name: str
    liaison: int | None  # who answers for the unit


class Emergency(NamedTuple):
    """An action taken at high or critical risk, for the supervisors' review."""

    case: CaseFacts
    kind: str
    action: int  # the interception's, referral's or stop-payment's id
    taken: float
    taken_by: int


@dataclass
class World:
    """Ids, times and the facts that several tables share. Times are seconds after `start`."""

    sizes: Sizes
    seed: int
    start: datetime
    first_id: dict[type[models.Model], int]
    districts: list[int]
    shop_regions: list[int]
    specialists: dict[str, list[int]]
    supervisors: list[int]
    police: dict[str, list[Unit]]
    alert_time: array = field(default_factory=lambda: array("d"))
    promoted: list[int] = field(default_factory=list)  # positions of the alerts that opened case 0, 1, ...
    product_risky: bytearray = field(default_factory=bytearray)
    buyer_region: array = field(default_factory=lambda: array("q"))
    risky_orders: list[RiskyOrder] = field(default_factory=list)
    risky_order_time: array = field(default_factory=lambda: array("d"))
    cases: list[CaseFacts] = field(default_factory=list)
    indicator_blocks: dict[str, tuple[int, int]] = field(default_factory=dict)
    alert_desk: bytearray = field(default_factory=bytearray)  # 0 life, 1 fraud
    merged: list[tuple] = field(default_factory=list)  # (CaseFacts, alert id, linked at, severity, topic)
    merchant_names: list[str] = field(default_factory=list)
    buyer_zone: bytearray = field(default_factory=bytearray)  # index into ZONES
    # What the actions wrote on the timelines: case id -> [(seconds, actor, kind, payload)].
    events: dict[int, list[tuple]] = field(default_factory=dict)
    emergencies: list[Emergency] = field(default_factory=list)
    # What the interceptions made of their orders: (order id, status, carrier, tracking no, at).
    order_changes: list[tuple] = field(default_factory=list)

    def at(self, seconds: float) -> datetime:
        return self.start + timedelta(seconds=seconds)

    def rng(self, table: str) -> random.Random:
        """One generator per table, so a change to one table's rows leaves the others' alone."""
        return random.Random(f"{self.seed}:{table}")

    def buyer(self, rng: random.Random) -> int:
        return self.first_id[Buyer] + rng.randrange(self.sizes.buyers)

    def merchant(self, rng: random.Random) -> int:
        return self.first_id[Merchant] + rng.randrange(self.sizes.merchants)

    def specialist(self, rng: random.Random, desk: str) -> int:
        return rng.choice(self.specialists[desk])

    def log(self, case: CaseFacts, t: float, actor: int | None, kind: str, **payload) -> None:
        """A line on the case's timeline, as case_event_record writes it; case_event_rows writes it."""
        self.events.setdefault(case.id, []).append((t, actor, kind, payload))


@cache
def _multiplier(modulus: int) -> int:
    """Near modulus / golden ratio, so consecutive ids land far apart; coprime with it, so no two collide."""
    multiplier = int(modulus * 0.6180339887498949) | 1
    while gcd(multiplier, modulus) != 1:
        multiplier += 2
    return multiplier


def scramble(n: int, modulus: int) -> int:
    """A bijection of 0..modulus-1 that looks random: ids become distinct, unrelated-looking numbers."""
    return (n * _multiplier(modulus) + modulus // 3) % modulus


def base36(n: int, width: int) -> str:
    digits = []
    for _ in range(width):
        n, digit = divmod(n, 36)
        digits.append(BASE36[digit])
    return "".join(reversed(digits))


def mobile(rng: random.Random) -> str:
    return f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(100_000_000):08d}"


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN_NAMES, k=rng.randint(1, 2)))


def by_age(table: list[tuple[float, Weighted]], age: float, rng: random.Random):
    for younger_than, weights in table:
        if age < younger_than:
            return weights(rng)


def claim_delay(rng: random.Random, severity: int) -> float:
    """Seconds from raising to claiming: mostly within the deadline, about one in eight late."""
    sla = SLA[severity]
    if rng.random() < 0.12:
        return sla * (1 + rng.expovariate(0.5))
    return sla * rng.random() * 0.9


# --- COPY --------------------------------------------------------------------------------------------


def copy_rows(model: type[models.Model], fields: list[str], rows: Iterable[tuple]) -> int:
    """Stream the rows (values in the order of `fields`) into the model's table; returns how many."""
    opts = model._meta
    columns, defaults = copy_columns(model, fields)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(opts.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    rows, written = iter(rows), 0
    with connection.connection.cursor() as cursor:
        while True:
            with cursor.copy(statement) as copy:
                batch = 0
                for row in islice(rows, BATCH_ROWS):
                    copy.write_row((*row, *defaults) if defaults else row)
                    batch += 1
            written += batch
            if batch < BATCH_ROWS:
                return written


# --- Rows, one generator per table ------------------------------------------------------------------
# Generators fill the World on the way (e.g. which orders are of high-risk goods), for the tables
# written after them.

MERCHANT_FIELDS = [
    "id",
    "external_ref",
    "name",
    "contact_name",
    "contact_phone",
    "contact_email",
    "emergency_contact_name",
    "emergency_phone",
    "region",
    "is_active",
    "second_factor_required",
    "created_at",
]


def merchant_rows(world: World, rng: random.Random) -> Iterator[tuple]:
    first = world.first_id[Merchant]
    for merchant_id in range(first, first + world.sizes.merchants):
        name = "".join(rng.choice(words) for words in SHOP_WORDS)
        world.merchant_names.append(name)
        contact = person_name(rng)
        email = f"kefu{merchant_id}@example.com" if rng.random() < 0.5 else ""
        emergency = contact if rng.random() < 0.6 else "值班店长"
        yield (
            merchant_id,
            f"shop-{scramble(merchant_id, 10**9):09d}",
            name,
            contact,
            mobile(rng),
            email,
            emergency,
            mobile(rng),
            rng.choice(world.shop_regions),
            rng.random() < 0.97,
            False,  # COPY skips the field's default
            world.at(-rng.uniform(DAY, 5 * 365 * DAY)),
        )


PRODUCT_FIELDS = ["id", "merchant", "external_ref", "name", "risk_category"]


def product_rows(world: World, rng: random.Random) -> Iterator[tuple]:
    """Ten products per merchant, so an order's merchant follows from its product."""
    first = world.first_id[Product]
    for index in range(world.sizes.products):
        category = RISK_CATEGORIES(rng)
        world.product_risky.append(category != Product.RiskCategory.NONE)
        product_id = first + index
        merchant_id = world.first_id[Merchant] + index // PRODUCTS_PER_MERCHANT
        yield (
            product_id,
            merchant_id,
            f"{scramble(product_id, 10**12):012d}",
            rng.choice(PRODUCT_NAMES[category]),
            category,
        )


BUYER_FIELDS = [
    "id",
    "account_ref",
    "nickname",
    "phone",
    "phone_index",
    "address",
    "region",
    "time_zone",
    "created_at",
]
STREETS = ["人民路", "解放路", "中山路", "建设路", "和平街", "新华路", "长江路", "文化路", "学院路", "滨江大道"]


def buyer_rows(world: World, rng: random.Random) -> Iterator[tuple]:
    """Buyers with a phone and a street address, encrypted here as the field would (COPY skips the
    field) and the phone's blind index beside it. About one in fifty shares the phone of an earlier
    account: one person, several accounts, which the case page lists."""
    first = world.first_id[Buyer]
    phones: list[str] = []
    for buyer_id in range(first, first + world.sizes.buyers):
        region = rng.choice(world.districts)
        world.buyer_region.append(region)
        nickname = "" if rng.random() < 0.15 else rng.choice(NICKNAMES[0]) + rng.choice(NICKNAMES[1])
        phone = rng.choice(phones) if phones and rng.random() < 0.02 else mobile(rng)
        phones.append(phone)
        address = (
            f"{rng.choice(STREETS)}{rng.randint(1, 999)}号{rng.randint(1, 30)}栋"
            f"{rng.randint(1, 6)}单元{rng.randint(1, 33)}{rng.randint(1, 4):02d}室"
        )
        zone = 0 if rng.random() < 0.98 else 1
        world.buyer_zone.append(zone)
        time_zone = ZONES[zone]
        # Every buyer existed before the span, so an alert or order never predates its buyer.
        created = world.at(-rng.uniform(DAY, 4 * 365 * DAY))
        account = f"u{scramble(buyer_id, 10**10):010d}"
        contact = (encrypt(phone), phone_index(phone), encrypt(address))
        yield buyer_id, account, nickname, *contact, region, time_zone, created


ORDER_FIELDS = [
    "id",
    "external_ref",
    "buyer",
    "merchant",
    "product",
    "quantity",
    "region",
    "status",
    "carrier",
    "tracking_no",
    "ordered_at",
    "updated_at",
]


def order_rows(world: World, rng: random.Random) -> Iterator[tuple]:
    """Orders in time order over the span (and a month before it); ids follow time, as in production."""
    sizes, first = world.sizes, world.first_id[Order]
    times = sorted(rng.uniform(-30 * DAY, SPAN) for _ in range(sizes.orders))
    for index, t in enumerate(times):
        order_id = first + index
        product = rng.randrange(sizes.products)
        merchant_id = world.first_id[Merchant] + product // PRODUCTS_PER_MERCHANT
        buyer_index = rng.randrange(sizes.buyers)
        buyer_id = world.first_id[Buyer] + buyer_index
        if world.product_risky[product]:
            world.risky_orders.append(RiskyOrder(order_id, buyer_id, merchant_id))
            world.risky_order_time.append(t)
        region = world.buyer_region[buyer_index] if rng.random() < 0.9 else rng.choice(world.districts)
        status = by_age(ORDER_STATUS_BY_AGE, SPAN - t, rng)
        carrier, tracking = "", ""
        if status in SHIPPED:
            carrier, prefix = rng.choice(CARRIERS)
            tracking = f"{prefix}{rng.randrange(10**12):012d}"
        quantity = 1 if rng.random() < 0.8 else rng.randint(2, 5)
        updated = world.at(min(SPAN, t + rng.uniform(MINUTE, 3 * DAY)))
        yield (
            order_id,
            f"{scramble(order_id, 10**18):018d}",
            buyer_id,
            merchant_id,
            world.first_id[Product] + product,
            quantity,
            region,
            status,
            carrier,
            tracking,
            world.at(t),
            updated,
        )


# block_reason has no database default (Django fills "" itself), so COPY must give it.
INDICATOR_FIELDS = ["id", "kind", "value", "first_seen_at", "created_by", "block_reason"]


def indicator_blocks(world: World) -> dict[str, tuple[int, int]]:
    """Each kind's ids are one block (first id, size); within a block, ids follow first_seen_at."""
    total, shares = world.sizes.indicators, sum(KIND_SHARE.values())
    blocks, next_id = {}, world.first_id[Indicator]
    for kind, share in KIND_SHARE.items():
        size = max(1, total * share // shares)
        blocks[kind] = (next_id, size)
        next_id += size
    return blocks


def indicator_first_seen(position: int, size: int) -> float:
    return -INDICATOR_LEAD + position / size * (SPAN + INDICATOR_LEAD)


def indicator_value(kind: str, indicator_id: int, rng: random.Random) -> str:
    """A value in the normalised spelling of fraud.indicators.normalise (phones in E.164), unique per id."""
    if kind == "phone":
        if rng.random() < 0.1:  # the "customer service" hotlines scammers like
            return f"+86400{scramble(indicator_id, 10**7):07d}"
        return f"+86{rng.choice(PHONE_PREFIXES)}{scramble(indicator_id, 10**8):08d}"
    if kind == "account":
        return f"wxid_{base36(scramble(indicator_id, 36**14), 14)}"
    if kind == "device":
        return f"{scramble(indicator_id, 2**64):016x}"
    if kind == "payee":
        return f"62{scramble(indicator_id, 10**17):017d}"  # a UnionPay card number
    host = f"{rng.choice(SCAM_WORDS)}-{base36(scramble(indicator_id, 36**7), 7)}.{rng.choice(TLDS)}"
    if kind == "domain":
        return host
    return f"https://{host}/{rng.choice(SCAM_WORDS)}?id={base36(indicator_id, 6)}"


def indicator_rows(world: World, rng: random.Random) -> Iterator[tuple]:
    staff = world.specialists[Desk.FRAUD]
    for kind, (first, size) in world.indicator_blocks.items():
        for position in range(size):
            indicator_id = first + position
            created_by = rng.choice(staff) if rng.random() < 0.1 else None  # the rest came from the scanner
            first_seen = world.at(indicator_first_seen(position, size))
            yield indicator_id, kind, indicator_value(kind, indicator_id, rng), first_seen, created_by, ""


def risky_order_before(world: World, rng: random.Random, t: float) -> RiskyOrder | None:
    """A recent order of high-risk goods placed before `t`: what an order alert is about."""
    index = bisect_right(world.risky_order_time, t) - 1 - int(rng.random() ** 2 * 20)
    return world.risky_orders[index] if index >= 0 else None


def plan_timeline(world: World, rng: random.Random) -> None:
    """When each alert was raised (in id order) and which alerts opened the cases, in case id order."""
    sizes = world.sizes
    world.alert_time = array("d", sorted(rng.uniform(0, SPAN) for _ in range(sizes.alerts)))
    world.promoted = sorted(rng.sample(range(sizes.alerts), sizes.cases))
    world.indicator_blocks = indicator_blocks(world)


CASE_FIELDS = [
    "id",
    "desk",
    "title",
    "buyer",
    "risk_level",
    "status",
    "outcome",
    "closing_summary",
    "owner",
    "tier",
    "opened_by",
    "opened_at",
    "escalated_at",
    "closed_at",
    "updated_at",
    "legal_hold",
    "legal_hold_reason",
]


def plan_case(world: World, rng: random.Random, case_id: int, raised: float) -> CaseFacts:
    """A case opened by a specialist minutes after claiming the alert raised at `raised`."""
    desk = DESK_SHARE(rng)
    order = risky_order_before(world, rng, raised) if desk == Desk.LIFE and rng.random() < 0.3 else None
    buyer = order.buyer if order else world.buyer(rng) if desk == Desk.LIFE or rng.random() < 0.9 else None
    severity = SEVERITIES[desk](rng)
    claimed = min(SPAN, raised + claim_delay(rng, severity))
    opened = min(SPAN, claimed + rng.uniform(2 * MINUTE, 20 * MINUTE))
    age = SPAN - opened
    status = by_age(CASE_STATUS_BY_AGE, age, rng)
    closed = opened + rng.uniform(0.05, 1.0) * min(age, 10 * DAY) if status == Case.Status.CLOSED else None
    tier = TIERS(rng)
    escalated = None
    if tier != Case.Tier.SPECIALIST:
        escalated = opened + rng.random() * 0.5 * ((closed or SPAN) - opened)
    unassessed = age < 2 * HOUR and rng.random() < 0.5
    risk = 0 if unassessed else min(4, max(1, severity + rng.choice((-1, 0, 0, 1))))
    owner = world.specialist(rng, desk) if tier == Case.Tier.SPECIALIST else rng.choice(world.supervisors)
    return CaseFacts(
        id=case_id,
        desk=desk,
        buyer=buyer,
        order=order,
        topic=rng.randrange(len(TOPICS[desk])),
        severity=severity,
        risk=risk,
        status=status,
        outcome=OUTCOMES[desk](rng) if closed is not None else "",
        tier=tier,
        owner=owner,
        opener=owner if rng.random() < 0.85 else world.specialist(rng, desk),
        raised=raised,
        claimed=claimed,
        opened=opened,
        escalated=escalated,
        closed=closed,
    )


def case_rows(world: World, rng: random.Random) -> Iterator[tuple]:
    first = world.first_id[Case]
    for index, position in enumerate(world.promoted):
        case = plan_case(world, rng, first + index, world.alert_time[position])
        world.cases.append(case)
        last_change = max(case.opened, case.escalated or 0, case.closed or 0)
        yield (
            case.id,
            case.desk,
            TOPICS[case.desk][case.topic][0],
            case.buyer,
            case.risk,
            case.status,
            case.outcome,
            encrypt(summary) if (summary := CLOSING_SUMMARIES.get(case.outcome, "")) else "",
            case.owner,
            case.tier,
            case.opener,
            world.at(case.opened),
            None if case.escalated is None else world.at(case.escalated),
            None if case.closed is None else world.at(case.closed),
            world.at(last_change),
            False,
            "",
        )


ALERT_FIELDS = [
    "id",
    "desk",
    "source",
    "severity",
    "status",
    "summary",
    "matches",
    "buyer",
    "merchant",
    "order",
    "case",
    "raised_by",
    "claimed_by",
    "claimed_at",
    "dismiss_reason",
    "created_at",
    "sla_due_at",
    "updated_at",
]


class Subject(NamedTuple):
    """Where an alert came from and whom it is about."""

    source: str
    buyer: int | None
    merchant: int | None
    order: int | None


class Fate(NamedTuple):
    """What became of an alert. Times in seconds; `decided` is when it left the queue."""

    status: str
    case: int | None
    claimed_by: int | None
    claimed: float | None
    decided: float | None
    dismiss_reason: str


QUEUED = Fate(Alert.Status.NEW, None, None, None, None, "")


def alert_subject(world: World, rng: random.Random, desk: str, t: float, case: CaseFacts | None = None) -> Subject:
    """Order alerts are about a recent order of high-risk goods; the others about a buyer (manual ones
    sometimes about nobody yet), with the shop when a merchant reported it or took part in the chat.
    An alert of a case is about the case's person, and only the case's own order."""
    source = SOURCES[desk](rng)
    if source == Source.ORDER:
        order = risky_order_before(world, rng, t) if case is None else None
        if order:
            return Subject(source, order.buyer, order.merchant, order.id)
        source = Source.CHAT
    if case is not None:
        buyer = case.buyer
    else:
        buyer = world.buyer(rng) if source != Source.MANUAL or rng.random() < 0.8 else None
    with_shop = source == Source.MERCHANT_REPORT or (source == Source.CHAT and rng.random() < 0.5)
    return Subject(source, buyer, world.merchant(rng) if with_shop else None, None)


def promoted_subject(world: World, rng: random.Random, case: CaseFacts) -> Subject:
    if case.order:
        return Subject(Source.ORDER, case.order.buyer, case.order.merchant, case.order.id)
    return alert_subject(world, rng, case.desk, case.raised, case)


def open_case_at(world: World, rng: random.Random, recent: deque, t: float) -> CaseFacts | None:
    """A case of the desk opened in the last week and still open at `t`, if one of a few tries finds it."""
    for _ in range(3 if recent else 0):
        case = world.cases[rng.choice(recent)]
        if case.opened <= t < case.end - 10 * MINUTE and t - case.opened < 7 * DAY:
            return case
    return None


def plain_fate(world: World, rng: random.Random, t: float, desk: str, severity: int, into: CaseFacts | None) -> Fate:
    """Of an alert that opened no case: merged into `into`, or dismissed, or (if recent) often still queued."""
    claimed = t + claim_delay(rng, severity)
    decided = claimed + rng.uniform(MINUTE, 40 * MINUTE)
    if into is not None:
        decided = min(decided, into.end)
        return Fate(Alert.Status.MERGED, into.id, into.owner, min(claimed, decided), decided, "")
    age = SPAN - t
    claimer = world.specialist(rng, desk)
    if rng.random() < (0.7 if age < DAY else 0.2 if age < 7 * DAY else 0.02 if age < 30 * DAY else 0.002):
        if claimed >= SPAN or rng.random() < 0.55:
            return QUEUED
        return Fate(Alert.Status.CLAIMED, None, claimer, claimed, None, "")
    decided = min(decided, SPAN)
    if rng.random() < 0.05:  # dismissed straight from the queue by a supervisor, never claimed
        return Fate(Alert.Status.DISMISSED, None, None, None, decided, DISMISS_REASONS(rng))
    return Fate(Alert.Status.DISMISSED, None, claimer, min(claimed, decided), decided, DISMISS_REASONS(rng))


def alert_rows(world: World, rng: random.Random) -> Iterator[tuple]:
    """Alerts in the order they were raised, so ids follow created_at as they do in production."""
    first = world.first_id[Alert]
    opens_case = {position: index for index, position in enumerate(world.promoted)}
    recent_cases = {desk: deque(maxlen=200) for desk in DESKS}  # case indexes, to merge into
    for position, t in enumerate(world.alert_time):
        alert_id = first + position
        case_index = opens_case.get(position)
        if case_index is not None:
            case = world.cases[case_index]
            recent_cases[case.desk].append(case_index)
            desk, severity, topic = case.desk, case.severity, case.topic
            subject = promoted_subject(world, rng, case)
            fate = Fate(Alert.Status.PROMOTED, case.id, case.opener, case.claimed, case.opened, "")
        else:
            desk = DESK_SHARE(rng)
            severity, topic = SEVERITIES[desk](rng), rng.randrange(len(TOPICS[desk]))
            into = open_case_at(world, rng, recent_cases[desk], t) if rng.random() < MERGE_SHARE else None
            subject = alert_subject(world, rng, desk, t, into)
            fate = plain_fate(world, rng, t, desk, severity, into)
            if into is not None:
                world.merged.append((into, alert_id, fate.decided, severity, topic))
        world.alert_desk.append(desk == Desk.FRAUD)
        yield alert_row(world, rng, alert_id, t, desk, severity, topic, subject, fate)


def alert_row(
    world: World, rng: random.Random, alert_id: int, t: float, desk: str, severity: int, topic: int, s: Subject, f: Fate
) -> tuple:
    matches = MATCHES[desk][topic] if s.source in SCANNED_SOURCES else NO_MATCHES
    raised_by = world.specialist(rng, desk) if s.source == Source.MANUAL else None
    last_change = f.decided if f.decided is not None else f.claimed if f.claimed is not None else t
    created = world.at(t)
    return (
        alert_id,
        desk,
        s.source,
        severity,
        f.status,
        ORDER_SUMMARIES[desk] if s.source == Source.ORDER else TOPICS[desk][topic][0],
        matches,
        s.buyer,
        s.merchant,
        s.order,
        f.case,
        raised_by,
        f.claimed_by,
        None if f.claimed is None else world.at(f.claimed),
        f.dismiss_reason,
        created,
        created + CLAIM_WITHIN[severity],  # as alert_raise sets it
        world.at(last_change),
    )


# --- What was done on the cases ----------------------------------------------------------------------
# Each generator decides case by case with its table's generator, writes its rows, and leaves on the
# World the timeline lines the services would have written (case_event_rows adds them), the emergency
# actions to review, and what the interceptions made of their orders.


def early_in(case: CaseFacts, rng: random.Random, within: float) -> float:
    """A moment while the case was open, in its first `within` seconds: actions come early."""
    return case.opened + rng.random() * min(within, case.end - case.opened)


def amount(rng: random.Random, median: float) -> str:
    """Yuan, spread as payments are (a few very large), as COPY takes a numeric: text."""
    return f"{max(1.0, rng.lognormvariate(0, 1.1) * median):.2f}"


def order_ref(order_id: int) -> str:
    return f"{scramble(order_id, 10**18):018d}"  # as order_rows writes it


INTERCEPTION_FIELDS = [
    "id",
    "case",
    "order",
    "kind",
    "status",
    "requested_by",
    "requested_at",
    "deadline",
    "note",
    "tracking_no",
    "answered_at",
]


def interception_rows(world: World, rng: random.Random) -> Iterator[tuple]:
    """One request per intercepted order: the unique constraint allows one open request per order,
    and the order's status can follow only one answer."""
    ids = count(world.first_id[InterceptionRequest])
    intercepted: set[int] = set()
    for case in world.cases:
        if case.order is None or case.order.id in intercepted or rng.random() >= INTERCEPTED_SHARE:
            continue
        intercepted.add(case.order.id)
        yield interception(world, rng, next(ids), case)


def interception(world: World, rng: random.Random, interception_id: int, case: CaseFacts) -> tuple:
    """Asked minutes after the case opened; answered within the deadline, or late; a held order is
    sometimes released later. The order ends as the answer left it (see order_changes)."""
    order, owner = case.order, case.owner
    t = early_in(case, rng, 30 * MINUTE)
    kind = InterceptionRequest.Kind.RECALL if rng.random() < 0.2 else InterceptionRequest.Kind.HOLD
    recall = kind == InterceptionRequest.Kind.RECALL
    if rng.random() < 0.2:
        answered = t + ANSWER_WITHIN * (1 + rng.expovariate(0.5))
    else:
        answered = t + rng.uniform(2 * MINUTE, ANSWER_WITHIN)
    released = answered + rng.uniform(HOUR, 3 * DAY)
    status = INTERCEPTION_ANSWERS[kind](rng)
    carrier, prefix = rng.choice(CARRIERS)
    tracking = f"{prefix}{rng.randrange(10**12):012d}"
    notes = [rng.choice(INTERCEPTION_NOTES)]
    ref = order_ref(order.id)
    world.log(
        case,
        t,
        owner,
        Kind.INTERCEPTION_REQUESTED,
        interception_id=interception_id,
        order=ref,
        merchant=world.merchant_names[order.merchant - world.first_id[Merchant]],
        kind_of=kind,
        reason=notes[0],
    )
    if case.risk >= Case.RiskLevel.HIGH:
        world.emergencies.append(Emergency(case, EmergencyAction.Kind.INTERCEPTION, interception_id, t, owner))
    if answered > SPAN:
        status = IStatus.REQUESTED
    elif SPAN - answered < 2 * HOUR and rng.random() < 0.5:
        status = IStatus.CONFIRMED  # the merchant has said yes, the parcel is not stopped yet
    elif status == IStatus.RELEASED and released > SPAN:
        status = IStatus.HELD
    answer = IStatus.HELD if status == IStatus.RELEASED else status
    if status != IStatus.REQUESTED:
        notes.append(ANSWER_NOTES[answer])
        world.log(
            case,
            answered,
            owner,
            Kind.INTERCEPTION_UPDATED,
            interception_id=interception_id,
            order=ref,
            status=answer,
            reason=notes[-1],
        )
    if status == IStatus.RELEASED:
        notes.append(RELEASE_NOTE)
        world.log(
            case,
            released,
            owner,
            Kind.INTERCEPTION_UPDATED,
            interception_id=interception_id,
            order=ref,
            status=status,
            reason=RELEASE_NOTE,
        )
    # What the order is now. Held stays held (the services set it, nothing moves it on); an order
    # that went on shipping has arrived after a few days.
    on_its_way = "shipped" if SPAN - answered < 3 * DAY else "delivered"
    if status in (IStatus.REQUESTED, IStatus.CONFIRMED):
        change = ("shipped", carrier, tracking, t) if recall else ("paid", "", "", t)
    elif status == IStatus.HELD:
        change = ("held", carrier, tracking, answered) if recall else ("held", "", "", answered)
    elif status == IStatus.RELEASED:
        if SPAN - released < DAY:
            change = ("shipped", carrier, tracking, released) if recall else ("paid", "", "", released)
        else:
            change = ("delivered", carrier, tracking, min(SPAN, released + 2 * DAY))
    else:  # shipped before it could be held, or the carrier could not bring it back
        change = (on_its_way, carrier, tracking, answered)
    world.order_changes.append((order.id, *change[:3], world.at(change[3])))
    return (
        interception_id,
        case.id,
        order.id,
        kind,
        status,
        owner,
        world.at(t),
        world.at(t + ANSWER_WITHIN),
        encrypt("\n".join(notes)),  # as the field would (COPY skips it)
        tracking if recall or status == IStatus.SHIPPED else "",
        None if status == IStatus.REQUESTED else world.at(answered),
    )


REFERRAL_FIELDS = [
    "id",
    "case",
    "unit",
    "referred_by",
    "referred_at",
    "what_reported",
    "reference_no",
    "status",
    "received_at",
    "outcome",
]


def referral_rows(world: World, rng: random.Random) -> Iterator[tuple]:
    """Reported by phone while the case was open, received by the unit within hours, closed by it
    days later."""
    ids = count(world.first_id[PoliceReferral])
    for case in world.cases:
        if rng.random() >= REFERRAL_SHARE.get(case.outcome, OTHER_REFERRAL_SHARE):
            continue
        referral_id = next(ids)
        unit = rng.choice(world.police[REFERRAL_UNIT_KINDS[case.desk](rng)])
        t = early_in(case, rng, 2 * DAY)
        received = t + rng.uniform(10 * MINUTE, 12 * HOUR)
        closed = received + rng.uniform(DAY, 20 * DAY)
        what = rng.choice(WHAT_REPORTED[case.desk])
        reference_no = f"JJ{rng.randrange(10**10):010d}" if rng.random() < 0.6 else ""
        outcome = rng.choice(REFERRAL_OUTCOMES[case.desk])
        world.log(
            case,
            t,
            case.owner,
            Kind.POLICE_REFERRED,
            referral_id=referral_id,
            unit=unit.name,
            reference_no=reference_no,
            text=what,
        )
        if case.risk >= Case.RiskLevel.HIGH:
            world.emergencies.append(Emergency(case, EmergencyAction.Kind.REFERRAL, referral_id, t, case.owner))
        status = PoliceReferral.Status.REPORTED
        if received <= SPAN:
            status = PoliceReferral.Status.RECEIVED
            world.log(
                case,
                received,
                unit.liaison,
                Kind.REFERRAL_ANSWERED,
                referral_id=referral_id,
                unit=unit.name,
                status=status,
                text="",
            )
        if closed <= SPAN:
            status = PoliceReferral.Status.CLOSED
            world.log(
                case,
                closed,
                unit.liaison,
                Kind.REFERRAL_ANSWERED,
                referral_id=referral_id,
                unit=unit.name,
                status=status,
                text=outcome,
            )
        yield (
            referral_id,
            case.id,
            unit.id,
            case.owner,
            world.at(t),
            encrypt(what),  # as the field would (COPY skips it)
            reference_no,
            status,
            None if status == PoliceReferral.Status.REPORTED else world.at(received),
            encrypt(outcome) if status == PoliceReferral.Status.CLOSED else "",
        )


STOP_PAYMENT_FIELDS = [
    "id",
    "case",
    "unit",
    "payee_account",
    "amount",
    "paid_at",
    "reported_at",
    "transaction_ref",
    "status",
    "frozen_amount",
    "requested_by",
    "requested_at",
    "answered_by",
    "answered_at",
]


def stop_payment_rows(world: World, rng: random.Random) -> Iterator[tuple]:
    """The victim paid while the case was open, told the specialist, who asked an anti-fraud centre
    to stop it: in time (30 minutes from the report) most of it is frozen, late it mostly is not."""
    Status = StopPaymentRequest.Status
    ids = count(world.first_id[StopPaymentRequest])
    for case in world.cases:
        if case.desk != Desk.FRAUD or rng.random() >= STOP_PAYMENT_SHARE.get(case.outcome, 0.0):
            continue
        request_id = next(ids)
        unit = rng.choice(world.police[AFC])
        to_report = rng.uniform(2 * MINUTE, HOUR)
        to_request = rng.expovariate(1 / (15 * MINUTE))
        room = min(6 * HOUR, case.end - case.opened)
        fits = min(1.0, room / (to_report + to_request))  # squeezed into a case closed at once
        paid = case.opened + rng.random() * max(0.0, room - to_report - to_request)
        reported = paid + to_report * fits
        t = reported + to_request * fits
        answered = t + rng.uniform(5 * MINUTE, 3 * HOUR)
        paid_amount = amount(rng, 3_000)
        frozen = f"{float(paid_amount) * rng.uniform(0.2, 1.0):.2f}"  # at least 0.20: the check wants > 0
        in_time = t - reported <= STOP_PAYMENT_WINDOW
        payee = f"62{rng.randrange(10**17):017d}"
        transaction_ref = f"{rng.randrange(10**20):020d}" if rng.random() < 0.7 else ""
        world.log(
            case,
            t,
            case.owner,
            Kind.STOP_PAYMENT_REQUESTED,
            stop_payment_id=request_id,
            unit=unit.name,
            amount=paid_amount,
            text=payee,
        )
        if case.risk >= Case.RiskLevel.HIGH:
            world.emergencies.append(Emergency(case, EmergencyAction.Kind.STOP_PAYMENT, request_id, t, case.owner))
        if answered > SPAN:
            status = Status.REQUESTED
        elif SPAN - answered < DAY and rng.random() < 0.4:
            status = Status.RECEIVED  # the centre is still at it
        else:
            status = Status.FROZEN if rng.random() < (0.65 if in_time else 0.15) else Status.TOO_LATE
        if status != Status.REQUESTED:
            world.log(
                case,
                answered,
                unit.liaison,
                Kind.STOP_PAYMENT_ANSWERED,
                stop_payment_id=request_id,
                status=status,
                amount=frozen if status == Status.FROZEN else "",
                unit=unit.name,
            )
        yield (
            request_id,
            case.id,
            unit.id,
            payee,
            paid_amount,
            world.at(paid),
            world.at(reported),
            transaction_ref,
            status,
            frozen if status == Status.FROZEN else None,
            case.owner,
            world.at(t),
            None if status == Status.REQUESTED else unit.liaison,
            None if status == Status.REQUESTED else world.at(answered),
        )


EMERGENCY_ACTION_FIELDS = [
    "id",
    "case",
    "kind",
    "interception",
    "referral",
    "stop_payment",
    "taken_by",
    "taken_at",
    "risk_level",
    "review",
    "reviewed_by",
    "reviewed_at",
    "review_note",
]
EMERGENCY_COLUMN = {
    EmergencyAction.Kind.INTERCEPTION: 0,
    EmergencyAction.Kind.REFERRAL: 1,
    EmergencyAction.Kind.STOP_PAYMENT: 2,
}


def emergency_action_rows(world: World, rng: random.Random) -> Iterator[tuple]:
    """Every action taken at high or critical risk (the case's rating), in the order taken, reviewed
    by a supervisor hours later: the recent ones still wait, and a few old ones were never looked at."""
    ids = count(world.first_id[EmergencyAction])
    for action in sorted(world.emergencies, key=lambda action: action.taken):
        action_id, case = next(ids), action.case
        reviewed = action.taken + rng.uniform(*REVIEW_DELAY)
        others = [user for user in world.supervisors if user != action.taken_by] or world.supervisors
        reviewer = rng.choice(others)
        review, note = EmergencyAction.Review.CONFIRMED, ""
        if rng.random() < FLAGGED_SHARE:
            review, note = EmergencyAction.Review.FLAGGED, rng.choice(FLAG_NOTES)
        if reviewed > SPAN or rng.random() < UNREVIEWED_SHARE:
            review, note = EmergencyAction.Review.PENDING, ""
        else:
            world.log(case, reviewed, reviewer, Kind.REVIEWED, action_id=action_id, review=review, reason=note)
        pending = review == EmergencyAction.Review.PENDING
        names = [None, None, None]
        names[EMERGENCY_COLUMN[action.kind]] = action.action
        yield (
            action_id,
            case.id,
            action.kind,
            *names,
            action.taken_by,
            world.at(action.taken),
            case.risk,
            review,
            None if pending else reviewer,
            None if pending else world.at(reviewed),
            encrypt(note) if note else "",  # as the field would (COPY skips it)
        )


DISSUASION_FIELDS = ["id", "case", "scam_type", "reached", "convinced", "amount_protected", "note", "by", "at"]


def dissuasion_rows(world: World, rng: random.Random) -> Iterator[tuple]:
    """One call per case, soon after it opened; who was convinced follows how the case ended."""
    ids = count(world.first_id[Dissuasion])
    for case in world.cases:
        if case.desk != Desk.FRAUD or rng.random() >= DISSUASION_SHARE.get(case.outcome, OTHER_DISSUASION_SHARE):
            continue
        dissuasion_id = next(ids)
        t = early_in(case, rng, 2 * HOUR)
        if case.outcome == Outcome.FRAUD_STOPPED:
            reached, convinced = rng.random() < 0.95, rng.random() < 0.9
        elif case.outcome == Outcome.FRAUD_LOSS:
            reached, convinced = rng.random() < 0.7, False
        else:
            reached, convinced = rng.random() < 0.6, rng.random() < 0.5
        convinced = reached and convinced
        protected = amount(rng, 2_000) if convinced else "0.00"
        note = DISSUASION_NOTES[reached, convinced]
        world.log(
            case,
            t,
            case.owner,
            Kind.DISSUADED,
            dissuasion_id=dissuasion_id,
            convinced=convinced,
            amount=protected,
            text=note,
        )
        yield (
            dissuasion_id,
            case.id,
            TOPIC_SCAMS[case.topic],
            reached,
            convinced,
            protected,
            encrypt(note) if note else "",  # as the field would (COPY skips it)
            case.owner,
            world.at(t),
        )


CHECKIN_FIELDS = [
    "id",
    "case",
    "due_at",
    "time_zone",
    "channel",
    "text",
    "owner",
    "status",
    "created_by",
    "created_at",
    "send_after",
    "attempts",
    "last_error",
    "sent_at",
    "delivered_at",
    "replied_at",
    "chased_at",
]


def checkin_rows(world: World, rng: random.Random) -> Iterator[tuple]:
    """Planned on a life-desk case while it was open, for one or more days at the same time. Due
    times are offsets like every other time (not a wall-clock 08:30), so a run at another hour writes
    the same rows."""
    ids = count(world.first_id[CheckIn])
    for case in world.cases:
        if case.desk != Desk.LIFE or rng.random() >= CHECKIN_SHARE.get(case.status, OTHER_CHECKIN_SHARE):
            continue
        planned = early_in(case, rng, DAY)
        first_due = planned + rng.uniform(6 * HOUR, 30 * HOUR)
        days, channel = CHECKIN_DAYS(rng), CHECKIN_CHANNELS(rng)
        text = rng.choice(CHECKIN_TEXTS[channel])
        zone = ZONES[world.buyer_zone[case.buyer - world.first_id[Buyer]]] if case.buyer else settings.TIME_ZONE
        checkin_ids = [next(ids) for _ in range(days)]
        local = world.at(first_due).astimezone(ZoneInfo(zone))
        world.log(
            case,
            planned,
            case.owner,
            Kind.CHECKIN_PLANNED,
            checkin_id=checkin_ids[0],
            local=f"{local:%Y-%m-%d %H:%M}",
            days=days,
            zone=zone,
            channel=channel,
            text=text,
        )
        for day, checkin_id in enumerate(checkin_ids):
            due = first_due + day * DAY
            fate = checkin_fate(world, rng, case, checkin_id, due, channel)
            yield (
                checkin_id,
                case.id,
                world.at(due),
                zone,
                channel,
                encrypt(text),  # as the field would (COPY skips it)
                case.owner,
                fate.status,
                case.owner,
                world.at(planned),
                world.at(fate.send_after),
                fate.attempts,
                fate.last_error,
                *(None if t is None else world.at(t) for t in (fate.sent, fate.delivered, fate.replied, fate.chased)),
            )


class CheckInFate(NamedTuple):
    status: str
    send_after: float
    attempts: int = 0
    last_error: str = ""
    sent: float | None = None
    delivered: float | None = None
    replied: float | None = None
    chased: float | None = None


def checkin_fate(
    world: World, rng: random.Random, case: CaseFacts, checkin_id: int, due: float, channel: str
) -> CheckInFate:
    """What the sweeps and the person made of one check-in by now. The sweeps leave closed cases
    alone, and the check-ins a case still had when it closed were cancelled with it."""
    Status = CheckIn.Status
    if due >= case.end:
        return CheckInFate(Status.CANCELLED if case.closed is not None else Status.PLANNED, due)
    if channel == Channel.PHONE:
        called = due + rng.expovariate(1 / (40 * MINUTE))
        if called < case.end:
            reached = rng.random() < 0.8
            world.log(
                case,
                called,
                case.owner,
                Kind.CHECKIN_CALLED,
                checkin_id=checkin_id,
                reached=reached,
                text=CALL_NOTES[reached],
            )
            return CheckInFate(Status.DONE if reached else Status.MISSED, due, replied=called if reached else None)
        return unanswered(world, case, checkin_id, CheckInFate(Status.PLANNED, due), since=due)
    # Sent by the sweep within a minute of being due; a failed try is tried again later, and
    # after the last one the check-in has failed.
    tries = MAX_ATTEMPTS if rng.random() < 0.04 else 1 + (rng.randint(1, 3) if rng.random() < 0.08 else 0)
    succeeds = tries < MAX_ATTEMPTS
    error = rng.choice(DELIVERY_ERRORS)
    at = due + rng.uniform(0, MINUTE)
    for attempt in range(1, tries + 1):
        if at > SPAN:  # still trying
            if attempt == 1:
                return CheckInFate(Status.PLANNED, due)
            return CheckInFate(Status.PLANNED, at, attempt - 1, error)
        if attempt == tries:
            break
        at += retry_delay(attempt).total_seconds()
    if not succeeds:
        world.log(case, at, None, Kind.CHECKIN_FAILED, checkin_id=checkin_id, error=error)
        return CheckInFate(Status.FAILED, at + retry_delay(tries).total_seconds(), tries, error)
    delivered = rng.random() < (0.85 if channel == Channel.CHAT else 0.6)
    status = Status.DELIVERED if delivered else Status.SENT
    world.log(case, at, None, Kind.CHECKIN_SENT, checkin_id=checkin_id, channel=channel, status=status)
    sent = CheckInFate(status, due, tries, "", sent=at, delivered=at if delivered else None)
    replied = at + rng.expovariate(1 / (45 * MINUTE)) if rng.random() < 0.7 else SPAN + DAY
    requeued = at + REPLY_WITHIN + REQUEUE_AFTER
    if replied < min(case.end, requeued):
        chased = at + REPLY_WITHIN if at + REPLY_WITHIN < replied else None
        if chased is not None:
            world.log(case, chased, None, Kind.CHECKIN_CHASED, checkin_id=checkin_id)
        world.log(
            case, replied, None, Kind.CHECKIN_REPLIED, checkin_id=checkin_id, message_id=None, text=rng.choice(REPLIES)
        )
        return sent._replace(status=Status.REPLIED, replied=replied, chased=chased)
    return unanswered(world, case, checkin_id, sent, since=at)


def unanswered(world: World, case: CaseFacts, checkin_id: int, fate: CheckInFate, since: float) -> CheckInFate:
    """No reply (or no call made) since `since`: the owner is chased, then an alert goes back to the
    queue, while the case is open. That alert is not seeded: requeued_alert stays empty."""
    chased, requeued = since + REPLY_WITHIN, since + REPLY_WITHIN + REQUEUE_AFTER
    if chased >= case.end:
        return fate
    world.log(case, chased, None, Kind.CHECKIN_CHASED, checkin_id=checkin_id)
    if requeued >= case.end:
        return fate._replace(chased=chased)
    world.log(case, requeued, None, Kind.CHECKIN_MISSED, checkin_id=checkin_id, alert_id=None)
    return fate._replace(status=CheckIn.Status.MISSED, chased=chased)


CASE_EVENT_FIELDS = ["id", "case", "actor", "kind", "payload", "created_at"]


def case_timeline(world: World, rng: random.Random, case: CaseFacts) -> list[tuple]:
    """(seconds, actor, kind, payload) of one case, as the services would have written them."""
    summary = TOPICS[case.desk][case.topic][0]
    promoted_alert = world.first_id[Alert] + world.promoted[case.id - world.first_id[Case]]

    def later() -> float:
        return case.opened + rng.random() * (case.end - case.opened)

    linked = {"alert_id": promoted_alert, "severity": case.severity, "summary": summary}
    events = [
        (case.opened, case.opener, Kind.OPENED, {"title": summary}),
        (case.opened, case.opener, Kind.ALERT_LINKED, linked),
    ]
    if case.owner != case.opener:
        events.append((case.opened, case.opener, Kind.OWNER_CHANGED, {"previous": case.opener, "owner": case.owner}))
    if case.risk:
        reason = rng.choice(RISK_REASONS)
        events.append((later(), case.owner, Kind.RISK_RATED, {"previous": 0, "level": case.risk, "reason": reason}))
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        events.append((later(), case.owner, Kind.NOTE, {"text": rng.choice(NOTES)}))
    if case.escalated is not None:
        reason = rng.choice(ESCALATION_REASONS)
        events.append((case.escalated, case.owner, Kind.ESCALATED, {"tier": case.tier, "reason": reason}))
    if case.status == Case.Status.MONITORING:
        events.append((later(), case.owner, Kind.STATUS_CHANGED, {"previous": "open", "status": "monitoring"}))
    if case.closed is not None:
        events.append((case.closed, case.owner, Kind.CLOSED, {"outcome": case.outcome}))
    return sorted(events, key=lambda event: event[0])


def case_event_rows(world: World, rng: random.Random) -> Iterator[tuple]:
    # The details are encrypted here as the field would (COPY skips it).
    stored = CaseEvent._meta.get_field("payload").get_prep_value
    ids = count(world.first_id[CaseEvent])
    for case in world.cases:
        timeline = case_timeline(world, rng, case) + world.events.pop(case.id, [])
        for t, actor, kind, payload in sorted(timeline, key=lambda event: event[0]):
            yield next(ids), case.id, actor, kind, stored(payload), world.at(t)
    for case, alert_id, t, severity, topic in world.merged:
        payload = {"alert_id": alert_id, "severity": severity, "summary": TOPICS[case.desk][topic][0]}
        yield next(ids), case.id, case.owner, Kind.ALERT_LINKED, stored(payload), world.at(t)


SIGHTING_FIELDS = ["id", "indicator", "alert", "case", "seen_at", "created_by"]


def shares(weights: array, total: int) -> Iterator[int]:
    """Split `total` among places in proportion to their weights, exactly: place i gets the
    integer steps of the running sum it covers (systematic sampling, no rounding drift)."""
    scale = total / (sum(weights) or 1)
    running, given = 0.0, 0
    for index, weight in enumerate(weights):
        running += weight
        upto = total if index == len(weights) - 1 else min(total, int(running * scale))
        yield upto - given
        given = upto


def indicator_at(world: World, rng: random.Random, kind: str, t: float) -> int:
    """An indicator of `kind` already first seen at `t`: mostly one that appeared shortly before
    (scam numbers come in bursts), sometimes one of the long-lived few that link many alerts."""
    first, size = world.indicator_blocks[kind]
    known = max(1, int(size * (t + INDICATOR_LEAD) / (SPAN + INDICATOR_LEAD)))
    if rng.random() < 0.1:
        return first + int(rng.random() * min(known, size // 100 + 1))
    return first + known - 1 - int(known * rng.random() ** 3)


def distinct_indicators(world: World, rng: random.Random, desk: str, t: float, wanted: int) -> list[int]:
    """`wanted` different indicators for one place; the unique constraints allow each once."""
    chosen: set[int] = set()
    for _ in range(wanted * 20):
        chosen.add(indicator_at(world, rng, SIGHTED_KINDS[desk](rng), t))
        if len(chosen) == wanted:
            return list(chosen)
    # A tiny seed can run out of indicators of the desk's kinds at `t`: take any others.
    for indicator_id in range(world.first_id[Indicator], world.first_id[Indicator] + world.sizes.indicators):
        if len(chosen) == wanted:
            break
        chosen.add(indicator_id)
    return list(chosen)


def sighting_rows(world: World, rng: random.Random) -> Iterator[tuple]:
    """Sightings in alerts (mostly fraud) and in cases, numbering exactly --sightings."""
    ids = count(world.first_id[Sighting])
    on_cases = round(world.sizes.sightings * CASE_SIGHTING_SHARE) if world.cases else 0
    desks = (Desk.LIFE, Desk.FRAUD)
    weights = array("d", (SIGHTING_WEIGHT[desks[f]] * rng.choice(SIGHTING_SPREAD) for f in world.alert_desk))
    first_alert = world.first_id[Alert]
    for position, wanted in enumerate(shares(weights, world.sizes.sightings - on_cases)):
        if wanted:
            t, desk = world.alert_time[position], desks[world.alert_desk[position]]
            for indicator_id in distinct_indicators(world, rng, desk, t, wanted):
                yield next(ids), indicator_id, first_alert + position, None, world.at(t), None
    weights = array("d", (SIGHTING_WEIGHT[case.desk] * rng.choice(SIGHTING_SPREAD) for case in world.cases))
    for case, wanted in zip(world.cases, shares(weights, on_cases), strict=True):
        if wanted:
            t = case.opened + rng.random() * (case.end - case.opened)
            for indicator_id in distinct_indicators(world, rng, case.desk, t, wanted):
                yield next(ids), indicator_id, None, case.id, world.at(t), case.owner


# --- Tables written through the ORM (a handful of rows each) -----------------------------------------


def seed_regions() -> tuple[list[int], list[int]]:
    """The regions, created once and reused: (district ids, city and district ids)."""
    by_code: dict[str, Region] = {}
    for code, name, level, parent in REGIONS:
        by_code[code], _ = Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": by_code.get(parent)}
        )
    districts = [region.id for region in by_code.values() if region.level == Region.Level.DISTRICT]
    return districts, [region.id for region in by_code.values() if region.level > Region.Level.PROVINCE]


ROLE_LABELS = {Role.SPECIALIST: "专员", Role.SUPERVISOR: "主管", Role.POLICE_LIAISON: "联络员"}


def bench_user(role: str, number: int) -> User:
    """A bench staff member with the role's group and no usable password (log in with force_login)."""
    email = f"bench-{role}-{number}@bench.invalid"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password=None, display_name=f"压测{ROLE_LABELS[role]}{number}")
    group = Group.objects.filter(name=role).first()  # the role groups exist after migrate
    if group is not None:
        user.groups.add(group)
    return user


def seed_staff() -> tuple[dict[str, list[int]], list[int]]:
    """Bench specialists in one team per desk, and supervisors in both: (specialists by desk, supervisors)."""
    supervisors = [bench_user(Role.SUPERVISOR, n) for n in range(1, SUPERVISORS + 1)]
    specialists = {}
    for offset, desk in enumerate(DESKS):
        team, _ = Team.objects.get_or_create(name=f"bench-{desk}", defaults={"desk": desk})
        numbers = range(offset * SPECIALISTS_PER_DESK + 1, (offset + 1) * SPECIALISTS_PER_DESK + 1)
        members = [bench_user(Role.SPECIALIST, n) for n in numbers]
        team.members.add(*members, *supervisors)
        specialists[desk] = [user.id for user in members]
    return specialists, [user.id for user in supervisors]


def seed_police() -> dict[str, list[Unit]]:
    """The active police units by kind. When a kind has none, the bench's handful is created (once,
    and reused), each unit with a bench liaison to answer its referrals and stop-payments."""
    if not all(PoliceUnit.objects.filter(is_active=True, kind=kind).exists() for kind in PoliceUnit.Kind):
        regions = Region.objects.in_bulk([code for code, *_ in POLICE_UNITS], field_name="code")
        for number, (code, kind, name, phone) in enumerate(POLICE_UNITS, start=1):
            # Queryset writes, which leave no history rows: --reset empties the units (with the
            # regions) and this makes them again, which would pile up history at every run.
            region = regions[code]
            units = PoliceUnit.objects.filter(region=region, kind=kind, name=name)
            if not units.update(is_active=True):
                PoliceUnit.objects.bulk_create([PoliceUnit(region=region, kind=kind, name=name, phone_24h=phone)])
            unit = units.get()
            liaison = bench_user(Role.POLICE_LIAISON, number)
            if not PoliceLiaison.objects.filter(user=liaison).update(unit=unit):
                PoliceLiaison.objects.bulk_create([PoliceLiaison(user=liaison, unit=unit)])
    units: dict[str, list[Unit]] = {kind: [] for kind in PoliceUnit.Kind}
    for unit in PoliceUnit.objects.filter(is_active=True).prefetch_related("liaisons").order_by("pk"):
        liaison = min((link.user_id for link in unit.liaisons.all()), default=None)
        units[unit.kind].append(Unit(unit.pk, unit.name, liaison))
    return units


# --- The run -------------------------------------------------------------------------------------------------


class Report:
    """Rows and seconds per step, printed as each step ends, and kept for the record of the run."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.rows = 0
        self.figures: dict[str, dict] = {}
        print(f"{'table':<28} {'rows':>12} {'seconds':>9} {'rows/s':>10}")

    def timed(self, name: str, work: Callable, *args):
        """Run work(*args) and print its time; a step that returns an int wrote that many rows."""
        started = time.perf_counter()
        result = work(*args)
        self.line(name, time.perf_counter() - started, result if isinstance(result, int) else None)
        return result

    def line(self, name: str, seconds: float, rows: int | None = None) -> None:
        self.figures[f"{name}, seconds"] = figure(seconds, "s", 1)
        if rows is None:
            print(f"{name:<28} {'':>12} {seconds:>9.1f}", flush=True)
            return
        self.figures[f"{name}, rows"] = figure(rows)
        self.rows += rows
        print(f"{name:<28} {rows:>12,} {seconds:>9.1f} {rows / max(seconds, 1e-6):>10,.0f}", flush=True)


def quoted_tables(models_: list[type[models.Model]]) -> str:
    return ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models_)


def reset(cursor) -> None:
    """Empty the seeded tables, and say which other tables the cascade emptied with them."""
    cascaded: list[str] = []

    def note(diagnostic) -> None:
        cascaded.append(diagnostic.message_primary)

    connection.connection.add_notice_handler(note)
    cursor.execute(f"TRUNCATE {quoted_tables(SEEDED)} RESTART IDENTITY CASCADE")
    connection.connection.remove_notice_handler(note)
    for message in cascaded:
        print(f"  {message}")


def first_ids(cursor) -> dict[type[models.Model], int]:
    ids = {}
    for model in COPIED:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {quoted_tables([model])}")
        ids[model] = cursor.fetchone()[0]
    return ids


def move_sequences(cursor) -> None:
    """Let the next row the application inserts take the id after the last seeded one."""
    for model in COPIED:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
            f"FROM {quoted_tables([model])}",
            [model._meta.db_table],
        )


def orders_as_intercepted(cursor, world: World) -> None:
    """Set each intercepted order to what its interception's answer made it (held, released, shipped
    anyway), as the services would have. The orders were written before the cases chose them, so
    this is the one UPDATE of the run: a few thousand rows in one statement."""
    if not world.order_changes:
        return
    ids, statuses, carriers, tracking, changed = (list(column) for column in zip(*world.order_changes, strict=True))
    cursor.execute(
        f"UPDATE {quoted_tables([Order])} AS o SET status = c.status, carrier = c.carrier, "
        "tracking_no = c.tracking_no, updated_at = GREATEST(o.updated_at, c.changed_at) "
        "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::timestamptz[]) "
        "AS c (id, status, carrier, tracking_no, changed_at) WHERE o.id = c.id",
        [ids, statuses, carriers, tracking, changed],
    )


STEPS = [
    (Merchant, MERCHANT_FIELDS, merchant_rows),
    (Product, PRODUCT_FIELDS, product_rows),
    (Buyer, BUYER_FIELDS, buyer_rows),
    (Order, ORDER_FIELDS, order_rows),
    (Indicator, INDICATOR_FIELDS, indicator_rows),
    (Case, CASE_FIELDS, case_rows),
    (Alert, ALERT_FIELDS, alert_rows),
    (InterceptionRequest, INTERCEPTION_FIELDS, interception_rows),
    (PoliceReferral, REFERRAL_FIELDS, referral_rows),
    (StopPaymentRequest, STOP_PAYMENT_FIELDS, stop_payment_rows),
    (EmergencyAction, EMERGENCY_ACTION_FIELDS, emergency_action_rows),  # after the three it names
    (Dissuasion, DISSUASION_FIELDS, dissuasion_rows),
    (CheckIn, CHECKIN_FIELDS, checkin_rows),
    (CaseEvent, CASE_EVENT_FIELDS, case_event_rows),  # with the lines the actions left on the World
    (Sighting, SIGHTING_FIELDS, sighting_rows),
]


def seed(args: argparse.Namespace, sizes: Sizes, report: Report) -> None:
    """Everything in one transaction: an interrupted run leaves the database as it was."""
    with transaction.atomic(), connection.cursor() as cursor:
        # Check foreign keys at the end of each COPY rather than at commit: the queue of deferred
        # checks of a multi-million-row transaction would otherwise grow until the commit.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if args.reset:
            report.timed("(reset)", reset, cursor)
        # Other writers would take the ids this run is about to use.
        cursor.execute(f"LOCK TABLE {quoted_tables(SEEDED)} IN EXCLUSIVE MODE")
        districts, shop_regions = report.timed("(regions)", seed_regions)
        specialists, supervisors = report.timed("(bench staff)", seed_staff)
        police = report.timed("(police units)", seed_police)
        world = World(
            sizes=sizes,
            seed=args.seed,
            start=datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=SPAN),
            first_id=first_ids(cursor),
            districts=districts,
            shop_regions=shop_regions,
            specialists=specialists,
            supervisors=supervisors,
            police=police,
        )
        report.timed("(timeline)", plan_timeline, world, world.rng("timeline"))
        for model, fields, rows in STEPS:
            table = model._meta.db_table
            report.timed(table, copy_rows, model, fields, rows(world, world.rng(table)))
        report.timed("(intercepted orders)", orders_as_intercepted, cursor, world)
        move_sequences(cursor)
        committing = time.perf_counter()
    report.line("(commit)", time.perf_counter() - committing)
    report.timed("(vacuum analyze)", vacuum_analyze)


def vacuum_analyze() -> None:
    """Fresh statistics and a visibility map, so that a benchmark right after the seed gets the plans
    (index-only scans included) production would, and autovacuum does not start in the middle of it."""
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {quoted_tables(SEEDED)}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, required=True)
    parser.add_argument("--cases", type=int, help="default: alerts / 10")
    parser.add_argument("--orders", type=int, help="default: alerts / 2")
    parser.add_argument("--sightings", type=int, help="default: as many as alerts")
    parser.add_argument("--buyers", type=int, help="default: alerts / 5")
    parser.add_argument("--merchants", type=int, help="default: 2,000")
    parser.add_argument("--seed", type=int, default=1, help="the same seed writes the same rows (default: 1)")
    parser.add_argument("--reset", action="store_true", help="empty the seeded tables first")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    sizes = Sizes.from_args(args)
    sizes.check()
    if connection.vendor != "postgresql":
        sys.exit(
            f"seed.py writes with PostgreSQL's COPY; the database configured by {os.environ['DJANGO_SETTINGS_MODULE']} "
            f"is {connection.vendor}. Set DATABASE_URL to a PostgreSQL database."
        )
    if database_create(connection.settings_dict):
        print(f"created database {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0, interactive=False)  # a new database, or a seed older than the code
    print(f"seeding {connection.settings_dict['NAME']} on {connection.settings_dict['HOST'] or 'localhost'}: {sizes}")
    report = Report()
    seed(args, sizes, report)
    total = time.perf_counter() - report.started
    print(f"total: {report.rows:,} rows in {total:.1f} s")
    print(f"seeded {sizes.alerts:,} alerts in {total:.1f} s ({sizes.alerts / total:,.0f} alerts/s)")
    results_write(
        "seed",
        figures={
            "alerts": figure(sizes.alerts),
            "rows": figure(report.rows),
            "total": figure(total, "s", 1),
            "alerts per second": figure(sizes.alerts / total, "alerts/s"),
            **report.figures,
        },
        headline=["alerts", "rows", "total"],
        target=f"{TARGET_ALERTS:,} alerts in under {TARGET_SECONDS / 60:.0f} min",
        # A smaller seed says nothing of the target: it is not checked.
        met=total < TARGET_SECONDS if sizes.alerts >= TARGET_ALERTS else None,
    )


if __name__ == "__main__":
    main()
