"""Staff notes found by a Chinese word through the blind index of their words: the case shows in the
search's cases, marked as found in a note, never with the note's text; within the reader's desks;
never after the case is anonymised; never with the words in plain in any column; under a new index
key once the indexes are recomputed; the notes written before the index filled in by migration."""

import importlib
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from accounts.crypto import blind_tokens
from accounts.models import AccessLog, Desk
from interventions.models import Case, CaseEvent
from interventions.notes import KIND, note_tokens, pairs
from interventions.selectors import search
from interventions.selectors.search import search_query, search_results
from interventions.services import case_add_note, case_anonymise, case_close
from tests import factories
from tests.pages import shown
from tests.plaintext import columns_holding, plaintext_copies

pytestmark = pytest.mark.django_db

URL = reverse("interventions:search")
# What a specialist writes after a call: the words a colleague later looks for (外婆, 阳台, 未接通)
# are in no title, no summary and no other text of these tests.
NOTE = "外婆来电：她把木炭藏在阳台柜子里，手机一直未接通。"
TITLE = "询问安眠药的剂量"


@pytest.fixture
def noted_case(specialist) -> Case:
    case = factories.CaseFactory(owner=specialist, desk=Desk.LIFE, title=TITLE)
    case_add_note(case=case, by=specialist, text=NOTE)
    return case


def _search(client, q: str, purpose: str = "casework"):
    return client.get(URL, {"q": q, "purpose": purpose})


def _found(word: str, desks=(Desk.LIFE,)) -> list[int]:
    return [case.pk for case in search_results(search_query(word), desks=list(desks)).cases]


# --- what finds a note -------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["外婆", "阳台", "木炭", "未接通", "藏在阳台柜子里", "手机一直未接通"])
def test_a_word_of_a_note_finds_its_case(client, specialist, noted_case, word):
    client.force_login(specialist)
    page = shown(_search(client, word), noted_case.reference, TITLE, 'data-testid="found-in-note"', "备注中有此词")
    assert "外婆来电" not in page  # the list says that a note holds the word, never the note
    assert len(re.findall(r'href="/cases/\d+/"', page)) == 1  # the one case, besides the menu's case list


def test_the_case_page_shows_the_note_the_search_pointed_at(client, specialist, noted_case):
    client.force_login(specialist)
    shown(client.get(reverse("interventions:case", args=[noted_case.pk])), NOTE)


@pytest.mark.parametrize("word", ["外阳", "木头", "婆来电话", "柜子外婆", "未接听"])
def test_characters_of_the_note_not_written_together_find_nothing(specialist, noted_case, word):
    assert _found(word) == []


@pytest.mark.parametrize("word", ["外婆", "外 婆", "外·婆", "ＷＡＩ婆"])
def test_the_word_is_read_as_the_scanner_reads_text(specialist, word):
    """Spaces and symbols between the characters go, full-width letters are ASCII, upper case is
    lower, traditional characters are simplified: in the note and in the word alike."""
    case = factories.CaseFactory(owner=specialist, desk=Desk.LIFE)
    case_add_note(case=case, by=specialist, text="她的外婆說，wai婆會來")
    assert _found(word) == [case.pk]
    assert _found("会来") == [case.pk]  # 會來 written in the note, 会来 typed


def test_one_character_is_not_looked_for_in_notes(specialist, noted_case):
    assert note_tokens("婆") == []
    assert _found("婆") == []


def test_a_note_written_through_the_case_page_is_found(client, specialist):
    case = factories.CaseFactory(owner=specialist, desk=Desk.LIFE)
    client.force_login(specialist)
    client.post(reverse("interventions:case_act", args=[case.pk, "note"]), {"text": "表姐说她在火车站"})
    shown(_search(client, "火车站"), case.reference, 'data-testid="found-in-note"')


def test_a_case_found_by_its_title_and_a_note_shows_once(client, specialist):
    case = factories.CaseFactory(owner=specialist, desk=Desk.LIFE, title="买了木炭")
    case_add_note(case=case, by=specialist, text="木炭已经被家人收走")
    client.force_login(specialist)
    page = shown(_search(client, "木炭"), case.reference, 'data-testid="found-in-note"')
    assert page.count(f">{case.reference}</a>") == 1


def test_other_lines_of_the_timeline_are_not_searched(specialist):
    """The index is a note's: a reason, a reply or a summary on the timeline has none."""
    case = factories.CaseFactory(owner=specialist, desk=Desk.LIFE)
    factories.CaseEventFactory(case=case, kind=CaseEvent.Kind.ESCALATED, payload={"reason": "外婆联系不上"})
    assert CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.ESCALATED).note_index is None
    assert _found("外婆") == []


@pytest.mark.parametrize("walk", [1000, 25, 5, 1])
def test_the_newest_cases_with_the_word_come_first_whichever_way_they_are_found(monkeypatch, specialist, walk):
    """The newest NOTES_WALK cases are read one by one, then the GIN index is asked if they hold
    fewer than LIMIT (interventions.selectors.search): either way, the newest LIMIT that hold it."""
    monkeypatch.setattr(search, "NOTES_WALK", walk)
    noted = []
    for number in range(search.LIMIT + 5):
        case = factories.CaseFactory(owner=specialist, desk=Desk.LIFE)
        case_add_note(case=case, by=specialist, text=f"第{number}次：外婆说她没事")
        noted.append(case.pk)
        factories.CaseFactory(owner=specialist, desk=Desk.LIFE)  # between them, cases without it
    for _ in range(10):  # and the newest of all, with two notes each
        case = factories.CaseFactory(owner=specialist, desk=Desk.LIFE)
        case_add_note(case=case, by=specialist, text="她没事")
        case_add_note(case=case, by=specialist, text="事情解决了")
    assert _found("外婆") == sorted(noted, reverse=True)[: search.LIMIT]
    assert _found("婆说她没") == sorted(noted, reverse=True)[: search.LIMIT]
    assert _found("没事情") == []  # 没事 and 事情 are each in a note of these cases, but in no one note


# --- scope, access log, retention ----------------------------------------------------------------


def test_a_note_on_another_desks_case_stays_out(client, specialist, fraud_specialist, supervisor):
    fraud_case = factories.CaseFactory(owner=fraud_specialist, desk=Desk.FRAUD, title="冒充客服退款")
    case_add_note(case=fraud_case, by=fraud_specialist, text="受害人的外婆已经转账两次")
    client.force_login(specialist)
    page = shown(_search(client, "外婆"), "在您的工作台上没有找到")
    assert fraud_case.reference not in page
    assert _found("外婆", desks=[Desk.FRAUD]) == [fraud_case.pk]
    client.force_login(supervisor)  # of both desks
    shown(_search(client, "外婆"), fraud_case.reference)


def test_a_note_search_is_written_in_the_access_log_with_its_purpose(client, specialist, noted_case):
    client.force_login(specialist)
    _search(client, "外婆", purpose="police")
    entry = AccessLog.objects.get(action=AccessLog.Action.SEARCH)
    assert (entry.user, entry.purpose, entry.object_type) == (specialist, AccessLog.Purpose.POLICE, "search")
    assert "外婆" not in entry.object_label


def test_a_note_search_without_a_purpose_is_refused(client, specialist, noted_case):
    client.force_login(specialist)
    response = client.get(URL, {"q": "外婆"})
    assert response.status_code == 400
    assert noted_case.reference not in response.text


def test_an_anonymised_case_is_no_longer_found_by_its_notes(specialist, noted_case):
    closed_at = datetime(2024, 3, 2, 21, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(closed_at, tick=False):
        case_close(case=noted_case, by=specialist, outcome=Case.Outcome.SAFE, summary="已平安")
    assert _found("外婆") == [noted_case.pk]

    assert case_anonymise(noted_case.pk, now=closed_at + timedelta(days=settings.SHOUHU_RETENTION_DAYS + 1))

    assert _found("外婆") == []
    assert _found("阳台") == []
    note = CaseEvent.objects.get(case=noted_case, kind=CaseEvent.Kind.NOTE)
    assert note.note_index is None
    assert note.payload["text"] == "已匿名"


# --- what the database holds ----------------------------------------------------------------------


def test_no_column_holds_the_notes_words_only_keyed_hashes_of_their_pairs(specialist):
    """Every text, JSON and array column, read with raw SQL: writing the note puts none of its words
    anywhere (some are listed terms of the scanner, 阳台 and 木炭, and so were in its table before)."""
    case = factories.CaseFactory(owner=specialist, desk=Desk.LIFE, title=TITLE)
    words = ("外婆", "阳台", "木炭", "未接通", "柜子", "来电")
    before = {word: columns_holding(word) for word in words}
    note = case_add_note(case=case, by=specialist, text=NOTE)
    assert {word: columns_holding(word) for word in words} == before
    assert not before["外婆"]
    assert plaintext_copies() == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT note_index FROM interventions_caseevent WHERE id = %s", [note.pk])
        (stored,) = cursor.fetchone()
    assert stored == sorted(set(stored))  # a set: in the order of the tokens, not of the words
    assert len(stored) == len(pairs(NOTE))
    assert all(isinstance(token, int) and -(2**63) <= token < 2**63 for token in stored)


def test_the_tokens_are_keyed_and_kept_apart_from_the_phone_index(settings):
    before = note_tokens("外婆")
    assert before == blind_tokens(KIND, ["外婆"])
    assert blind_tokens("phone", ["外婆"]) != before  # the same piece, another kind: another token
    settings.SHOUHU_INDEX_KEY = "another-index-key-of-32-characters-or-more"
    assert note_tokens("外婆") != before


def test_a_new_index_key_finds_the_notes_again_once_the_indexes_are_recomputed(settings, specialist, noted_case):
    settings.SHOUHU_INDEX_KEY = "a-new-index-key-of-32-characters-or-more"
    assert _found("外婆") == []  # the note is indexed under the old key

    call_command("rotate_data_keys", stdout=(out := io.StringIO()))

    assert "interventions.CaseEvent.note_index: 1 notes' indexes recomputed" in out.getvalue()
    assert _found("外婆") == [noted_case.pk]
    call_command("index_notes", stdout=(out := io.StringIO()))
    assert "interventions.CaseEvent.note_index: 0 notes' indexes recomputed" in out.getvalue()


def test_index_notes_indexes_a_note_written_without_one(specialist, noted_case):
    """A note the previous release wrote while migration 0027 ran has no index until index_notes."""
    late = factories.CaseEventFactory(case=noted_case, payload={"text": "舅舅去接她了"}, note_index=None)
    assert _found("舅舅") == []
    call_command("index_notes", stdout=(out := io.StringIO()))
    assert "interventions.CaseEvent.note_index: 1 notes' indexes recomputed" in out.getvalue()
    assert CaseEvent.objects.get(pk=late.pk).note_index == note_tokens("舅舅去接她了")
    assert _found("舅舅") == [noted_case.pk]


def test_the_migration_fills_the_index_of_notes_written_before_it(specialist, noted_case):
    """Notes written before the index have none; the migration reads each one in Python, indexes it,
    and leaves the notes of anonymised cases and every other line without one. Run twice, the same."""
    earlier = factories.CaseEventFactory(case=noted_case, payload={"text": "邻居说看见她去了江边"}, note_index=None)
    long_ago = datetime(2024, 1, 1, tzinfo=ZoneInfo("UTC"))
    closed = {"status": Case.Status.CLOSED, "outcome": Case.Outcome.SAFE, "closed_at": long_ago}
    gone = factories.CaseFactory(owner=specialist, anonymised_at=long_ago, **closed)
    anonymised = factories.CaseEventFactory(case=gone, payload={"text": "已匿名"}, note_index=None)
    opened = factories.CaseEventFactory(case=noted_case, kind=CaseEvent.Kind.OPENED, payload={"title": "江边"})
    migration = importlib.import_module("interventions.migrations.0028_note_index")
    for _ in range(2):
        migration.fill(apps, None)
        assert CaseEvent.objects.get(pk=earlier.pk).note_index == note_tokens("邻居说看见她去了江边")
        assert CaseEvent.objects.get(pk=anonymised.pk).note_index is None
        assert CaseEvent.objects.get(pk=opened.pk).note_index is None
    assert _found("江边") == [noted_case.pk]


# --- on PostgreSQL --------------------------------------------------------------------------------


def test_the_notes_words_can_be_looked_for_through_their_gin_index():
    """As for the titles' word index (test_search): with sequential reads and plain index scans
    off, a bitmap scan of the GIN index is the one way left to answer the condition."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = CaseEvent.objects.filter(note_index__holds_all=note_tokens("未接通")).explain()
    assert "Bitmap Index Scan on case_event_note_words_idx" in plan, plan
