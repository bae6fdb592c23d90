"""The term lists Shouhu starts with, loaded into the ScanTerm table when it is empty.

Managers tune them from then on, each change backtested first. Weights: 3 = clear on its own
("自杀"), 2 = clear in context ("农药" next to "不想活了"), 1 = weak (only supports a stronger
signal). Pinyin and homophone spellings people use to dodge filters are terms of their own.

A method term may name the kind of high-risk goods it is (pesticide, sedative, charcoal, rope,
knife, other): an order's product named with it counts as high-risk goods of that kind.

The lists were written against the development half of the corpus (corpus/dev.tsv) and from
what the families of wording have in common, not phrase by phrase: a new way of saying the same
thing should land in a list that is already there.
"""

from .categories import Category as C
from .lexicon import Term
from .terms.context import CONTEXT
from .terms.fraud import FRAUD
from .terms.life_context import LIFE_CONTEXT
from .terms.life_signs import LIFE_SIGNS

# (phrase, weight) or, for methods, (phrase, weight, goods kind), per category, in the order the
# lexicon has always read them.
DEFAULT_TERMS: dict[str, list[tuple]] = {**LIFE_SIGNS, **LIFE_CONTEXT, **FRAUD, **CONTEXT}


# Default terms a release took out of the lists, as they were shipped (phrase, category, weight):
# a database that still holds one as shipped, never edited by its managers, loses it on migrate.
RETIRED_DEFAULTS = [
    ("tan", str(C.METHOD), 1),  # 炭 in pinyin, but inside "standing", "important", "tank": 2026-12-07
]


def default_terms() -> list[Term]:
    """The default lists as terms, each method term with its kind of goods."""
    terms = []
    for category, entries in DEFAULT_TERMS.items():
        for entry in entries:
            phrase, weight, goods = (*entry, "")[:3]
            terms.append(Term(phrase, str(category), weight, goods))
    return terms
