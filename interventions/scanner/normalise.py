"""Text normalisation for matching, with a way back to the original offsets.

People write around filters: full-width letters, traditional characters, spaces and noise
symbols between the characters of a word (自■杀, 自 杀, 自\u200b杀), upper case. Every such
variant must match the same term. The normalisation is a per-character mapping, built once per
process, so the whole text is normalised by one `str.translate` call (C speed). OpenCC's
traditional-to-simplified table maps characters one for one, which is what makes this possible.

Because each character maps independently, a normalised index can be traced back to the index
of the original character it came from; that map is only built for the rare texts that match.
"""

import sys
import unicodedata
from functools import cache

import opencc

# Unicode categories removed before matching: spaces, control and format characters (zero-width
# joiners and spaces among them), combining marks (strike-through, accents), and every symbol and
# punctuation mark (■◆▽●□▲☆★…, dashes, dots) that people put between the characters of a word.
REMOVED_CATEGORIES = {"Zs", "Zl", "Zp", "Cc", "Cf", "Mn", "Me", "So", "Sk", "Sm", "Sc"} | {
    "Pc",
    "Pd",
    "Ps",
    "Pe",
    "Pi",
    "Pf",
    "Po",
}

# Pictures of a means read as its word: "💊💊💊吃完了" is "药药药吃完了" to the frames. Other
# emoji stay as they are (the model reads 😭 as it reads any character).
PICTURE_WORDS = {
    "💊": "药",
    "💉": "针",
    "🔪": "刀",
    "🗡": "刀",
    "🪒": "刀片",
    "✂": "剪刀",
    "🪢": "绳",
    "🩸": "血",
    "🌉": "桥",
    "⚰": "棺材",
    "🪦": "墓",
}

# Ranges whose characters can change under NFKC, simplification or case folding. Beyond these
# (the supplementary planes except the mathematical letters) characters are kept as they are.
_RANGES = [(0x0000, 0xD7FF), (0xE000, 0xFFFF), (0x1D400, 0x1D7FF), (0x1F100, 0x1F1FF)]


def _normalise_char(char: str, simplify: opencc.OpenCC) -> str:
    out = []
    for part in unicodedata.normalize("NFKC", char):
        if unicodedata.category(part) in REMOVED_CATEGORIES:
            continue
        if "\u3400" <= part <= "\u9fff" or "\uf900" <= part <= "\ufaff":
            part = simplify.convert(part)
        elif _latin(part):
            # Pinyin with its tone marks (sǐ le) reads as pinyin without them (si le).
            part = "".join(c for c in unicodedata.normalize("NFD", part) if unicodedata.category(c) != "Mn")
        out.append(part.lower())
    return "".join(out)


def _latin(char: str) -> bool:
    return "\u00c0" <= char < "\u0250" or "\u1e00" <= char <= "\u1eff"


@cache
def translation_table() -> dict[int, str | None]:
    """ord(char) -> its normalised form ('' or None: removed), for every char that changes."""
    simplify = opencc.OpenCC("t2s")
    table: dict[int, str | None] = {}
    for low, high in _RANGES:
        for code in range(low, high + 1):
            char = chr(code)
            normalised = _normalise_char(char, simplify)
            if normalised != char:
                table[code] = normalised or None
    table.update({ord(picture): word for picture, word in PICTURE_WORDS.items()})
    return table


def normalise(text: str) -> str:
    """The text as the matcher sees it."""
    return text.translate(translation_table())


def original_offsets(text: str) -> list[int]:
    """For each character of normalise(text), the index of the original character it came from."""
    table = translation_table()
    offsets: list[int] = []
    for index, char in enumerate(text):
        mapped = table.get(ord(char), char)
        if mapped:
            offsets.extend([index] * len(mapped))
    return offsets


if __name__ == "__main__":  # pragma: no cover - a quick look from the shell
    for line in sys.stdin:
        print(normalise(line.rstrip("\n")))
