"""Messages per second for the alert scanner, next to a regex baseline on the same messages.

Usage, from the repository root (DJANGO_SETTINGS_MODULE defaults to config.settings.dev):

    .venv/bin/python bench/scan.py [--messages 200000] [--terms 200 2000] [--seed 1]

Django is set up only because the scanner imports model enums (Severity, Desk); no database is
touched. The process is single-threaded, so every figure is for one core.

For each term count, on the same messages, best of 5 runs after one warm-up pass, timed by the
process's own CPU time (time.process_time): the bench is one thread doing nothing but computing,
so its CPU time is its speed on one core, and time the machine gives to other work (another
process, another guest on the host) does not count against it as wall-clock time would:

    whole scan   scan_text(text, lexicon): normalise, one automaton walk that finds the terms and
                 one that sums the second-opinion model's n-gram weights, the frames, and the model's lifts:
                 what intake pays per message, with the shipped model (interventions/scanner/model.json)
    no model     the same with a lexicon of the terms alone: the frames without their second opinion
    match        lexicon.hits(normalised) of the terms alone on pre-normalised texts: the automaton
                 plus the Hit objects and the benign-phrase filter
    automaton    automaton.find_matches_as_indexes(normalised, overlapping=True) of the terms alone,
                 nothing else
    regex        the baseline: one compiled alternation of the same normalised terms, longest first,
                 finditer(normalised) consumed, on the same pre-normalised texts

The targets: at 2,000 terms the whole scan, model included, runs at >= 50,000 msg/s (issue 18),
and the match stage at >= 5x the regex baseline, a cost that does not grow with the list.

Messages are generated, deterministically from --seed: ordinary customer-service traffic (delivery,
refunds, sizes, products), about 3% with life-protection signals and 3% with fraud signals built
from the real default terms (some written around the filter: ■ between characters, spaces,
zero-width spaces, traditional characters, full-width letters), and about 1% benign idioms that
contain a hot word (跳楼价, 笑死, 想死你了, 农药残留检测, 烧烤木炭). The "alerted" counts say how these
templates fare; the scanner's accuracy is measured on the labelled corpus (manage.py scanner_eval).

Terms: the real default terms are the base. A list shorter than the defaults keeps every exception
and every term of weight >= 2 and drops weak (weight 1) terms chosen by the seed, so the positives
still alert and the idioms stay silent; a longer list adds synthetic phrases of 2-6 common
characters, spread over the real categories with weights drawn from each category's real terms.
"""

import argparse
import gc
import os
import platform
import random
import re
import statistics
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

import opencc  # noqa: E402
from _common import cpu_model, figure, results_write  # noqa: E402

from accounts.models import Desk  # noqa: E402
from interventions.models import Severity  # noqa: E402
from interventions.scanner import Lexicon, Term, scan_text  # noqa: E402
from interventions.scanner.default_terms import default_terms  # noqa: E402
from interventions.scanner.model import shipped  # noqa: E402
from interventions.scanner.normalise import normalise, translation_table  # noqa: E402

RUNS = 5
TARGET_MSG_PER_S = 50_000
TARGET_RATIO = 5.0
TARGET_TERMS = 2_000

# --- Messages ------------------------------------------------------------------------------------

# fmt: off
FILLERS: dict[str, list[str]] = {
    "product": [
        "连衣裙", "运动鞋", "羽绒服", "保温杯", "蓝牙耳机", "电饭煲", "儿童书包", "手机壳", "充电宝", "四件套",
        "洗发水", "面膜", "猫粮", "台灯", "空气炸锅", "牛仔裤", "卫衣", "行李箱", "榨汁机", "跳绳",
        "扫地机器人", "婴儿推车", "电动牙刷", "投影仪", "机械键盘", "登山包", "烧水壶", "瑜伽垫", "眼霜", "茶叶礼盒",
    ],
    "garment": ["连衣裙", "羽绒服", "牛仔裤", "卫衣", "T恤", "衬衫", "运动鞋", "外套", "风衣", "毛衣"],
    "size": ["S", "M", "L", "XL", "XXL", "36", "37", "38", "39", "40", "41", "42", "160/84A", "170/92A"],
    "courier": ["顺丰", "中通", "圆通", "韵达", "申通", "京东物流", "邮政", "极兔"],
    "color": ["黑色", "白色", "米色", "藏青色", "卡其色", "粉色", "灰色", "酒红色"],
    "city": ["北京市朝阳区", "上海市浦东新区", "广州市天河区", "成都市武侯区", "杭州市西湖区", "武汉市洪山区"],
    "error": ["不满足使用条件", "优惠券已过期", "系统繁忙", "不在活动范围内"],
    "fruit": ["小番茄", "草莓", "青菜", "苹果", "葡萄", "黄瓜"],
    "greeting": ["", "", "你好，", "您好，", "在吗？", "亲，", "客服你好，", "hello，"],
    "closing": ["", "", "", "谢谢", "麻烦了", "急！", "尽快回复一下", "谢谢亲", "👍", "😊"],
}
# fmt: on

# Ordinary traffic. A few carry weak terms on purpose (今晚, 已付款, 爸妈, 12岁, 验证码收不到), as real
# traffic does: they reach the classifier and must stay below an alert.
ORDINARY = [
    "我的订单{order}什么时候发货？",
    "快递到哪了，{days}天了还没到",
    "{courier}显示已签收，但是我没收到包裹",
    "这件{garment}有{size}码吗？",
    "我身高{height}，体重{weight}斤，{garment}穿什么码合适？",
    "{product}质量有问题，可以退货吗？",
    "申请退款{days}天了，什么时候到账？",
    "能不能换个颜色，我想要{color}的",
    "{product}怎么用？说明书看不懂",
    "发票怎么开？抬头写公司名称可以吗",
    "地址填错了，能改成{city}吗？",
    "优惠券用不了，提示{error}",
    "有没有{color}的{product}，想买{n}件",
    "{product}什么时候补货？",
    "买{n}个可以便宜点吗",
    "包装破了，{product}有划痕，怎么处理",
    "收到的{product}和图片颜色不一样",
    "七天无理由退货运费谁出？",
    "今晚能送到吗？",
    "我已付款了，麻烦尽快发货",
    "帮我爸妈买的{product}，操作简单吗",
    "孩子{age}岁，身高{height}，{garment}穿多大",
    "验证码收不到怎么办",
    "{product}是正品吗？有没有防伪码",
    "保修期多久？坏了去哪里修",
    "尺码表在哪里看",
    "退货地址发我一下",
    "{courier}的快递员打不通电话",
    "已经确认收货了，评价有返现吗",
    "这个{product}和上次买的不一样，是换包装了吗",
]

# Life-protection signals. Every template holds an intent or self-harm term of weight >= 2, so each
# must reach at least medium on the life desk whatever else it holds.
LIFE = [
    "{risk_factor}，{intent}",
    "{intent}，{method}{plan}",
    "{plan}就{intent}，{goodbye}",
    "我{self_harm}好几次了，{risk_factor}",
    "这个{method}是不是{intent}",
    "{intent}，{backup}",
    "{minor}，{risk_factor}，真的{intent}",
    "{method}，{intent}，{goodbye}",
]

# Fraud signals: each template holds the parts of one fraud frame (an impersonator who asks, a lure
# with a fee, a safe account, a code asked for, a screen shared, an account taken over), from the
# `strong_*` (weight 3) and plain (weight >= 2) slots of the real default terms.
FRAUD = [
    "有人{strong_impersonation}，{request}{verification_code}",
    "对方{impersonation}，让我把钱转到{strong_safe_account}",
    "{strong_brushing}，要{fee}，我已经{strong_payment}",
    "{strong_refund_link}，对方让我{strong_remote}",
    "我这个手机号{strong_account_takeover}，还收到{verification_code}",
    "{strong_investment}，说交{strong_fee}才能提现，{strong_payment}",
    "{strong_loan}，放款前要{strong_fee}",
    "{strong_impersonation}，要我{request}，说是{refund_link}",
]

IDIOMS = [
    "{product}今天跳楼价吗？还有货吗",
    "跳楼价买的{product}，质量还行",
    "笑死，快递员把{product}放到邻居家门口了",
    "笑死我了，{garment}寄成童装了",
    "客服小姐姐想死你了，上次的{product}很好用",
    "这批{fruit}有农药残留检测报告吗？",
    "{fruit}做过农药残留检测吗",
    "烧烤木炭什么时候发货，周末要用",
    "烧烤木炭一箱多少斤",
]

# Cumulative shares: 3% life, 3% fraud, 1% idioms, the rest ordinary.
KINDS = [(0.03, "life", LIFE), (0.06, "fraud", FRAUD), (0.07, "idiom", IDIOMS), (1.0, "ordinary", None)]
NOISE = "■◆▽●□▲☆★"
_S2T = opencc.OpenCC("s2t")


def _number(low: int, high: int) -> Callable[[random.Random], str]:
    return lambda rng: str(rng.randint(low, high))


NUMBERS: dict[str, Callable[[random.Random], str]] = {
    "order": _number(10**15, 10**18),
    "days": _number(2, 15),
    "height": _number(150, 190),
    "weight": _number(90, 200),
    "n": _number(2, 10),
    "age": _number(6, 15),
}


def _signal_pools() -> dict[str, list[str]]:
    """Slot name -> phrases: `intent` holds the category's terms of weight >= 2, `strong_intent`
    those of weight 3. `real_terms` keeps all of them in any list long enough to hold them."""
    pools: dict[str, list[str]] = {}
    for term in default_terms():
        pools.setdefault(term.category, [])
        pools.setdefault(f"strong_{term.category}", [])
        if term.weight >= 2:
            pools[term.category].append(term.phrase)
        if term.weight >= 3:
            pools[f"strong_{term.category}"].append(term.phrase)
    return pools


SIGNALS = _signal_pools()


def _full_width(phrase: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in phrase.upper())


def evade(phrase: str, rng: random.Random) -> str:
    """The phrase as someone dodging a filter would write it. Traditional and full-width leave
    many phrases unchanged (no traditional form, no ASCII); those get noise symbols instead."""
    how = rng.choice(["noise", "spaces", "zero-width", "traditional", "full-width"])
    if how == "spaces":
        return " ".join(phrase)
    if how == "zero-width":
        return "\u200b".join(phrase)
    if how == "traditional" and (written := _S2T.convert(phrase)) != phrase:
        return written
    if how == "full-width" and (written := _full_width(phrase)) != phrase:
        return written
    return "".join(c + rng.choice(NOISE) for c in phrase[:-1]) + phrase[-1]


class _Slots(dict):
    """format_map() source: each {slot} is drawn when the template asks for it. Signal slots are
    written around the filter with probability `evasion`; `evaded` records whether any was."""

    def __init__(self, rng: random.Random, evasion: float = 0.0) -> None:
        super().__init__()
        self.rng, self.evasion, self.evaded = rng, evasion, False

    def __missing__(self, slot: str) -> str:
        if slot in NUMBERS:
            return NUMBERS[slot](self.rng)
        if slot in FILLERS:
            return self.rng.choice(FILLERS[slot])
        phrase = self.rng.choice(SIGNALS[slot])
        if self.rng.random() < self.evasion:
            self.evaded = True
            return evade(phrase, self.rng)
        return phrase


def _clauses(rng: random.Random) -> list[str]:
    # Mostly one or two questions; one message in a hundred is a long complaint.
    count = rng.choices([1, 2, 3, 4, rng.randint(8, 14)], weights=[45, 33, 14, 7, 1])[0]
    clauses = [rng.choice(ORDINARY).format_map(_Slots(rng)) for _ in range(count)]
    while sum(map(len, clauses)) < 10:  # "今晚能送到吗？" alone is shorter than the messages
        clauses.append(rng.choice(ORDINARY).format_map(_Slots(rng)))
    return clauses


def _join(clauses: list[str]) -> str:
    """Clauses as one chat line: a comma between them unless the previous one ended a question."""
    return "".join(clause if clause[-1] in "？！。" else clause + "，" for clause in clauses[:-1]) + clauses[-1]


def message(rng: random.Random) -> tuple[str, str, bool]:
    """One message: (text, kind, evaded). kind is ordinary, life, fraud or idiom."""
    roll = rng.random()
    kind, templates = next((kind, templates) for share, kind, templates in KINDS if roll < share)
    slots = _Slots(rng, evasion=0.25)
    greeting, closing = rng.choice(FILLERS["greeting"]), rng.choice(FILLERS["closing"])
    if templates is None:
        body = _join(_clauses(rng))
    else:
        # Half the signals come after an ordinary question, as in a real chat.
        clauses = [rng.choice(ORDINARY).format_map(_Slots(rng))] if rng.random() < 0.5 else []
        body = _join([*clauses, rng.choice(templates).format_map(slots)])
    return greeting + body + closing, kind, slots.evaded


def messages(count: int, seed: int) -> tuple[list[str], list[str], int]:
    rng = random.Random(f"{seed}:messages")
    texts, kinds, evaded = [], [], 0
    for _ in range(count):
        text, kind, was_evaded = message(rng)
        texts.append(text)
        kinds.append(kind)
        evaded += was_evaded
    return texts, kinds, evaded


# --- Terms ---------------------------------------------------------------------------------------

# Common characters of everyday Chinese, for synthetic phrases that look like real ones to the matcher.
COMMON = (
    "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么"
    "心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现"
    "分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位"
    "因重被走电四第门相次东海口使教西再平真听世气信北少关并内加化由却代产入先山五太水万市眼体别处总才场师书比"
    "住员九笑性通目报立马命张活难神数件安表原车白应路期叫常提感金何更反合放做系计或司利受光王果亲界及今京务制"
    "解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思"
    "非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完深区即求品士转"
    "量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱倒未持取设始版双历越史商千片容研像找友孩站广改议形"
    "委早房音火际则首单据导影失拿网香似专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴切随送货递款退码买卖店"
)


def real_terms(count: int, seed: int) -> list[Term]:
    """`count` of the default terms: every exception, the strongest (weight 3) of every category,
    then weight-2 terms and then weak ones, each set in an order set by the seed, so a short list
    keeps some of every category instead of the first categories whole."""
    rng = random.Random(f"{seed}:terms-kept")
    terms = default_terms()
    tiers = [
        [term for term in terms if term.weight == 0],
        [term for term in terms if term.weight == 3],
        [term for term in terms if term.weight == 2],
        [term for term in terms if term.weight == 1],
    ]
    for tier in tiers[1:]:
        rng.shuffle(tier)
    return [term for tier in tiers for term in tier][:count]


def synthetic_terms(count: int, seed: int, real: list[Term]) -> list[Term]:
    """Phrases of 2-6 common characters, new to the list and not containing a real term (a curator
    would not list 自杀 inside another phrase), so the real-term positives keep their meaning."""
    rng = random.Random(f"{seed}:terms")
    real_keys = {normalise(term.phrase) for term in real}
    weights: dict[str, list[int]] = {}
    for term in default_terms():
        weights.setdefault(term.category, []).append(term.weight)
    categories = list(weights)
    seen: set[str] = set(real_keys)
    terms: list[Term] = []
    while len(terms) < count:
        phrase = "".join(rng.choices(COMMON, k=rng.choices([2, 3, 4, 5, 6], weights=[30, 25, 25, 10, 10])[0]))
        if phrase in seen or any(key in phrase for key in real_keys):
            continue
        seen.add(phrase)
        category = rng.choice(categories)
        terms.append(Term(phrase, str(category), rng.choice(weights[category])))
    return terms


def term_list(count: int, seed: int) -> list[Term]:
    real = real_terms(count, seed)
    return real + synthetic_terms(count - len(real), seed, real)


def regex_baseline(terms: Iterable[Term]) -> re.Pattern[str]:
    """The baseline the issue names: the same terms, normalised the same way, longest first so the
    alternation prefers 不想活了 to 不想活. Duplicate keys are listed once, as in the automaton."""
    keys = {normalise(term.phrase) for term in terms} - {""}
    return re.compile("|".join(re.escape(key) for key in sorted(keys, key=lambda key: (-len(key), key))))


# --- Timing --------------------------------------------------------------------------------------


def best_time(run: Callable[[], object]) -> float:
    """Best of RUNS wall-clock runs after one warm-up: the best is the run least disturbed by the
    rest of the machine, and the warm-up fills caches (interned strings, the translate table)."""
    run()
    times = []
    for _ in range(RUNS):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def scan_all(texts: list[str], lexicon: Lexicon) -> None:
    for text in texts:
        scan_text(text, lexicon)


def match_all(normalised: list[str], lexicon: Lexicon) -> None:
    hits = lexicon.hits
    for text in normalised:
        hits(text)


def automaton_all(normalised: list[str], lexicon: Lexicon) -> None:
    if lexicon.automaton is None:
        return
    find = lexicon.automaton.find_matches_as_indexes
    for text in normalised:
        find(text, overlapping=True)


def regex_all(normalised: list[str], pattern: re.Pattern[str]) -> None:
    find = pattern.finditer
    for text in normalised:
        deque(find(text), maxlen=0)


def alerts(texts: list[str], kinds: list[str], lexicon: Lexicon) -> Counter[tuple[str, str]]:
    """(kind, desk) -> messages of that kind that alert (>= medium) on that desk; (kind, "") counts all."""
    counts: Counter[tuple[str, str]] = Counter()
    for text, kind in zip(texts, kinds, strict=True):
        counts[kind, ""] += 1
        for desk, severity in scan_text(text, lexicon).desk_severity.items():
            if severity >= Severity.MEDIUM:
                counts[kind, desk] += 1
    return counts


def measure(count: int, seed: int, texts: list[str], kinds: list[str], normalised: list[str]) -> dict:
    terms = term_list(count, seed)
    gc.collect()  # so that a collection after building 200,000 messages does not land in the build time
    start = time.perf_counter()
    lexicon = Lexicon(terms, model=shipped())
    built = time.perf_counter() - start
    frames_only = Lexicon(terms)
    start = time.perf_counter()
    pattern = regex_baseline(terms)
    compiled = time.perf_counter() - start
    n = len(texts)
    return {
        "terms": len(terms),
        # The root's fan-out: the number of distinct first characters.
        "first_chars": len({key[0] for key in map(normalise, (term.phrase for term in terms)) if key}),
        "lexicon_s": built,
        "regex_s": compiled,
        "scan": n / best_time(lambda: scan_all(texts, lexicon)),
        "frames": n / best_time(lambda: scan_all(texts, frames_only)),
        # The terms alone: the matching stage as the regex baseline does it. (With the model, the
        # same walk also sums the model's n-gram weights; the whole-scan column counts that.)
        "match": n / best_time(lambda: match_all(normalised, frames_only)),
        "automaton": n / best_time(lambda: automaton_all(normalised, frames_only)),
        "regex": n / best_time(lambda: regex_all(normalised, pattern)),
        "alerts": alerts(texts, kinds, lexicon),
    }


# --- Report --------------------------------------------------------------------------------------


def print_header(texts: list[str], kinds: list[str], evaded: int, table_s: float, table_size: int) -> None:
    lengths = [len(text) for text in texts]
    by_kind = Counter(kinds)
    print(
        f"{platform.python_implementation()} {platform.python_version()}, ahocorasick-rs "
        f"{version('ahocorasick-rs')}, CPU {cpu_model()} ({os.cpu_count()} visible)"
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"one core: the benchmark is a single Python thread (load average {load})")
    print(f"normalisation table: {table_size:,} entries built in {table_s * 1000:,.0f} ms, once per process, not timed")
    print(
        f"messages: {len(texts):,} — ordinary {by_kind['ordinary']:,}, life {by_kind['life']:,}, "
        f"fraud {by_kind['fraud']:,}, idioms {by_kind['idiom']:,}; {evaded:,} positives written around the filter"
    )
    print(
        f"length: min {min(lengths)}, median {statistics.median(lengths):.0f}, mean {statistics.fmean(lengths):.0f}, "
        f"max {max(lengths)} chars; {sum(n > 120 for n in lengths):,} over 120"
    )
    print(f"timing: time.process_time (CPU time of this process), best of {RUNS} runs after one warm-up pass\n")


def print_table(rows: list[dict]) -> None:
    print(
        f"{'terms':>6}  {'whole scan msg/s':>16}  {'no model msg/s':>14}  {'match msg/s':>11}"
        f"  {'automaton msg/s':>15}  {'regex msg/s':>11}"
        f"  {'match÷regex':>11}  alerted life / fraud"
    )
    for row in rows:
        alerted = row["alerts"]
        life = sum(v for (_, desk), v in alerted.items() if desk == Desk.LIFE)
        fraud = sum(v for (_, desk), v in alerted.items() if desk == Desk.FRAUD)
        print(
            f"{row['terms']:>6}  {row['scan']:>16,.0f}  {row['frames']:>14,.0f}  {row['match']:>11,.0f}"
            f"  {row['automaton']:>15,.0f}  {row['regex']:>11,.0f}  {row['match'] / row['regex']:>10.1f}×"
            f"  {life:,} / {fraud:,}"
        )
    print(
        "\nmatch = lexicon.hits(normalised) (automaton + Hit objects + benign-phrase filter); automaton = bare "
        "find_matches_as_indexes();\nregex = one re alternation of the same normalised terms, finditer() consumed; "
        "all three on the same pre-normalised texts.\n"
    )
    for row in rows:
        a = row["alerts"]
        label = f"{row['terms']} terms:"
        print(
            f"{label:<12}positives alerted on their desk: life {a['life', Desk.LIFE]:,}/{a['life', '']:,}, "
            f"fraud {a['fraud', Desk.FRAUD]:,}/{a['fraud', '']:,}; alerted on any desk: "
            f"idioms {a['idiom', Desk.LIFE] + a['idiom', Desk.FRAUD]:,}/{a['idiom', '']:,}, "
            f"ordinary {a['ordinary', Desk.LIFE] + a['ordinary', Desk.FRAUD]:,}/{a['ordinary', '']:,}"
        )
        print(
            f"{'':<12}{row['first_chars']:,} distinct first characters; lexicon built in "
            f"{row['lexicon_s'] * 1000:,.0f} ms, regex compiled in {row['regex_s'] * 1000:,.0f} ms"
        )


def print_targets(rows: list[dict]) -> None:
    at_target = next((row for row in rows if row["terms"] == TARGET_TERMS), None)
    print()
    if at_target is None:
        print(f"targets: not measured (run with --terms including {TARGET_TERMS})")
        return
    scan, ratio = at_target["scan"], at_target["match"] / at_target["regex"]
    verdict = {True: "met", False: "NOT MET"}
    print(
        f"target whole scan >= {TARGET_MSG_PER_S:,} msg/s at {TARGET_TERMS:,} terms: "
        f"{verdict[scan >= TARGET_MSG_PER_S]} ({scan:,.0f} msg/s)"
    )
    print(
        f"target match >= {TARGET_RATIO:.0f}× regex at {TARGET_TERMS:,} terms: "
        f"{verdict[ratio >= TARGET_RATIO]} ({at_target['match']:,.0f} vs {at_target['regex']:,.0f} msg/s, "
        f"{ratio:.1f}×)"
    )
    smallest = min(rows, key=lambda row: row["terms"])
    if smallest is not at_target:
        print(
            f"match speed at {at_target['terms']:,} terms is {at_target['match'] / smallest['match']:.0%} of that at "
            f"{smallest['terms']:,} terms; regex {at_target['regex'] / smallest['regex']:.0%}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument(
        "--terms",
        type=int,
        nargs="+",
        default=[200, 2_000, len(default_terms())],
        help="list sizes to measure; the default list's own size by default too",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    start = time.perf_counter()
    table_size = len(translation_table())
    table_s = time.perf_counter() - start

    texts, kinds, evaded = messages(args.messages, args.seed)
    normalised = [normalise(text) for text in texts]
    print_header(texts, kinds, evaded, table_s, table_size)
    rows = [measure(count, args.seed, texts, kinds, normalised) for count in args.terms]
    print_table(rows)
    print_targets(rows)
    record(rows)


def record(rows: list[dict]) -> None:
    """The printed speeds and alert counts in bench/results/scan.json."""
    figures, headline = {}, []
    for kind, label in (
        ("life", "life positives"),
        ("fraud", "fraud positives"),
        ("idiom", "idioms"),
        ("ordinary", "ordinary"),
    ):
        figures[f"{label}, messages"] = figure(rows[0]["alerts"][kind, ""])
    for row in rows:
        at = f"at {row['terms']:,} terms"
        a = row["alerts"]
        figures |= {
            f"whole scan {at}": figure(row["scan"], "msg/s"),
            f"no model {at}": figure(row["frames"], "msg/s"),
            f"match {at}": figure(row["match"], "msg/s"),
            f"automaton {at}": figure(row["automaton"], "msg/s"),
            f"regex {at}": figure(row["regex"], "msg/s"),
            f"match ÷ regex {at}": figure(row["match"] / row["regex"], "×", 1),
            f"life positives alerted {at}": figure(a["life", Desk.LIFE]),
            f"fraud positives alerted {at}": figure(a["fraud", Desk.FRAUD]),
            f"idioms alerted {at}": figure(a["idiom", Desk.LIFE] + a["idiom", Desk.FRAUD]),
            f"ordinary alerted {at}": figure(a["ordinary", Desk.LIFE] + a["ordinary", Desk.FRAUD]),
        }
    at_target = next((row for row in rows if row["terms"] == TARGET_TERMS), None)
    met = None
    if at_target is not None:
        at = f"at {TARGET_TERMS:,} terms"
        headline = [f"whole scan {at}", f"match ÷ regex {at}"]
        met = at_target["scan"] >= TARGET_MSG_PER_S and at_target["match"] / at_target["regex"] >= TARGET_RATIO
    largest = max(rows, key=lambda row: row["terms"])
    if largest is not at_target:
        headline.append(f"whole scan at {largest['terms']:,} terms")
    results_write(
        "scan",
        figures=figures,
        headline=headline,
        target=f"whole scan ≥ {TARGET_MSG_PER_S:,} msg/s at {TARGET_TERMS:,} terms; match ≥ {TARGET_RATIO:.0f}× regex",
        met=met,
    )


if __name__ == "__main__":
    main()
