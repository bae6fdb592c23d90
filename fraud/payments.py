"""What a victim's complaint says of the money: how much was paid. Pure functions; no database.

A complaint names sums that were never paid too ("2亿游戏币只卖1.3万": the price of the game
coins, "我转了13000元": what left the account). So the sum read is the first one written right
after a word of paying (转了, 付款, 被骗…); failing that, the first sum written as money (¥, 元,
块); failing that, a sum in 万 or 千 that no other word follows. Digits only: a sum written in
Chinese numerals (一万三) is not read. What is read pre-fills a form a specialist checks.
"""

import re
import unicodedata
from decimal import Decimal, InvalidOperation

_SUM = re.compile(
    r"(?P<yuan_sign>[¥￥]\s*)?"
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)"
    r"\s*(?P<unit>万元|万块|千元|千块|元|块钱|块|rmb|人民币|万|千)?",
    re.I,
)
# A word of paying, and at most a few more characters before the sum, none a stop: "转了人民币13000元".
_PAYING = re.compile(
    r"(转了|转账|转给|转到|转入|付了|付款|支付|汇了|汇款|打了|充值|充了|交了|缴纳|被骗|骗了|损失)"
    r"[^\s,，。.;；!！?？]{0,4}$"
)
_MULTIPLIERS = {"万": Decimal(10_000), "千": Decimal(1_000)}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def amount_paid(text: str) -> Decimal | None:
    """The sum the text says was paid, in yuan with two decimals; None when it names none."""
    text = unicodedata.normalize("NFKC", text)
    after_paying, as_money, bare = None, None, None
    for match in _SUM.finditer(text):
        unit = (match["unit"] or "").lower()
        money = bool(match["yuan_sign"]) or (unit != "" and unit not in _MULTIPLIERS)
        multiplied = unit in _MULTIPLIERS
        if not (money or multiplied):
            continue
        value = _value(match["number"], unit)
        if value is None:
            continue
        if after_paying is None and _PAYING.search(text[max(0, match.start() - 10) : match.start()]):
            after_paying = value
        if as_money is None and money:
            as_money = value
        if bare is None and multiplied and not _CJK.match(text, match.end()):
            bare = value
    return after_paying or as_money or bare


def _value(number: str, unit: str) -> Decimal | None:
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    value *= _MULTIPLIERS.get(unit[:1], Decimal(1))
    if value <= 0:
        return None
    return value.quantize(Decimal("0.01"))
