"""The scanner finds the person in danger in the seeds' own words, and not in everyday idioms."""

import json
import random

import opencc
import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interventions.models import ScanTerm
from interventions.scanner import Lexicon, Term, scan_text
from interventions.scanner.default_terms import DEFAULT_TERMS
from interventions.scanner.normalise import normalise, original_offsets
from interventions.selectors import current_lexicon

LEXICON = Lexicon(
    [Term(phrase, category, weight) for category, terms in DEFAULT_TERMS.items() for phrase, weight in terms]
)

# The seeds' wording (shared/seeds), the desk that must act, and how urgently.
SEED_STORIES = [
    # 001: the 12-year-old asks a shop for sleeping pills and threatens to jump.
    ("你不卖给我,我就从8楼跳下去。再过一会儿,等爸妈睡着了。", "life", "high"),
    ("我才12岁,你不卖给我安眠药,我就从8楼跳下去。再过一会儿,等爸妈睡着了。", "life", "critical"),
    ("这是个12岁的小姑娘,被父母批评,想到自杀,她之前也自杀过,从家旁边的商铺里买了药", "life", "critical"),
    ("你们不要拦我了,拦我是没用的,我不是第一次想死了", "life", "high"),
    ("有用户在线咨询甚么可让自己很快灭亡", "life", "medium"),
    # The herbicide story: intent and the bought means.
    ("有用户举报:一位年轻妈妈在朋友圈说要结束自己的生命,还晒出了购买除草剂的截图", "life", "high"),
    ("一位年轻妈妈说今晚就要结束自己的生命,除草剂已经买好了", "life", "critical"),
    # A fraud victim in despair belongs to the life desk too.
    ("被骗了13000元,我不想活了", "life", "high"),
    # 000: the SMS-code ring.
    ("有用户反映自己没注册过淘宝,却发现手机号有账号,而且后面有交易,甚至有人收货", "fraud", "medium"),
    ("我没注册过账号,验证码却被人拿走了,手机号有账号还有订单", "fraud", "high"),
    # 003: the game-currency payment.
    (
        "对方称有游戏币要卖,2亿的游戏币只卖1.3万余元,林某通过支付宝将1.3万余元转到对方提供的支付宝号内,"
        "但随后就发现联系不上对方",
        "fraud",
        "high",
    ),
    # 004: a look-alike link and money gone.
    ("有人冒充客服说我账户异常,让我点击链接验证身份,后来啊钱被转走了!", "fraud", "high"),
    ("对方自称警察,说我涉嫌洗钱,要我把钱转到安全账户,我已经转账了", "fraud", "critical"),
]

BENIGN = [
    "这件衣服跳楼价!",
    "笑死我了哈哈",
    "想死你了宝贝",
    "我们提供农药残留检测服务",
    "烧烤木炭5斤装多少钱",
    "跳楼大甩卖最后三天",
    "热死了,空调什么时候到",
    "收不到验证码怎么办",
    "请问什么时候发货?",
    "气死我了,快递又慢了",
]


@pytest.mark.parametrize(("text", "desk", "severity"), SEED_STORIES)
def test_seed_story_wording_alerts_at_the_right_desk_and_severity(text, desk, severity):
    result = scan_text(text, LEXICON)
    assert (result.desk, result.severity_name) == (desk, severity), result.reason


@pytest.mark.parametrize("text", BENIGN)
def test_everyday_idioms_with_hot_words_do_not_alert(text):
    result = scan_text(text, LEXICON)
    assert result.severity_name in ("none", "low"), result.reason


def test_a_high_risk_product_in_the_order_raises_the_severity():
    text = "我不想活了"
    assert scan_text(text, LEXICON).severity_name == "medium"
    assert scan_text(text, LEXICON, high_risk_product=True).severity_name == "high"
    assert scan_text("我不想活了,农药准备好了", LEXICON, high_risk_product=True).severity_name == "critical"
    assert scan_text("请问什么时候发货", LEXICON, high_risk_product=True).severity_name == "none"


def test_matches_point_at_what_the_person_wrote_even_through_noise():
    text = "我真的不■想◆活 了,准备了百\u200b草枯"
    result = scan_text(text, LEXICON)
    spans = {text[m.start : m.end] for m in result.matches}
    assert "不■想◆活 了" in spans
    assert "百\u200b草枯" in spans


def test_the_reason_names_what_was_found():
    result = scan_text("一位年轻妈妈说今晚就要结束自己的生命,除草剂已经买好了", LEXICON)
    assert "结束自己的生命" in result.reason or "结束自己" in result.reason
    assert "除草剂" in result.reason


def test_traditional_full_width_and_spaced_forms_normalise_alike():
    assert normalise("準備 燒炭") == normalise("准备烧炭") == "准备烧炭"
    assert normalise("ＺＩＳＨＡ") == "zisha"
    assert original_offsets("自 ■杀") == [0, 3]


NOISE = ["■", "◆", "▽", "●", "□", "▲", "☆", "★", "…", " ", "\u200b", "\u200c", "\ufeff", "·", "-", "　"]
_TO_TRADITIONAL = opencc.OpenCC("s2t")


def _disguise(text: str, rng: random.Random, noise_rate: float, traditional: bool) -> str:
    if traditional:
        text = _TO_TRADITIONAL.convert(text)
    out = []
    for char in text:
        out.append(char)
        if rng.random() < noise_rate:
            out.append(rng.choice(NOISE) * rng.randint(1, 3))
    return "".join(out)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    story=st.sampled_from(SEED_STORIES),
    seed=st.integers(0, 2**32 - 1),
    noise_rate=st.floats(0, 0.8),
    traditional=st.booleans(),
)
def test_noise_zero_width_spaces_and_traditional_forms_do_not_change_the_verdict(story, seed, noise_rate, traditional):
    text, desk, severity = story
    disguised = _disguise(text, random.Random(seed), noise_rate, traditional)
    result = scan_text(disguised, LEXICON)
    assert (result.desk, result.severity_name) == (desk, severity), disguised
    for match in result.matches:
        assert normalise(disguised[match.start : match.end]) == normalise(match.term)


def test_scan_command_prints_one_json_object_per_line_in_order(db, tmp_path, capsys):
    source = tmp_path / "messages.txt"
    source.write_text("这件衣服跳楼价!\n我不想活了,今晚就吃安眠药\n\n", encoding="utf-8")
    call_command("scan", str(source))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    first, second, third = (json.loads(line) for line in lines)
    assert first == {
        "text": "这件衣服跳楼价!",
        "severity": "none",
        "desk": None,
        "categories": [],
        "matches": [],
        "reason": "",
    }
    assert (second["severity"], second["desk"]) == ("critical", "life")
    assert {"term": "安眠药", "start": 10, "end": 13} in second["matches"]
    assert set(second) == {"text", "severity", "desk", "categories", "matches", "reason"}
    assert third["severity"] == "none"


def test_a_term_added_or_switched_off_takes_effect_on_the_next_scan(db):
    term = ScanTerm.objects.create(phrase="想不开", category="intent", weight=3)
    assert scan_text("我有点想不开", current_lexicon()).severity_name == "medium"
    term.weight = 1
    term.save()
    assert scan_text("我有点想不开", current_lexicon()).severity_name == "low"
    ScanTerm.objects.filter(pk=term.pk).update(is_active=False)
    assert scan_text("我有点想不开", current_lexicon()).severity_name == "none"


def test_an_empty_term_table_is_filled_with_the_default_lists_on_migrate(db):
    from django.core.management import call_command

    ScanTerm.objects.all().delete()
    call_command("migrate", verbosity=0)
    assert ScanTerm.objects.filter(phrase="不想活了", category="intent").exists()
    ScanTerm.objects.exclude(phrase="不想活了").delete()
    call_command("migrate", verbosity=0)
    assert ScanTerm.objects.count() == 1  # a list its managers shaped is left alone
