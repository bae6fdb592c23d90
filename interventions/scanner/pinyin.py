"""Terms as people type them in pinyin: `wo chi le hen duo yao`, `xian zai jiu zai lou ding`.

Someone in a hurry, an old person whose grandchild taught them pinyin, or someone dodging a
filter writes the sounds instead of the characters. Every term of two or more characters is
also matched spelled out in pinyin without tones (pypinyin reads each phrase with its usual
pronunciation), with the same category and weight, so no list needs a pinyin twin.

The normalised text has no spaces, so a spelling could match inside an English word: `anding`
(安定) inside `standing`. A spelled term counts only where it starts and ends between pinyin
syllables: the letters before and after it, up to the next non-letter, must read as syllables
themselves (`zai` + `louding` does, `st` + `anding` does not).
"""

from functools import cache

from pypinyin import lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict

from .normalise import normalise

# Shorter spellings (`sile`, `yaoa`) turn up inside too many other words and names.
MIN_LETTERS = 6
LONGEST_SYLLABLE = 6  # zhuang, shuang


@cache
def syllables() -> frozenset[str]:
    """Every pinyin syllable without tones (about 420), from pypinyin's dictionary."""
    # The dictionary's readings carry tone marks (sǐ); normalise drops them as it does in a message.
    return frozenset(normalise(reading) for readings in pinyin_dict.values() for reading in readings.split(","))


def spelling(normalised_phrase: str) -> str | None:
    """The pinyin of a phrase of Chinese characters only, or None when it has other characters,
    fewer than two, or a spelling too short to tell apart."""
    if len(normalised_phrase) < 2 or not all("\u4e00" <= c <= "\u9fff" for c in normalised_phrase):
        return None
    spelled = "".join(lazy_pinyin(normalised_phrase, v_to_u=False))  # toneless and lower case
    return spelled if len(spelled) >= MIN_LETTERS and spelled.isascii() and spelled.isalpha() else None


def between_syllables(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] sits between whole pinyin syllables in its run of letters."""
    before = start
    while before > 0 and letter(text[before - 1]):
        before -= 1
    after = end
    while after < len(text) and letter(text[after]):
        after += 1
    return reads_as_syllables(text[before:start]) and reads_as_syllables(text[end:after])


def letter(char: str) -> bool:
    """Whether a normalised character is a Latin letter."""
    return "a" <= char <= "z"


def reads_as_syllables(letters: str) -> bool:
    """Whether the letters split into pinyin syllables (the empty string does)."""
    known = syllables()
    reachable = [True] + [False] * len(letters)
    for end in range(1, len(letters) + 1):
        reachable[end] = any(
            reachable[start] and letters[start:end] in known for start in range(max(0, end - LONGEST_SYLLABLE), end)
        )
    return reachable[-1]
