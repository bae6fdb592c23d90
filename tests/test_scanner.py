"""The scanner finds the person in danger however they say it, rates the danger by the seeds'
rule, says why in words, and does not cry wolf over everyday idioms."""

import json
import random

import opencc
import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interventions.models import ScanTerm
from interventions.scanner import Lexicon, scan_text
from interventions.scanner.default_terms import default_terms
from interventions.scanner.lexicon import default_lexicon
from interventions.scanner.model import from_content
from interventions.scanner.normalise import normalise, original_offsets
from interventions.selectors import current_lexicon

LEXICON = default_lexicon()  # the shipped lists with the shipped model, as a new database runs
FRAMES_ONLY = Lexicon(default_terms())

# The seeds' wording (shared/seeds) and the issue's charcoal story: the desk that must act, the
# lowest severity that is right, and words the reason must give.
SEED_STORIES = [
    # 001: the 12-year-old asks a shop for sleeping pills and threatens to jump.
    ("我才12岁,你不卖给我安眠药,我就从8楼跳下去。再过一会儿,等爸妈睡着了。", "life", "critical", "安眠药"),
    ("这是个12岁的小姑娘,被父母批评,想到自杀,她之前也自杀过,从家旁边的商铺里买了药", "life", "high", "自杀"),
    ("你们不要拦我了,拦我是没用的,我不是第一次想死了", "life", "high", "想死"),
    # The herbicide story: intent and the bought means.
    ("有用户举报:一位年轻妈妈在朋友圈说要结束自己的生命,还晒出了购买除草剂的截图", "life", "high", "除草剂"),
    ("一位年轻妈妈说今晚就要结束自己的生命,除草剂已经买好了", "life", "critical", "除草剂"),
    # A fraud victim in despair belongs to the life desk too.
    ("被骗了13000元,我不想活了", "life", "medium", "不想活"),
    # 000: the SMS-code ring.
    ("有用户反映自己没注册过淘宝,却发现手机号有账号,而且后面有交易,甚至有人收货", "fraud", "medium", "没注册过"),
    # 003: the game-currency payment.
    (
        "对方称有游戏币要卖,2亿的游戏币只卖1.3万余元,林某通过支付宝将1.3万余元转到对方提供的支付宝号内,"
        "但随后就发现联系不上对方",
        "fraud",
        "medium",
        "游戏币",
    ),
    # 004: a look-alike link and money gone; the safe account.
    ("有人冒充客服说我账户异常,让我点击链接验证身份,后来啊钱被转走了!", "fraud", "high", "冒充"),
    ("对方自称警察,说我涉嫌洗钱,要我把钱转到安全账户,我已经转账了", "fraud", "high", "安全账户"),
]

CHARCOAL_STORY = "炭已经买好了,就今晚。别找我了,谢谢你们这些年。"

# Families the issue names as missed before, in words of this file's own (not the corpus's).
MUST_ALERT = [
    ("安眠药吃多少片才能一次走掉", "life", "high"),  # how much, about oneself
    ("从几楼跳下去能保证不被救回来", "life", "high"),  # which floor is enough
    ("刚刚把一整瓶药都吞下去了,现在头好晕", "life", "critical"),  # an attempt under way
    ("我现在站在江边的栏杆外面,风很大", "life", "high"),  # at the edge
    ("以后不会再来买了,我走了以后把东西寄给我妈", "life", "medium"),  # farewell without the word
    ("我不想再拖累家里了,没有我他们会过得更好", "life", "medium"),  # a burden
    ("有个客服说我的快递丢了要双倍理赔,让我开屏幕共享", "fraud", "high"),  # fake refund, screen sharing
    ("对方让我把收到的验证码告诉他,说是核实身份", "fraud", "high"),  # "tell me the code"
]

BENIGN = [
    "这件衣服跳楼价!",
    "笑死我了哈哈",
    "想死你了宝贝",
    "我们提供农药残留检测服务",
    "烧烤木炭5斤装多少钱,周末去河边烧烤",
    "跳楼大甩卖最后三天",
    "热死了,空调什么时候到",
    "收不到验证码怎么办",
    "请问什么时候发货?",
    "气死我了,快递又慢了",
    "草甘膦兑水比例是多少?一亩地用几瓶",
    "登山绳承重多少公斤,攀岩馆用的",
]


@pytest.mark.parametrize(("text", "desk", "severity", "word"), SEED_STORIES)
def test_seed_stories_alert_on_their_desk_at_least_as_urgently_as_the_seeds_say(text, desk, severity, word):
    result = scan_text(text, LEXICON)
    order = ["none", "low", "medium", "high", "critical"]
    given = result.desk_severity.get(desk, 0)
    assert given >= order.index(severity), result.reason_for(desk)
    assert word in result.reason_for(desk)


def test_the_charcoal_story_is_critical_and_says_why():
    result = scan_text(CHARCOAL_STORY, LEXICON, high_risk_product=True)
    assert (result.desk, result.severity_name) == ("life", "critical")
    reason = result.reason_for("life")
    assert "炭" in reason
    assert "今晚" in reason or "就今晚" in reason
    assert "/10)" in reason  # the level on the Tree Hole scale


@pytest.mark.parametrize(("text", "desk", "severity"), MUST_ALERT)
def test_the_families_the_old_scanner_missed_alert_now(text, desk, severity):
    order = ["none", "low", "medium", "high", "critical"]
    result = scan_text(text, LEXICON)
    assert result.desk_severity.get(desk, 0) >= order.index(severity), result.reason_for(desk)


@pytest.mark.parametrize("text", BENIGN)
def test_everyday_words_with_hot_words_do_not_alert(text):
    result = scan_text(text, LEXICON)
    assert result.severity_name in ("none", "low"), result.reason


def test_a_negation_right_before_the_words_does_not_alert():
    assert scan_text("放心吧我不会自杀的", FRAMES_ONLY).severity_name in ("none", "low")
    assert scan_text("我想自杀", FRAMES_ONLY).severity_name == "medium"


def test_a_novel_or_homework_lowers_the_words():
    assert scan_text("小说里女主角最后上吊自杀了,这本书还有货吗", FRAMES_ONLY).severity_name in ("none", "low")


def test_a_high_risk_product_in_the_order_raises_the_severity():
    assert scan_text("我不想活了", FRAMES_ONLY).severity_name == "medium"
    assert scan_text("我不想活了", FRAMES_ONLY, high_risk_product=True).severity_name == "high"
    assert scan_text("请问什么时候发货", FRAMES_ONLY, high_risk_product=True).severity_name == "none"


def test_the_model_lifts_wording_no_list_holds_and_says_so():
    text = "这个世界没什么值得我留恋的了,明天的太阳跟我没关系了"
    assert scan_text(text, FRAMES_ONLY).desk_severity.get("life", 0) < scan_text(text, LEXICON).desk_severity["life"]
    assert "model" in scan_text(text, LEXICON).reason or "模型" in scan_text(text, LEXICON).reason


def test_matches_point_at_what_the_person_wrote_even_through_noise():
    text = "我真的不■想◆活 了,准备了百\u200b草枯"
    result = scan_text(text, LEXICON)
    spans = {text[m.start : m.end] for m in result.matches}
    assert "不■想◆活 了" in spans
    assert "百\u200b草枯" in spans


def test_traditional_full_width_and_spaced_forms_normalise_alike():
    assert normalise("準備 燒炭") == normalise("准备烧炭") == "准备烧炭"
    assert normalise("ＺＩＳＨＡ") == "zisha"
    assert original_offsets("自 ■杀") == [0, 3]


def test_pinyin_tone_marks_and_compatibility_forms_read_as_plain_letters():
    assert normalise("Wǒ xiǎng sǐ") == "woxiangsi"  # pinyin with its tone marks
    assert normalise("ÀḀḿ") == "aam"  # the first letter of each range of marked Latin letters, pinyin's ḿ
    # A compatibility form keeps every part but its punctuation, in order: ⑴ is (1), ㎏ is kg.
    assert normalise("⑴㎏") == "1kg"


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
    story=st.sampled_from([(t, d) for t, d, _, _ in SEED_STORIES]),
    seed=st.integers(0, 2**32 - 1),
    noise_rate=st.floats(0, 0.8),
    traditional=st.booleans(),
)
def test_noise_zero_width_spaces_and_traditional_forms_do_not_change_the_verdict(story, seed, noise_rate, traditional):
    text, desk = story
    plain = scan_text(text, LEXICON)
    disguised = _disguise(text, random.Random(seed), noise_rate, traditional)
    result = scan_text(disguised, LEXICON)
    assert result.desk_severity.get(desk) == plain.desk_severity.get(desk), disguised
    for match in result.matches:
        assert normalise(disguised[match.start : match.end]) == normalise(match.term)


def test_a_product_name_gives_its_kind_of_high_risk_goods():
    assert LEXICON.goods_in("木炭 5斤装") == "charcoal"
    assert LEXICON.goods_in("户外登山绳 10米") == "rope"
    assert LEXICON.goods_in("百草枯 200ml") == "pesticide"
    assert LEXICON.goods_in("跳绳 儿童款") == ""
    assert LEXICON.goods_in("连衣裙") == ""


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
    text = "我有点想不开了"
    before = scan_text(text, current_lexicon()).desk_severity.get("life", 0)
    term = ScanTerm.objects.create(phrase="想不开了", category="intent", weight=3)
    assert scan_text(text, current_lexicon()).desk_severity["life"] >= 2  # medium or above
    ScanTerm.objects.filter(pk=term.pk).update(is_active=False)
    assert scan_text(text, current_lexicon()).desk_severity.get("life", 0) == before


def test_an_empty_term_table_is_filled_and_a_deleted_term_stays_deleted(db):
    ScanTerm.objects.all().delete()
    call_command("migrate", verbosity=0)
    assert ScanTerm.objects.filter(phrase="不想活了", category="intent").exists()
    assert ScanTerm.objects.get(phrase="百草枯", category="method").goods == "pesticide"
    ScanTerm.objects.get(phrase="一了百了", category="intent").delete()
    call_command("migrate", verbosity=0)
    assert not ScanTerm.objects.filter(phrase="一了百了", category="intent").exists()  # its managers removed it


def test_a_retired_default_goes_on_migrate_unless_its_managers_changed_it(db):
    ScanTerm.objects.create(phrase="tan", category="method", weight=1, note="default list")
    call_command("migrate", verbosity=0)
    assert not ScanTerm.objects.filter(phrase="tan", category="method").exists()
    call_command("migrate", verbosity=0)
    assert not ScanTerm.objects.filter(phrase="tan", category="method").exists()  # and it does not come back
    kept = ScanTerm.objects.create(phrase="tan", category="method", weight=1, note="default list")
    kept.is_active = False
    kept.save()  # a manager's change
    call_command("migrate", verbosity=0)
    assert ScanTerm.objects.filter(pk=kept.pk).exists()


def test_terms_typed_in_pinyin_count_where_they_sit_between_syllables():
    result = scan_text("wo yi jing tun le hen duo an mian yao, tou hao yun", FRAMES_ONLY)
    assert result.desk_severity["life"] >= 4, result.reason
    text = "xian zai jiu zai lou ding, feng hen da"
    spans = {text[m.start : m.end] for m in scan_text(text, FRAMES_ONLY).matches}
    assert "lou ding" in spans  # 楼顶, highlighted where it was typed
    # 安定 spelled out is inside "standing", but "st" is no pinyin syllable.
    assert "安定" not in {m.term for m in scan_text("I was standing at the door", FRAMES_ONLY).matches}


def test_a_picture_of_a_means_reads_as_its_word():
    assert normalise("一整板💊") == normalise("一整板药")
    assert scan_text("一整板💊都吞了 头好晕", FRAMES_ONLY).severity_name == "critical"


def test_self_harm_with_blood_that_will_not_stop_is_critical():
    assert scan_text("刚才又割自己了 流了好多血 止不住", FRAMES_ONLY).severity_name == "critical"
    assert scan_text("又割自己了", FRAMES_ONLY).severity_name == "high"


def test_taking_prescribed_medicine_is_not_an_act_without_more():
    assert scan_text("医生开的药吃了还是睡不着,有没有助眠眼罩", FRAMES_ONLY).severity_name in ("none", "low")
    assert scan_text("药刚吃了 一整瓶 头好晕", FRAMES_ONLY).severity_name == "critical"


def test_the_danger_model_raises_a_person_the_frames_missed_to_high():
    model = from_content(
        {
            "trained_on": {},
            "desks": {
                desk: {"bias": -2.0, "lift_none": 0.99, "lift_low": 0.99, "weights": {}} for desk in ("life", "fraud")
            },
            "danger": {"bias": -4.0, "lift_high": 0.9, "weights": {"下线": 30.0}},
        }
    )
    lexicon = Lexicon(default_terms(), model=model)
    raised = scan_text("今晚准时下线", lexicon)
    assert raised.desk_severity["life"] == 3  # high, on the model's word
    assert raised.judgements["life"].level == 6
    assert "模型" in raised.reason or "model" in raised.reason
    assert scan_text("今晚准时发货", lexicon).severity_name in ("none", "low")


def test_english_words_count_only_as_whole_words():
    assert not {m.term for m in scan_text("pls send it to my office", FRAMES_ONLY).matches} & {"end it"}
    assert not {m.term for m in scan_text("ship it to Europe, waterproof, for the driver", FRAMES_ONLY).matches}
    for disguised in ("I want to kill myself", "ｋｉｌｌ ｍｙｓｅｌｆ", "k■i■l■l m■y■s■e■l■f"):
        assert "kill myself" in {m.term for m in scan_text(disguised, FRAMES_ONLY).matches}, disguised
    assert "zisha" in {m.term for m in scan_text("woxiangzisha", FRAMES_ONLY).matches}  # pinyin runs together


def test_an_amount_of_tablets_taken_is_an_act_whatever_the_medicine_is_called():
    # None of these medicine names is in a list: the count and the act are enough.
    for text in ("维C泡腾片吃了六十多片 耳朵嗡嗡响", "把那一百多片全吃了", "took 40 pills an hour ago"):
        result = scan_text(text, FRAMES_ONLY)
        assert result.severity_name == "critical", text
        assert "amount" in result.categories, text
    assert "四十片" in scan_text("刚才吃了四十片 头好沉", FRAMES_ONLY).reason


def test_an_amount_with_a_time_or_a_question_is_high_or_worse():
    assert scan_text("攒了八十多粒 等他们睡着就吃", FRAMES_ONLY).severity_name == "critical"
    assert scan_text("我吃二十几片会怎样", FRAMES_ONLY).severity_name == "high"


def test_package_sizes_repeat_orders_and_a_count_alone_are_not_an_amount_taken():
    for text in (
        "给奶奶买的降压药,一盒七十片够吃多久?一天一片",  # a package size
        "维生素C 100片的吃完了 再来一瓶",  # a repeat order
        "美工刀刀片 一盒一百片的 装修用",
        "老板再来十包辣条",  # no sign of danger at all: the amount is not even looked for
        "钙片60粒装有货吗",
    ):
        assert scan_text(text, FRAMES_ONLY).severity_name in ("none", "low"), text


def test_someone_said_to_be_at_the_edge_is_critical():
    for text in (
        "我妈刚打电话说她在河边,一直说对不起",
        "老师刚打给我,我儿子在学校天台",
        "my sister just texted she's on the bridge",
    ):
        assert scan_text(text, FRAMES_ONLY).severity_name == "critical", text


def test_a_medicine_or_poison_by_its_own_name_is_a_means():
    assert scan_text("刚吞了半瓶碳酸锂 现在开始吐", FRAMES_ONLY).severity_name == "critical"
    assert scan_text("我剛剛喝了巴拉刈 舌頭很麻", FRAMES_ONLY).severity_name == "critical"
    assert scan_text("我妈吃的二甲双胍,你们有没有同一个厂家的", FRAMES_ONLY).severity_name in ("none", "low")


def test_a_means_whose_everyday_use_is_denied_is_for_oneself():
    for text in ("麻绳要最粗的 不是搬家用的", "百草枯还有吗 我不是种地的", "need a razor blade, not for shaving"):
        assert scan_text(text, FRAMES_ONLY).severity_name == "high", text
    # Asking whether something is so is not denying a use, and a plain negation still lowers nothing new.
    assert scan_text("这种麻绳是不是搬家用的", FRAMES_ONLY).severity_name in ("none", "low")
    assert scan_text("这个绳子搬家用结实吗", FRAMES_ONLY).severity_name in ("none", "low")


def test_a_means_and_a_time_said_of_using_it_is_critical():
    assert scan_text("那瓶药我收好了 等老公一走我就用", FRAMES_ONLY).severity_name == "critical"
    assert scan_text("麻绳到了 等他们睡着", FRAMES_ONLY).severity_name == "critical"  # a plan that says it
    assert scan_text("木炭今晚烧烤用,明天下午到可以吗", FRAMES_ONLY).severity_name in ("none", "low")


def test_fumes_under_way_with_the_room_sealed_are_an_act():
    assert scan_text("炭点着了 门缝用胶带封死了", FRAMES_ONLY).severity_name == "critical"
    assert scan_text("燃气拧开了 门缝塞了湿毛巾", FRAMES_ONLY).severity_name == "critical"
    # A door shut or locked is every home's; a camp or a barbecue still lowers the charcoal.
    assert scan_text("燃气热水器打开了没热水 卫生间门反锁了打不开", FRAMES_ONLY).severity_name in ("none", "low")
    assert scan_text("木炭点着了 车窗都封好了 我们在露营地烤串", FRAMES_ONLY).severity_name in ("none", "low")


def test_weak_words_of_self_harm_hidden_from_home_alert():
    assert scan_text("胳膊上的伤口有点多 纱布要宽的 别让我妈知道", FRAMES_ONLY).severity_name in ("medium", "high")
    assert scan_text("削苹果把手划了个口子 创可贴要防水的", FRAMES_ONLY).severity_name in ("none", "low")


def test_a_clear_act_next_to_a_means_in_a_weak_word_is_high():
    assert scan_text("炭在卧室里 已经烧起来了", FRAMES_ONLY).severity_name in ("high", "critical")
    assert scan_text("刚吃了药 好多了 谢谢", FRAMES_ONLY).severity_name in ("none", "low")


def test_a_means_in_hand_right_now_is_critical():
    assert scan_text("绳子在手里 就现在", FRAMES_ONLY).severity_name == "critical"
    assert scan_text("i have the pills in my hand right now", FRAMES_ONLY).severity_name == "critical"
