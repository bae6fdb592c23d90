"""The search box in the header: one box that finds a case by its reference, an alert by its
number, an order by its number, a person by their account, their phone number however written or
a part of their nickname, a fraud indicator, a shop, and cases by a word of their title or of a
staff note.

Whatever the reader may not open stays out, by the same desk scope as the pages (accounts.desks):
cases and alerts of the reader's desks, indicators seen on them, a person's cases and alerts on
them. Orders and shops are not kept per desk. A phone number is found through its blind index
and never decrypted; so is a note's word (interventions.notes), and the page says that a note of
the case holds it, never the note. Which searches can find a person, and so must say why, is SearchQuery's
finds_people; the access log is written by interventions.services.search.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, F, OuterRef, QuerySet, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.urls import reverse

from accounts.crypto import phone_normalise
from accounts.desks import on_desks
from accounts.models import Desk
from config.db import text_contains
from fraud.models import Indicator
from fraud.selectors import indicators_matching
from orders.models import Buyer, Merchant, Order
from orders.selectors import buyers_identified, buyers_nicknamed, order_numbered, shops_matching

from ..models import Alert, Case, CaseEvent
from ..notes import note_tokens

MAX_QUERY = 100
# At most this many of each kind, and of each person's cases and of their alerts: a search that
# finds more is told to say more, rather than paged.
LIMIT = 20
PLACES_PER_PERSON = 5

# LP-000042, AF-42, lp42, LP 000042: the prefix names the desk, the number is the case's id.
_REFERENCE = re.compile(r"^(LP|AF)[\s-]*(\d{1,9})$", re.IGNORECASE)
_DESK_OF_PREFIX = {"LP": Desk.LIFE, "AF": Desk.FRAUD}
# "#42": an alert's number and nothing else. A bare 42 is looked up as an alert and as the rest.
_ALERT = re.compile(r"^#\s*(\d{1,9})$")
_NUMBER = re.compile(r"^\d{1,9}$")
# Digits with what people put between them: +86 138 0013 8000, (010) 8888-7777, 138.0013.8000.
_PHONE = re.compile(r"^[\d\s().+-]+$")
# A phone number's digits once the country code of China is gone (accounts.crypto.phone_normalise):
# a landline without its area code has 7, a number abroad 15 at most. An 18-digit order number
# is no phone.
PHONE_DIGITS = range(7, 16)


@dataclass(frozen=True)
class SearchQuery:
    """What was typed, and what it is looked for as."""

    text: str  # as typed, in compatibility form (full-width letters and digits as ASCII), trimmed
    case: tuple[str, int] | None = None  # (desk, id) of a case reference
    alert: int | None = None  # an alert's number
    phone: str = ""  # the digits of a phone number; "" when the text is not one
    words: str = ""  # the text as words to find inside titles, nicknames and shop names

    @property
    def finds_people(self) -> bool:
        """Whether the search can find a person: anything but a case reference or an alert's
        number ("#42") is also looked up as an account, an order number and, as it fits, a phone
        number or a nickname. Such a search needs a purpose, and is written to the access log."""
        return bool(self.text) and self.case is None and not _ALERT.match(self.text)


def search_query(raw: str) -> SearchQuery:
    """Read what was typed in the search box."""
    text = unicodedata.normalize("NFKC", raw).strip()[:MAX_QUERY]
    if not text:
        return SearchQuery(text="")
    reference = _REFERENCE.match(text)
    if reference:
        return SearchQuery(text=text, case=(_DESK_OF_PREFIX[reference[1].upper()], int(reference[2])))
    alert = _ALERT.match(text)
    if alert:
        return SearchQuery(text=text, alert=int(alert[1]))
    digits = phone_normalise(text) if _PHONE.match(text) else ""
    return SearchQuery(
        text=text,
        alert=int(text) if _NUMBER.match(text) else None,
        phone=digits if len(digits) in PHONE_DIGITS else "",
        # A word needs two characters: the word indexes find nothing shorter (config.db), and one
        # character would match half the titles. A number is not looked for inside titles.
        words=text if sum(char.isalnum() for char in text) >= 2 and not digits else "",
    )


@dataclass
class Person:
    """A person found, how they were found, and their cases and the alerts outside a case on the
    reader's desks (the newest PLACES_PER_PERSON of each)."""

    buyer: Buyer
    found_by: str  # "account", "phone", "nickname" or "order"
    cases: list[Case] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)


@dataclass
class OrderFound:
    order: Order
    person: Person


@dataclass
class SearchResults:
    query: SearchQuery
    cases: list[Case] = field(default_factory=list)
    # The cases above found by a word of one of their notes (perhaps by their title as well).
    by_note: set[int] = field(default_factory=set)
    alerts: list[Alert] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    orders: list[OrderFound] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    shops: list[Merchant] = field(default_factory=list)
    # Found by a part of a word (a title, a note, a nickname, a shop's name), not by what names one thing.
    loose: bool = False

    @property
    def found(self) -> int:
        kinds: list[list] = [self.cases, self.alerts, self.people, self.orders, self.indicators, self.shops]
        return sum(len(found) for found in kinds)

    @property
    def cut_short(self) -> bool:
        """Whether a kind found LIMIT: there may be more of it than the page shows."""
        kinds: list[list] = [self.cases, self.people, self.indicators, self.shops]
        return any(len(found) >= LIMIT for found in kinds)

    @property
    def people_shown(self) -> list[Person]:
        """Everyone the page shows: the people found, and the person of each order found."""
        return [*self.people, *(found.person for found in self.orders)]

    def only_place(self) -> str | None:
        """The page of the one case or alert that everything found leads to, for an exact search
        (a reference, a number, an account, a phone) that found nothing else; else None."""
        if self.loose or self.indicators or self.shops:
            return None
        places = {("case", case.pk) for case in self.cases} | {("alert", alert.pk) for alert in self.alerts}
        for person in self.people_shown:
            if not (person.cases or person.alerts):
                return None  # the person is the finding: the page shows them
            places |= {("case", case.pk) for case in person.cases}
            places |= {("alert", alert.pk) for alert in person.alerts}
        if len(places) != 1:
            return None
        ((kind, pk),) = places
        return reverse(f"interventions:{kind}", args=[pk])


def search_results(query: SearchQuery, *, desks: list[str]) -> SearchResults:
    """Everything `query` finds that a reader working `desks` may open (see user_desks), LIMIT of
    each kind, in a fixed number of queries whatever is found."""
    results = SearchResults(query=query)
    if not query.text:
        return results
    cases, alerts = Case.objects.on_desks(desks), Alert.objects.on_desks(desks)
    if query.case is not None:
        desk, pk = query.case
        results.cases = list(cases.filter(desk=desk, pk=pk).select_related("owner"))
        return results
    if query.alert is not None:
        results.alerts = list(alerts.filter(pk=query.alert).select_related("case"))
    if not query.finds_people:
        return results
    if query.words:
        # Newest first, by id (ids follow opening): for a common word PostgreSQL then reads the
        # newest cases backwards until it has LIMIT, for a rare one it asks the title's word index
        # (config.db). By the opening time, it would fetch and sort every case holding the word:
        # 20 ms for a word in 5,600 titles of the bench's 100,000, against 0.4 ms.
        titled = cases.filter(text_contains("title", query.words)).select_related("owner").order_by("-pk")
        noted = _cases_noted(cases, query.words)
        found_cases = {case.pk: case for case in [*titled[:LIMIT], *noted]}
        results.cases = sorted(found_cases.values(), key=lambda case: -case.pk)[:LIMIT]
        results.by_note = {case.pk for case in noted}
    found = [
        Person(buyer, "account" if buyer.account_ref == query.text else "phone")
        for buyer in buyers_identified(account_ref=query.text, phone=query.phone, limit=LIMIT)
    ]
    if query.words:
        known = {person.buyer.pk for person in found}
        nicknamed = buyers_nicknamed(query.words, known_to=[cases, alerts], limit=LIMIT)
        found += [Person(buyer, "nickname") for buyer in nicknamed if buyer.pk not in known]
    results.people = found[:LIMIT]
    order = order_numbered(query.text)
    if order is not None:
        results.orders = [OrderFound(order, Person(order.buyer, "order"))]
    results.indicators = indicators_matching(query.text, desks=desks, limit=LIMIT)
    results.shops = shops_matching(query.text, words=query.words, limit=LIMIT)
    _places_of(results.people_shown, desks=desks)
    results.loose = bool(query.words) and bool(
        results.cases
        or any(person.found_by == "nickname" for person in results.people)
        or any(shop.external_ref != query.text for shop in results.shops)
    )
    return results


def _cases_noted(cases: QuerySet[Case], words: str) -> list[Case]:
    """The newest LIMIT of `cases` with a note that holds `words`, found by the notes' blind index
    (interventions.notes): the word's tokens, asked of the index, never the word."""
    tokens = note_tokens(words)
    if not tokens:
        return []
    if connection.vendor != "postgresql":  # the SQLite demo: every note read, as for the titles
        noted = cases.filter(Exists(CaseEvent.objects.filter(case=OuterRef("pk"), note_index__holds_all=tokens)))
    else:
        try:
            ids, params = _noted_ids_sql(cases, tokens)
        except EmptyResultSet:  # no desk to read (a manager): nothing to ask, as Django asks nothing
            return []
        # SQL of Django's compiling and names of the models; the word's tokens are parameters.
        noted = cases.filter(pk__in=RawSQL(ids, params))  # nosec B611
    return list(noted.select_related("owner").order_by("-pk")[:LIMIT])


# How many of the newest cases the note search reads one by one before it asks the notes' GIN index.
NOTES_WALK = 1000


def _noted_ids_sql(cases: QuerySet[Case], tokens: list[int]) -> tuple[str, tuple]:
    """SQL of the ids of the newest LIMIT of `cases` with a note holding every token, in two steps
    whose cost is bounded whatever the word, rather than a plan PostgreSQL would choose.

    Two ways find them. Reading the newest cases backwards, each one's notes through the
    timeline's index, stops at LIMIT: quick for a common word, but it reads every case for a word
    no note holds. Asking the GIN index costs what it finds: quick for a rare word, 40 to 60 ms for
    a word in a fifth of the notes (the bench's 140,000). PostgreSQL estimates a word's notes as if
    its pairs were independent, and it is wrong both ways: it takes a real word for rarer than it is,
    and pairs that are common apart but never together (买家 and 家属: 买家属) for common, and then
    read all 730,000 lines of the bench's timelines for nothing, in 0.8 s.

    So: first the newest NOTES_WALK cases of `cases`, one by one, until LIMIT are found (at most
    NOTES_WALK probes of the timeline's index); only when they hold fewer than LIMIT, the GIN index
    (the word is then in fewer than one case in fifty of the newest, and most likely as rare in
    the rest). The GIN branch runs only under that condition (PostgreSQL's one-time filter), and
    its subquery is fenced (OFFSET 0) so that PostgreSQL asks the index for it and does not turn it
    back into the walk. The desk scope is `cases`' own condition, compiled by Django."""
    newest, newest_params = cases.order_by("-pk").values("pk")[:NOTES_WALK].query.sql_with_params()
    scoped, scoped_params = cases.order_by().values("pk").query.sql_with_params()
    events = connection.ops.quote_name(CaseEvent._meta.db_table)
    # The names come from the models, the values are parameters: nothing typed reaches the SQL text.
    sql = (
        f"WITH walked AS MATERIALIZED ("  # nosec B608
        f" SELECT newest.id FROM ({newest}) AS newest(id)"
        f" CROSS JOIN LATERAL (SELECT 1 FROM {events} AS note"
        f"  WHERE note.case_id = newest.id AND note.note_index @> %s::bigint[] LIMIT 1) AS holds"
        f" ORDER BY newest.id DESC LIMIT {LIMIT})"
        f" SELECT id FROM walked"
        f" UNION ALL (SELECT scoped.id FROM ({scoped}) AS scoped(id)"
        f"  WHERE (SELECT count(*) FROM walked) < {LIMIT}"
        f"  AND scoped.id IN (SELECT case_id FROM {events} WHERE note_index @> %s::bigint[] OFFSET 0)"
        f"  ORDER BY scoped.id DESC LIMIT {LIMIT})"
    )
    return sql, (*newest_params, tokens, *scoped_params, tokens)


def _places_of(people: list[Person], *, desks: list[str]) -> None:
    """Fill in each person's newest cases and alerts on `desks`, open or not (an alert already in a
    case is reached through the case): two queries for everyone."""
    ids = {person.buyer.pk for person in people}
    if not ids:
        return
    newest = Window(RowNumber(), partition_by=[F("buyer_id")], order_by=[F("created_at").desc(), F("id").desc()])
    alerts = (
        Alert.objects.filter(on_desks(desks), buyer_id__in=ids, case__isnull=True)
        .annotate(rank=newest)
        .filter(rank__lte=PLACES_PER_PERSON)
        .order_by("buyer_id", "rank")
    )
    newest = Window(RowNumber(), partition_by=[F("buyer_id")], order_by=[F("opened_at").desc(), F("id").desc()])
    cases = (
        Case.objects.filter(on_desks(desks), buyer_id__in=ids)
        .select_related("owner")
        .annotate(rank=newest)
        .filter(rank__lte=PLACES_PER_PERSON)
        .order_by("buyer_id", "rank")
    )
    cases_of: dict[int, list[Case]] = {}
    for case in cases:
        cases_of.setdefault(case.buyer_id or 0, []).append(case)
    alerts_of: dict[int, list[Alert]] = {}
    for alert in alerts:
        alerts_of.setdefault(alert.buyer_id or 0, []).append(alert)
    for person in people:
        person.cases = cases_of.get(person.buyer.pk, [])
        person.alerts = alerts_of.get(person.buyer.pk, [])
