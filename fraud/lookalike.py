"""Is this link one of ours? A look-alike check against the official domains.

A link is flagged when its registered domain is not official but reads like one:
- punycode (xn--) that decodes to letters that look like an official name (tаobao with a
  Cyrillic а), checked through the Unicode confusables table (`confusable-homoglyphs`);
- one edit away from an official name once look-alike digits are read as letters (taoba0);
- an official name with words added (tmall-vip, taobao-refund).
Pure functions; the official domains come from the caller.
"""

from dataclasses import dataclass

import idna
from confusable_homoglyphs import confusables

from .indicators import registered_domain

# Digits and symbols people swap for the letters they resemble.
_LOOKS_LIKE = str.maketrans({"0": "o", "1": "l", "3": "e", "5": "s", "6": "b", "8": "b", "@": "a", "$": "s"})


@dataclass(frozen=True)
class Verdict:
    domain: str
    official: bool
    lookalike_of: str = ""
    reason: str = ""

    @property
    def flagged(self) -> bool:
        return bool(self.lookalike_of)


def _unicode(domain: str) -> str:
    try:
        return idna.decode(domain)
    except idna.IDNAError:
        return domain


def _skeleton(name: str) -> str:
    """The name as it reads: each confusable character replaced by the Latin letter it imitates."""
    letters = []
    for char in name:
        if char.isascii():
            letters.append(char)
            continue
        found = confusables.is_confusable(char, preferred_aliases=["latin"], greedy=True) or []
        latin = next((h["c"] for item in found for h in item["homoglyphs"] if h["c"].isascii()), char)
        letters.append(latin)
    return "".join(letters).lower().translate(_LOOKS_LIKE)


def _one_edit_apart(a: str, b: str) -> bool:
    """Levenshtein distance of at most one, or one swap of neighbours (taboao)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def check(link: str, official_domains: list[str]) -> Verdict:
    """Whether the link's registered domain is official, imitates an official one, or neither."""
    domain = registered_domain(link) or link.strip().lower()
    if domain in official_domains:
        return Verdict(domain, official=True)
    shown = _unicode(domain)
    name = shown.split(".")[0]
    reads_as = _skeleton(name)
    for official in official_domains:
        official_name = official.split(".")[0]
        target = _skeleton(official_name)
        if name == official_name:
            return Verdict(domain, False, official, "official name under another suffix")
        if reads_as == target:
            reason = "homograph" if shown != domain or not name.isascii() else "look-alike characters"
            return Verdict(domain, False, official, reason)
        # A letter dropped from a short name is often just another word (mall for tmall): only a
        # swapped, changed or added character counts.
        if len(reads_as) >= len(target) and _one_edit_apart(reads_as, target):
            return Verdict(domain, False, official, "one character off")
        words = reads_as.replace("_", "-").split("-")
        if target in words and len(words) > 1:
            return Verdict(domain, False, official, "official name with words added")
    return Verdict(domain, official=False)
