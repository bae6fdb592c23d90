"""The anti-fraud desk's frames: a scam's pitch, the ask, the money or the code already gone. The
shared vocabulary is in frames.py."""

from .categories import Category as C
from .frames import NOTHING, Evidence, Finding, Frame, Judgement, Lower, Raise, level_lowered, strongest_of
from .lexicon import Hit


def judge_fraud(e: Evidence) -> Judgement:
    """The anti-fraud level of one message."""
    found = _findings_of_the_ask(e) + _findings_of_the_lure(e)
    if not found:
        weak = strongest_of(e, _FRAUD_WEAK)
        return Judgement(1, (Finding(Frame.SIGN, 1, (weak,)),)) if weak is not None else NOTHING

    level = max(finding.level for finding in found)
    raised: list[tuple[str, Hit | None]] = []
    if e.weight(C.PAYMENT) >= 2 and level >= 5:
        level += 2 if level >= 7 else 1
        raised.append((Raise.PAID, e.strongest(C.PAYMENT)))
    lowered: list[str] = []
    warning = e.weight(C.WARNING)
    if warning >= 3 or (warning >= 1 and e.weight(C.PAYMENT) < 3):
        level = level_lowered(level, warning)
        lowered.append(Lower.WARNING)
    if e.weight(C.FICTION) >= 2:
        level = level_lowered(level, e.weight(C.FICTION))
        lowered.append(Lower.FICTION)
    return Judgement(max(0, min(level, 10)), tuple(found), tuple(raised), tuple(lowered))


def _findings_of_the_ask(e: Evidence) -> list[Finding]:
    """What the scammer asks for: a safe-account transfer, the code, the account, the screen, in
    someone else's name."""
    found: list[Finding] = []
    safe = e.strongest(C.SAFE_ACCOUNT, 2)
    if safe is not None:
        found.append(Finding.of(Frame.SAFE_ACCOUNT, 7 if safe.term.weight >= 3 else 5, safe))

    asked = e.near(C.REQUEST, C.VERIFICATION_CODE, 10, weight=2, second_weight=2) or e.near(
        C.VERIFICATION_CODE, C.REQUEST, 10, weight=2, second_weight=2
    )
    code = e.strongest(C.VERIFICATION_CODE, 3)
    if asked:
        found.append(Finding.of(Frame.CODE, 7, *asked))
    elif code is not None:
        found.append(Finding.of(Frame.CODE, 6, code))

    takeover = e.strongest(C.ACCOUNT_TAKEOVER, 2)
    if takeover is not None:
        found.append(Finding.of(Frame.TAKEOVER, 5 if takeover.term.weight >= 3 else 2, takeover))

    impersonation = e.strongest(C.IMPERSONATION, 2)
    ask = strongest_of(e, (C.REQUEST, C.FEE, C.LINK, C.REMOTE, C.SAFE_ACCOUNT, C.REFUND_LINK), weight=2)
    if impersonation is not None and ask is not None and ask is not impersonation:
        found.append(Finding.of(Frame.IMPERSONATION, 7 if impersonation.term.weight >= 3 else 6, impersonation, ask))
    elif impersonation is not None and impersonation.term.weight >= 3:
        found.append(Finding.of(Frame.IMPERSONATION, 4, impersonation))

    remote = e.strongest(C.REMOTE, 2)
    if remote is not None:
        found.append(Finding.of(Frame.REMOTE, 6 if remote.term.weight >= 3 else 2, remote))
    return found


def _findings_of_the_lure(e: Evidence) -> list[Finding]:
    """The bait and the price: a lure with a fee or a move off the platform, a link, money paid."""
    found: list[Finding] = []
    lures = (C.BRUSHING, C.INVESTMENT, C.LOAN, C.PRIZE, C.GAME_CURRENCY, C.REFUND_LINK, C.ROMANCE)
    lure = strongest_of(e, lures)
    fee = e.strongest(C.FEE, 2)
    # A weak lure (皮肤, steam) with an ordinary payment is a game top-up; with a fee that only
    # scams ask for (解冻费, 认证费) it is not.
    if (
        lure is not None
        and fee is not None
        and (fee.start, fee.end) != (lure.start, lure.end)
        and (lure.term.weight >= 2 or fee.term.weight >= 3)
    ):
        found.append(Finding.of(Frame.FEE, 7, lure, fee))
    elif fee is not None and fee.term.weight >= 3:
        found.append(Finding.of(Frame.FEE, 4, fee))
    off = e.strongest(C.OFF_PLATFORM, 2)
    if lure is not None and off is not None and (off.start, off.end) != (lure.start, lure.end):
        found.append(Finding.of(Frame.OFF_PLATFORM, 6, lure, off))
    if lure is not None and lure.term.weight >= 3:
        found.append(Finding.of(Frame.LURE, 4, lure))
    elif lure is not None and lure.term.weight >= 2:
        helper = strongest_of(e, (C.LINK, C.REQUEST, C.OFF_PLATFORM, C.IMPERSONATION), weight=2)
        if helper is not None and helper is not lure:
            found.append(Finding.of(Frame.LURE, 2, lure, helper))
    link = e.strongest(C.LINK, 2)
    if link is not None and (link.term.weight >= 3 or e.weight(C.REQUEST) >= 2 or e.weight(C.VERIFICATION_CODE) >= 2):
        found.append(Finding.of(Frame.LURE, 2, link))

    paid = e.strongest(C.PAYMENT, 3)
    if paid is not None:
        found.append(Finding.of(Frame.PAID, 4, paid))
    return found


_FRAUD_WEAK = (
    C.VERIFICATION_CODE,
    C.REFUND_LINK,
    C.IMPERSONATION,
    C.GAME_CURRENCY,
    C.OFF_PLATFORM,
    C.BRUSHING,
    C.INVESTMENT,
    C.LOAN,
    C.PRIZE,
    C.FEE,
    C.ACCOUNT_TAKEOVER,
    C.PAYMENT,
)
