"""The life-protection desk's frames: from the evidence to a risk level 0-10 for a person who may
take their own life, with what raised and lowered it. The shared vocabulary is in frames.py."""

from collections.abc import Callable

from .categories import Category as C
from .frames import NOTHING, Evidence, Finding, Frame, Judgement, Lower, Raise, apart, level_lowered
from .lexicon import Hit
from .terms.kinds import CH as CHARCOAL

# Frames that rest on a means or a place: everyday use of the same goods (farming, a barbecue, a
# pharmacy question) or the same places (camping by the sea) lowers them. A stated wish to die, a
# goodbye or a burden is not lowered by it.
EVERYDAY_FRAMES = frozenset(
    {
        Frame.LETHALITY,
        Frame.MEANS,
        Frame.METHOD,
        Frame.HOPELESS,
        Frame.PREPARED,
        Frame.PLACE,
        Frame.ATTEMPT,
        Frame.PLAN,
    }
)


# Frames that say the person themself is at risk; what makes it worse (a means, a time, a child)
# raises only these. A method or a place named alone stays where it is.
PERSONAL_FRAMES = frozenset(
    {
        Frame.INTENT,
        Frame.LETHALITY,
        Frame.ATTEMPT,
        Frame.FAREWELL,
        Frame.BURDEN,
        Frame.SELF_HARM,
        Frame.PRIOR,
        Frame.MEANS,
    }
)


# A raise: why, and the words that caused it.
Raised = tuple[str, Hit | None]

STRONG_LIFE_FRAMES = frozenset(
    {Frame.LETHALITY, Frame.ATTEMPT, Frame.PLACE, Frame.FAREWELL, Frame.MEANS, Frame.PRIOR, Frame.PREPARED}
)


def _personal(finding: Finding) -> bool:
    return finding.frame in PERSONAL_FRAMES or (
        finding.frame in (Frame.PLACE, Frame.PREPARED, Frame.PLAN) and finding.level >= 6
    )


def judge_life(evidence: Evidence, *, high_risk_product: bool = False) -> Judgement:
    """The life-protection level of one message."""
    e = evidence
    findings = _life_findings(e)
    if not findings:
        return NOTHING
    lowered: list[str] = []
    acting = any(f.frame in (Frame.ATTEMPT, Frame.PLACE) and f.level >= 9 for f in findings)
    wish = e.weight(C.INTENT) >= 2 or e.weight(C.SELF) >= 3
    if not acting and not wish and e.weight(C.SAFETY) >= 1:
        findings = [
            Finding(f.frame, level_lowered(f.level, e.weight(C.SAFETY)), f.hits) if f.frame in EVERYDAY_FRAMES else f
            for f in findings
        ]
        lowered.append(Lower.SAFETY)
    level, raised = _raised(e, findings, high_risk_product=high_risk_product)
    if not acting and e.weight(C.FICTION) >= 1:
        level = level_lowered(level, e.weight(C.FICTION))
        lowered.append(Lower.FICTION)
    if e.negated:
        lowered.append(Lower.NEGATED)
    return Judgement(max(level, 0), tuple(findings), tuple(raised), tuple(lowered))


def _raised(e: Evidence, findings: list[Finding], *, high_risk_product: bool) -> tuple[int, list[Raised]]:
    """The level once what makes it worse is counted, and each raise with the words behind it."""
    level = max(finding.level for finding in findings)
    raised: list[Raised] = []

    def lift(reason: str, to: int, because: Hit | None = None) -> None:
        nonlocal level
        if to > level:
            level = min(to, 10)
            raised.append((reason, because))

    personal = [f for f in findings if _personal(f) and f.level >= 4]
    frames = {f.frame for f in personal}
    named = e.strongest(C.METHOD)
    method = named is not None or high_risk_product
    if personal:
        level = max(level, max(f.level for f in personal))
        # The seeds' rule: intent with a method is high; add a time, a backup plan or a child
        # and it is critical.
        if method:
            lift(Raise.METHOD if named else Raise.ORDER, 7, named)
        if e.weight(C.PLAN) >= 2:
            lift(Raise.TIME, 8 if method or frames & STRONG_LIFE_FRAMES else level + 1, e.strongest(C.PLAN))
        if method and e.weight(C.ACQUIRE) >= 2:
            lift(Raise.ACQUIRED, max(level + 1, 7), e.strongest(C.ACQUIRE))
        if e.weight(C.BACKUP) >= 2:
            lift(Raise.BACKUP, max(level + 1, 6), e.strongest(C.BACKUP))
        if e.weight(C.GOODBYE) >= 2 and Frame.FAREWELL not in frames:
            lift(Raise.GOODBYE, max(level + 1, 6), e.strongest(C.GOODBYE))
        if e.weight(C.MINOR) >= 2:
            lift(Raise.MINOR, 8 if method else level + 1, e.strongest(C.MINOR))
        if Frame.SELF_HARM in frames and e.weight(C.ATTEMPT) >= 2:
            # Self-harm just done, with blood or worse: an act, as critical as any other.
            lift(Raise.INJURY, 8, e.strongest(C.ATTEMPT))
        if high_risk_product and named:
            # The order holds the means the message names: it is at hand.
            lift(Raise.ORDER, level + 1)
        # Recall first: a wish to die next to anything concrete (a place, a means at hand) is at
        # least high, so that no one in danger waits behind the medium queue.
        if e.weight(C.PLACE) >= 2:
            lift(Raise.PLACE, 6, e.strongest(C.PLACE))
        if e.weight(C.ACQUIRE) >= 2:
            lift(Raise.ACQUIRED, 6, e.strongest(C.ACQUIRE))
    elif level >= 2 and e.weight(C.RISK_FACTOR) >= 2 and method:
        lift(Raise.RISK, level + 1, e.strongest(C.RISK_FACTOR))
    return level, raised


# Words of a decision taken (a plan category term): next to a method, they are intent.
RESOLVED = frozenset({"想好了", "决定了", "想通了", "想明白了", "打算"})


# What backs a weaker wish to die into a real signal.
SUPPORTING = (C.PLAN, C.GOODBYE, C.BURDEN, C.RISK_FACTOR, C.MINOR, C.SELF, C.BACKUP, C.PLACE)


def _plan_parts(e: Evidence) -> list[tuple[int, Hit]]:
    """(points, the words) for each part of a plan the message has; empty unless it has a means,
    an act or a place, the concrete part."""
    method, act, place = e.strongest(C.METHOD), e.strongest(C.ATTEMPT), e.strongest(C.PLACE, 2)
    if method is None and act is None and place is None:
        return []
    parts: list[tuple[int, Hit | None]] = [
        (2 if method is not None and method.term.weight >= 2 else 1, method),
        (3 if act is not None and act.term.weight >= 3 else 2, act),
        (2, place),
        (1, e.strongest(C.PLAN)),
        (1, e.strongest(C.ACQUIRE, 2)),
        (1, e.strongest(C.GOODBYE)),
        (
            2 if e.weight(C.INTENT) >= 2 else 1,
            e.strongest(C.INTENT) or e.strongest(C.SELF, 2) or e.strongest(C.WISH, 2),
        ),
        (2, e.strongest(C.MINOR, 2)),  # a child with a means: the seeds' critical
        (1, e.strongest(C.RISK_FACTOR, 2) or e.strongest(C.BURDEN, 2)),
        (1, e.strongest(C.BACKUP, 2)),
    ]
    return [(points, hit) for points, hit in parts if hit is not None]


def _life_findings(e: Evidence) -> list[Finding]:
    """Every life frame that holds in the evidence, in a fixed order (the order the reason lists
    them in, strongest first after sorting). One function per kind of frame below; `wish` (a
    wish to die, said in any way) is read once and lends weight to several."""
    found: list[Finding] = []

    def add(frame: str, level: int, *hits: Hit | None) -> None:
        found.append(Finding.of(frame, level, *hits))

    wish = _intent(e, add)
    _lethality(e, wish, add)
    _attempt(e, wish, add)
    _place(e, wish, add)
    _means(e, add)
    _plan(e, add)
    _said(e, wish, add)
    _method_or_sign(e, add, nothing_yet=not found)
    return found


def _intent(e: Evidence, add: Callable[..., None]) -> Hit | None:
    """Intent, said outright, as a refusal to live, as a wish, or as a decision next to a way of
    dying; returns the wish to die, however it was said, for the frames that weigh it."""
    intent = e.strongest(C.INTENT)
    wanting = e.near(C.WISH, C.INTENT, 3, in_order=True)
    refusing = e.near(C.REFUSAL, C.LIVING, 2, weight=2, second_weight=2, in_order=True)
    if intent is not None and intent.term.weight >= 2:
        backed = any(e.weight(c) >= 2 for c in SUPPORTING) or e.weight(C.METHOD) >= 1
        add(Frame.INTENT, 5 if intent.term.weight >= 3 else 4 if backed else 2, intent)
    elif refusing:
        add(Frame.INTENT, 5 if refusing[1].term.weight >= 3 else 4, *refusing)
    elif wanting:
        add(Frame.INTENT, 4 if wanting[0].term.weight >= 2 else 2, *wanting)
    elif (
        (plan := e.strongest(C.PLAN, 2))
        and plan.term.phrase in RESOLVED
        and (e.weight(C.METHOD) >= 2 or e.weight(C.PLACE) >= 2)
    ):
        # "我决定了,跳河": a decision taken, next to a way of dying.
        add(Frame.INTENT, 5, e.strongest(C.PLAN, 2), e.strongest(C.METHOD) or e.strongest(C.PLACE))
    elif intent is not None:
        add(Frame.SIGN, 2, intent)
    return (
        e.strongest(C.INTENT, 2)
        or (refusing or wanting or (None,))[-1]
        or e.strongest(C.SELF, 2)
        or e.strongest(C.GOODBYE, 2)
    )


def _lethality(e: Evidence, wish: Hit | None, add: Callable[..., None]) -> None:
    # A question about death next to a means; or about amount or height next to a means, from
    # someone who wishes to die or says it is for themself; or about death itself.
    near = e.near(C.LETHALITY, C.METHOD, 16, weight=2)
    amount = e.near(C.LETHALITY, C.METHOD, 10)
    lethal = e.strongest(C.LETHALITY, 3)
    # What a count of tablets does (我吃十几片会怎样): the count is the question.
    dose = e.near(C.LETHALITY, C.AMOUNT, 10, second_weight=_amount_weight(e))
    if near:
        add(Frame.LETHALITY, 7, *near)
    elif dose:
        add(Frame.LETHALITY, 7, *dose)
    elif amount and (wish or e.weight(C.PLAN) >= 2 or e.weight(C.LETHALITY) >= 2):
        add(Frame.LETHALITY, 7, *amount, wish)
    elif lethal is not None:
        add(Frame.LETHALITY, 6, lethal)
    elif e.strongest(C.LETHALITY, 2) and wish:
        add(Frame.LETHALITY, 6, e.strongest(C.LETHALITY, 2), wish)


def _attempt(e: Evidence, wish: Hit | None, add: Callable[..., None]) -> None:
    # The act, done or under way: unmistakable words; an act next to a means; or a plain
    # "took it" next to a means with what it feels like, an amount or a wish.
    act = e.strongest(C.ATTEMPT, 3)
    # A plain "took" with medicine in general (药吃了, 刚吃了…药) is every patient's day: it needs
    # a named means here, or what it feels like, an amount or a wish below.
    near = e.near(C.ATTEMPT, C.METHOD, 10, weight=2, second_weight=2)
    plain = e.near(C.ATTEMPT, C.METHOD, 4)
    # What it feels like: the other act words, not the plain act itself nor a word inside it.
    felt = [
        h
        for h in apart(e.by_category.get(C.ATTEMPT, []))
        if plain is None or h.end <= plain[0].start or h.start >= plain[0].end
    ]
    dose = _dose_taken(e, wish is not None or len(apart(e.by_category.get(C.ATTEMPT, []))) >= 2)
    # Fumes under way, sealed in (炭点着了 + 门缝用胶带封死, 煤气拧开了 + 塞了湿毛巾): the charcoal or
    # the gas, an act next to it, and a second clear means that is not the same words. At 8, so
    # that everyday use (a barbecue, a camp) still lowers it.
    wide = e.near(C.ATTEMPT, C.METHOD, 12)
    second = (
        wide is not None
        and _fumes(wide[1])
        and any(m.term.weight >= 2 and not _overlap(m, wide[1]) for m in e.by_category.get(C.METHOD, ()))
    )
    if act is not None:
        add(Frame.ATTEMPT, 10, act)
    elif near:
        add(Frame.ATTEMPT, 10, *near)
    elif plain and (felt or wish or e.weight(C.LETHALITY) >= 1):
        add(Frame.ATTEMPT, 9, *plain)
    elif dose:
        add(Frame.ATTEMPT, 9, *dose)
    elif wide and second:
        add(Frame.ATTEMPT, 8, *wide)
    elif e.strongest(C.ATTEMPT, 2) and ((felt and len(felt) >= 2) or wish):
        add(Frame.ATTEMPT, 8, e.strongest(C.ATTEMPT, 2), wish)
    elif (done := e.near(C.ATTEMPT, C.METHOD, 10, weight=2)) and not _medicine_in_general(done[1]):
        # A clear act next to a means named in a weak word (炭…已经烧起来了, 刀…割了): high, not
        # critical, so that everyday use or the model may still lower it. Medicine in general
        # (刚吃了药) is every patient's day, as above.
        add(Frame.ATTEMPT, 7, *done)


# Gases a person shuts themself in with, besides the charcoal the lists mark as such.
FUMES = frozenset({"煤气", "燃气", "液化气", "尾气", "汽车尾气", "排气管", "一氧化碳", "氦气"})


def _fumes(hit: Hit) -> bool:
    return hit.term.goods == CHARCOAL or hit.term.phrase in FUMES


def _medicine_in_general(hit: Hit) -> bool:
    return hit.term.weight < 2 and "药" in hit.term.phrase


def _overlap(a: Hit, b: Hit) -> bool:
    return a.start < b.end and b.start < a.end


def _amount_weight(e: Evidence) -> int:
    """The weight an amount needs to count as an amount of a means: a count of tablets always (3),
    a count in any unit (三十几颗, 两瓶) next to a named means (2)."""
    return 2 if e.weight(C.METHOD) >= 1 else 3


def _dose_taken(e: Evidence, felt_or_wish: bool) -> tuple[Hit, Hit] | None:
    """An act next to an amount of a means: taken, then the amount (吃了五十多片, took 30 pills),
    or the amount, then a clear act or one with what it feels like (一百多片全吃了, 三十几颗吞完了
    手脚发麻). A count before a plain "finished" is more often a repeat order (100片的吃完了)."""
    weight = _amount_weight(e)
    taken = e.near(C.ATTEMPT, C.AMOUNT, 6, second_weight=weight, in_order=True)
    if taken:
        return taken
    return e.near(C.AMOUNT, C.ATTEMPT, 8, weight=weight, second_weight=1 if felt_or_wish else 2, in_order=True)


def _place(e: Evidence, wish: Hit | None, add: Callable[..., None]) -> None:
    # At a high or dangerous place: said to be there, or with a wish to die.
    place = e.strongest(C.PLACE, 3)
    there = e.near(C.PRESENCE, C.PLACE, 8, weight=2, second_weight=2)
    if place is not None:
        add(Frame.PLACE, 8, place)
    elif there:
        add(Frame.PLACE, 8, *there)
    elif e.strongest(C.PLACE, 2) and (wish or e.weight(C.PRESENCE) >= 2 or e.weight(C.METHOD) >= 2):
        add(Frame.PLACE, 7, e.strongest(C.PLACE, 2), wish)
    elif e.strongest(C.PLACE, 2):
        add(Frame.PLACE, 2, e.strongest(C.PLACE, 2))


def _means(e: Evidence, add: Callable[..., None]) -> None:
    # A means for oneself; or a means at hand with a time (the charcoal is bought, tonight).
    means = e.strongest(C.METHOD, 1)
    self_use = e.strongest(C.SELF, 2) or next(iter(e.denied), None)
    at_hand = e.strongest(C.ACQUIRE, 2)
    when = e.strongest(C.PLAN, 2)
    if means is not None and self_use is not None:
        add(Frame.MEANS, 7, means, self_use)
    amount = e.strongest(C.AMOUNT, _amount_weight(e))
    if means is not None and at_hand is not None and when is not None:
        add(Frame.PREPARED, 8, means, at_hand, when)
    elif amount is not None and when is not None:
        # An amount of tablets counted out, and a time (一百多片安眠药, 等室友都睡着了).
        add(Frame.PREPARED, 8, amount, means, when)
    elif means is not None and (at_hand or when) and (e.weight(C.GOODBYE) >= 2 or e.weight(C.BACKUP) >= 2):
        add(Frame.PREPARED, 7, means, at_hand or when)
    elif means is not None and when is not None and (use := _use(e)) is not None:
        # A named means and a time, said of using it (我晚上就喝, 今晚要在车里用, 应该够了).
        add(Frame.PREPARED, 7, means, when, use)
    elif means is not None and means.term.weight >= 2 and (at_hand or when):
        add(Frame.PREPARED, 2, means, at_hand or when)


def _use(e: Evidence) -> Hit | None:
    """A word of using the means on oneself: any word of dying or wanting (就喝, 就吃了它), of
    oneself, of enough, or a plan that says it (今晚用, 等他睡着)."""
    return e.strongest(C.INTENT) or e.strongest(C.SELF) or e.strongest(C.LETHALITY) or e.strongest(C.PLAN, 3)


def _plan(e: Evidence, add: Callable[..., None]) -> None:
    # The parts of a plan, added up: whatever the wording, a means with an act, a time, a goodbye
    # and a wish is critical, as in the seeds' rule, though no listed frame may hold.
    parts = _plan_parts(e)
    if parts:
        points = sum(points for points, _ in parts)
        level = 8 if points >= 7 else 6 if points >= 5 else 4 if points >= 4 else 0
        if level:
            add(Frame.PLAN, level, *(hit for _, hit in parts))


def _said(e: Evidence, wish: Hit | None, add: Callable[..., None]) -> None:
    """Farewells, being a burden, self-harm, an earlier attempt, and despair beside a means."""
    goodbye = e.strongest(C.GOODBYE, 2)
    if goodbye is not None:
        add(Frame.FAREWELL, 6 if goodbye.term.weight >= 3 else 2, goodbye)

    burden = e.strongest(C.BURDEN, 2)
    if burden is not None:
        add(Frame.BURDEN, 5 if burden.term.weight >= 3 else 2, burden)

    harm = e.strongest(C.SELF_HARM, 2)
    if harm is not None and harm.term.weight >= 3:
        add(Frame.SELF_HARM, 6, harm)
    elif (told := _harm_told(e)) is not None:
        add(Frame.SELF_HARM, 4, *told)
    elif harm is not None:
        add(Frame.SELF_HARM, 2, harm)

    prior = e.strongest(C.BACKUP, 3)
    again = e.strongest(C.BACKUP, 2)
    if prior is not None:
        add(Frame.PRIOR, 5, prior)
    elif again is not None and wish and len(e.by_category[C.BACKUP]) >= 2:
        add(Frame.PRIOR, 4, *e.by_category[C.BACKUP][:2])

    risk = e.strongest(C.RISK_FACTOR, 2)
    method = e.strongest(C.METHOD, 2)
    if risk is not None and method is not None and not (method.start <= risk.start and risk.end <= method.end):
        # Despair and a means, as two things (抑郁 inside 抗抑郁药 is one).
        add(Frame.HOPELESS, 4, risk, method)


def _harm_told(e: Evidence) -> tuple[Hit, Hit] | None:
    """Self-harm said in weak words, with a word that it was the person's own doing and theirs to
    hide (伤口 + 我妈会看到, 疤 + 不想让我爸知道): a cut with a blade alone is as often an
    accident in the kitchen."""
    harms = apart(e.by_category.get(C.SELF_HARM, []))
    own = e.strongest(C.SELF, 2)
    if not harms or own is None:
        return None
    first = max(harms, key=lambda h: h.term.weight)
    return None if _overlap(own, first) else (first, own)


def _method_or_sign(e: Evidence, add: Callable[..., None], *, nothing_yet: bool) -> None:
    """A clear means on its own; or, when no frame held, the weakest sign the words give."""
    method = e.strongest(C.METHOD, 3)
    if method is not None:
        add(Frame.METHOD, 2, method)
    elif nothing_yet:
        weak = next(
            (e.strongest(c) for c in (C.METHOD, C.PLAN, C.RISK_FACTOR, C.BACKUP, C.PLACE) if e.strongest(c)), None
        )
        if weak is not None:
            add(Frame.METHOD if weak.term.category == C.METHOD else Frame.SIGN, 1, weak)
