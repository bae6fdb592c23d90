"""Amounts of pills and doses: 五十多片, 三十几颗, 一百多粒, 30 pills, 💊x60.

A number of tablets is a pattern, not a list of words: no list could hold every count in every
way of writing it, so the amounts are found by one regular expression over the normalised text,
and only in a message that already has a sign of danger (most messages never pay for it). What an
amount means is for the frames (life_frames.py): an amount swallowed is an act, an amount with a
time is a means at hand, an amount asked about is a question of lethality.

Ten or more counts; a handful (两片, 3 pills) is every patient's dose. A package size is not an
amount taken: 一盒七十片 (a count right after a box or a bottle) and 一百片装 are left out.
"""

import re

from .categories import Category
from .lexicon import Hit, Term

# Tens and hundreds in Chinese numerals, or two digits or more, with 多/来/余/几 ("and some").
_NUMBER = r"(?:[一二两三四五六七八九]?十[一二三四五六七八九]?|[一二两三四五六七八九]?百[零一二三四五六七八九十]*|几十|上百|\d{2,})[多来余几]?"  # noqa: E501 (one list of words per line)
# Units only a tablet or a capsule is counted in: an amount of them is an amount of medicine.
_PILLS = r"片|粒|丸|pills?|tablets?|tabs|capsules?|caps|biji"
# Units anything may be counted in (颗 sweets, 瓶 drinks): they need a means next to them.
_OTHERS = r"颗|板|盒|瓶|支|袋|包"
_AMOUNT = re.compile(
    rf"(?<![盒瓶板袋包一二两三四五六七八九十百几\d])(?:{_NUMBER})个?(?:(?P<pills>{_PILLS})|{_OTHERS})(?!装)|药x(?P<times>\d{{2,}})"
)

PILLS, OTHER = 3, 2  # the weights of the two kinds of amount


def amounts_in(normalised: str) -> list[Hit]:
    """Every amount in a normalised text, as hits of the amount category: weight 3 for a count of
    tablets or capsules, 2 for a count in a unit anything may be counted in."""
    return [
        Hit(
            Term(match.group(), Category.AMOUNT, PILLS if match.group("pills") or match.group("times") else OTHER),
            match.start(),
            match.end(),
        )
        for match in _AMOUNT.finditer(normalised)
    ]
