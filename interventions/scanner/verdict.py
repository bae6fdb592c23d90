"""Both desks' judgements of one message, and the kinds of words without which a desk's frames
cannot hold."""

from collections.abc import Set

from accounts.models import Desk

from .amounts import amounts_in
from .categories import FRAUD_CATEGORIES, LIFE_CATEGORIES
from .categories import Category as C
from .frames import NOTHING, Evidence, Judgement
from .fraud_frames import judge_fraud
from .lexicon import Hit
from .life_frames import judge_life


def with_amounts(hits: list[Hit], normalised: str) -> list[Hit]:
    """The hits, and the amounts of pills or doses in the text (amounts.py) when the hits hold a
    sign the life frames can stand on: an amount alone (再来十包) means nothing, and most
    messages do not pay for the search."""
    for hit in hits:
        if hit.term.category in LIFE_SIGNS:
            amounts = amounts_in(normalised)
            if not amounts:
                return hits
            # 几颗 inside 三十几颗 is a count, not a question about one.
            kept = [h for h in hits if h.term.category != C.LETHALITY or not any(_inside(h, a) for a in amounts)]
            return [*kept, *amounts]
    return hits


def _inside(hit: Hit, other: Hit) -> bool:
    return other.start <= hit.start and hit.end <= other.end


def judge(hits: list[Hit], *, high_risk_product: bool = False) -> dict[str, Judgement]:
    """Both desks' judgements of one message (empty when neither desk finds anything). Life
    terms are judged on every message, fraud complaints included: a victim who writes of despair
    after losing money is a life case too."""
    kinds: Set[str] = {hit.term.category for hit in hits}
    if not (kinds & LIFE_SIGNS or kinds & FRAUD_SIGNS):
        return {}  # only words that support a frame: most messages that match a term leave here
    evidence = Evidence(hits)
    kinds = evidence.best.keys()
    life = judge_life(evidence, high_risk_product=high_risk_product) if kinds & LIFE_SIGNS else NOTHING
    fraud = judge_fraud(evidence) if kinds & FRAUD_SIGNS else NOTHING
    if life is NOTHING and fraud is NOTHING:
        return {}
    return {Desk.LIFE: life, Desk.FRAUD: fraud}


# Kinds of words without which a desk's frames cannot hold: the others (a wish, getting hold of
# something, being somewhere, a request) only ever support them. Most messages that match a
# term match only those, and leave here.
LIFE_SIGNS = LIFE_CATEGORIES - {C.ACQUIRE, C.PRESENCE, C.WISH, C.MINOR, C.SELF, C.LIVING, C.AMOUNT}


FRAUD_SIGNS = FRAUD_CATEGORIES - {C.REQUEST}
