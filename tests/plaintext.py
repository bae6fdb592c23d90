"""Whether anything kept encrypted also sits in the database in plain text.

Every value of every encrypted field (messages, reports, notes, replies, phones, timeline
details, casework texts) is read through the ORM, cut into probes, and every text, JSON and array
column of every table is read with raw SQL and searched for them. A copy of 18 characters or more
of any encrypted text, or of a whole phone number, is found wherever it was put: a timeline
payload, a title, an alert's summary, a log table, a third-party app's table, an array of words.
A blind index (a phone's, a note's words') holds only keyed hashes, which match no probe.

What is not searched for: shorter pieces. An alert keeps the words the scanner matched (a listed
term as the person spelt it, e.g. 「木炭」, so the desk sees where in the message it fired), and a
case title names the matter; neither is what the person wrote. A test that needs to know that a
short word is nowhere (a note's word, which its blind index must not keep) asks columns_holding.
"""

from collections.abc import Iterable, Iterator

from ahocorasick_rs import AhoCorasick
from django.apps import apps
from django.db import connection

from accounts.crypto import EncryptedTextField

WINDOW = 12  # every 12 characters, moved on 6 at a time: any copy of 18 characters holds one whole
STEP = 6
PHONE_DIGITS = 11
# The keys under which timeline details keep words someone wrote; the others hold facts the portal
# keeps in plain columns by design (an order number, a unit, the case title it was given).
WRITTEN = ("text", "note", "reason")
# Columns that keep a scammer's account, number or link as the victim wrote it, in plain text by
# design: the fraud desk links reports by them. A person's words or phone there still count.
IDENTIFIERS = {
    ("fraud_indicator", "value"),
    ("fraud_historicalindicator", "value"),
    ("fraud_stoppaymentrequest", "payee_account"),
    ("fraud_historicalstoppaymentrequest", "payee_account"),
}


def plaintext_copies() -> list[tuple[str, str, str]]:
    """(table, column, probe) for every encrypted text found in plain text; empty when none is."""
    values = set(_encrypted_values())
    probes = set(_probes(values))
    if not probes:
        return []
    words = {probe for probe in probes if not probe.isascii()} | {v for v in values if _phone(v)}
    # Every probe in one automaton (the scanner's matcher): one pass over each stored value.
    listed = sorted(probes)
    automaton = AhoCorasick(listed)
    found = []
    with connection.cursor() as cursor:
        for table, column in _text_columns(cursor):
            identifiers = (table, column) in IDENTIFIERS
            cursor.execute(f'SELECT "{column}"::text FROM "{table}" WHERE "{column}" IS NOT NULL')
            for (value,) in cursor.fetchall():
                seen = {listed[index] for index, _, _ in automaton.find_matches_as_indexes(value, overlapping=True)}
                found.extend((table, column, probe) for probe in seen if not identifiers or probe in words)
    return found


def columns_holding(word: str) -> list[tuple[str, str]]:
    """(table, column) of every text, JSON and array column that holds `word` in any row."""
    found = []
    with connection.cursor() as cursor:
        for table, column in _text_columns(cursor):
            cursor.execute(f'SELECT 1 FROM "{table}" WHERE strpos("{column}"::text, %s) > 0 LIMIT 1', [word])
            if cursor.fetchone():
                found.append((table, column))
    return found


def _encrypted_values() -> Iterator[str]:
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            for value in row:
                yield from _written(value)


def _written(value) -> Iterator[str]:
    """The words someone wrote in a decrypted value: a text itself, or a JSON value's WRITTEN keys."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        yield from (item for key, item in value.items() if key in WRITTEN and isinstance(item, str))


def _probes(values: Iterable[str]) -> Iterator[str]:
    for value in values:
        if _phone(value):
            yield value
        for start in range(0, len(value) - WINDOW + 1, STEP):
            yield value[start : start + WINDOW]


def _phone(value: str) -> bool:
    return value.isdigit() and len(value) >= PHONE_DIGITS


def _text_columns(cursor) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() "
        "AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY') ORDER BY 1, 2"
    )
    return cursor.fetchall()
