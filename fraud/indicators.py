"""Indicators as the anti-fraud desk links them: one spelling per phone, card, account or link,
and the indicators found in a piece of text. Pure functions; no database.

- phones: E.164 through `phonenumbers`, China as the default region (138-0013-8000 and
  +86 138 0013 8000 are one number);
- bank cards: 13 to 19 digits that pass the Luhn check; Alipay and WeChat ids keep their prefix;
- links: lower-cased, and their registered domain through `tldextract`, which reads the public
  suffix list shipped in the package and never the network.
"""

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
import tldextract

from .models import Indicator

Kind = Indicator.Kind

# The suffix list shipped with tldextract: no fetch at run time, no cache directory to write.
_DOMAINS = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

_PHONE = re.compile(r"(?<!\d)(?:\+?86[\s-]?|0086[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)")
_CARD = re.compile(r"(?<!\d)\d(?:[\s-]?\d){12,18}(?!\d)")
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'，。!！?？、)）]+|(?<![\w.@-])(?:[a-z0-9-]+\.)+(?:com|cn|net|org|top|xyz|vip|shop|cc|co|io)(?:/[^\s<>\"'，。]*)?",
    re.I,
)
_WALLET = re.compile(r"(支付宝|alipay|微信|wechat|vx|wx)(?:号|账号|账户|id)?\s*[:：]?\s*([a-z0-9_@.\-]{4,40})", re.I)


def luhn_valid(digits: str) -> bool:
    total, double = 0, False
    for char in reversed(digits):
        value = int(char) * (2 if double else 1)
        total += value - 9 if value > 9 else value
        double = not double
    return total % 10 == 0


def normalise(kind: str, raw: str) -> str:
    """The one spelling under which an indicator is stored, so two spellings of it link."""
    value = unicodedata.normalize("NFKC", raw).strip()
    if kind == Kind.PHONE:
        try:
            number = phonenumbers.parse(value, "CN")
        except phonenumbers.NumberParseException:
            return re.sub(r"\D", "", value)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if kind == Kind.PAYEE:
        value = value.lower()
        digits = re.sub(r"[\s-]", "", value)
        return digits if digits.isdigit() else re.sub(r"\s+", "", value)
    if kind == Kind.URL:
        return value.lower().rstrip("/")
    if kind == Kind.DOMAIN:
        return registered_domain(value) or value.lower().rstrip(".")
    return value


def registered_domain(link: str) -> str:
    """taobao.com for https://item.taobao.com/x; '' when the text has no public suffix."""
    return _DOMAINS(unicodedata.normalize("NFKC", link).strip().lower()).top_domain_under_public_suffix


@dataclass(frozen=True)
class Found:
    kind: str
    value: str


def extract(text: str) -> list[Found]:
    """Phones, payee accounts (cards that pass Luhn, Alipay/WeChat ids), links and their domains
    in a message, each normalised, each once, in the order they appear."""
    text = unicodedata.normalize("NFKC", text)
    found: list[Found] = []
    phones = list(_PHONE.finditer(text))
    for match in phones:
        found.append(Found(Kind.PHONE, normalise(Kind.PHONE, match.group())))
    phone_spans = [m.span() for m in phones]
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        inside_phone = any(start <= match.start() < end for start, end in phone_spans)
        if not inside_phone and luhn_valid(digits):
            found.append(Found(Kind.PAYEE, digits))
    for match in _WALLET.finditer(text):
        wallet = "alipay" if match.group(1).lower() in ("支付宝", "alipay") else "wechat"
        found.append(Found(Kind.PAYEE, f"{wallet}:{match.group(2).lower()}"))
    for match in _URL.finditer(text):
        link = match.group().rstrip(".,")
        found.append(Found(Kind.URL, normalise(Kind.URL, link)))
        domain = registered_domain(link)
        if domain:
            found.append(Found(Kind.DOMAIN, domain))
    return list(dict.fromkeys(found))
