"""What people wrote is encrypted at rest: the database holds tokens, the portal shows the words to
those allowed to read them, and the key ring rotates without a moment when a value cannot be read."""

import io

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from accounts.crypto import decrypt, encrypted_fields
from demo.codes import code_now
from interventions.models import Case, CaseEvent, CheckIn, Message
from interventions.services import case_add_note
from orders.models import Buyer, MerchantReport, ReportNote
from tests import factories

pytestmark = pytest.mark.django_db

WORDS = "我不想活了,药已经买好了 13800138000"


def _stored(table: str, pk: int, column: str = "text") -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_a_dump_shows_no_words_while_the_portal_shows_them_to_the_desk(client, specialist):
    message = factories.MessageFactory(text=WORDS)
    alert = factories.AlertFactory()
    alert.messages.add(message)
    stored = _stored("interventions_message", message.pk)
    assert "不想活" not in stored
    assert "13800138000" not in stored
    assert stored.startswith("gAAAAA")  # a Fernet token
    client.force_login(specialist)
    assert "我不想活了" in client.get(reverse("interventions:alert", args=[alert.pk])).text


def test_every_body_people_write_is_encrypted():
    assert {(model, name) for model, name in encrypted_fields()} == {
        (Message, "text"),
        (MerchantReport, "text"),
        (ReportNote, "text"),
        (Buyer, "phone"),
        (Buyer, "address"),
        (CaseEvent, "payload"),
        (CheckIn, "text"),
        (Case, "closing_summary"),
    }


def test_what_a_specialist_writes_to_or_about_the_person_is_encrypted(specialist):
    case = factories.CaseFactory(owner=specialist, closing_summary=WORDS)
    checkin = CheckIn.objects.create(
        case=case, due_at=case.opened_at, time_zone="Asia/Shanghai", channel="sms", text=WORDS, owner=specialist,
        created_by=specialist,
    )  # fmt: skip
    for table, pk, column in (
        ("interventions_case", case.pk, "closing_summary"),
        ("interventions_checkin", checkin.pk, "text"),
    ):
        stored = _stored(table, pk, column=column)
        assert "不想活" not in stored
        assert stored.startswith("gAAAAA")
    assert Case.objects.get(pk=case.pk).closing_summary == WORDS
    assert CheckIn.objects.get(pk=checkin.pk).text == WORDS


def test_a_timeline_line_keeps_the_words_written_with_it_encrypted(specialist):
    case = factories.CaseFactory(owner=specialist)
    note = case_add_note(case=case, by=specialist, text=WORDS)
    stored = _stored("interventions_caseevent", note.pk, column="payload")
    assert "不想活" not in stored
    assert "13800138000" not in stored
    assert stored.startswith("gAAAAA")
    assert CaseEvent.objects.get(pk=note.pk).payload == {"text": WORDS}
    with pytest.raises(FieldError):
        CaseEvent.objects.filter(payload__text=WORDS).exists()  # no key of it can be compared in SQL


def test_rotation_reencrypts_and_old_keys_decrypt_meanwhile(settings):
    old, new = settings.SHOUHU_DATA_KEYS[0], Fernet.generate_key().decode()
    message = factories.MessageFactory(text=WORDS)
    before = _stored("interventions_message", message.pk)

    settings.SHOUHU_DATA_KEYS = [new, old]  # the new key first; the old one still reads
    assert Message.objects.get(pk=message.pk).text == WORDS
    call_command("rotate_data_keys", stdout=io.StringIO())
    after = _stored("interventions_message", message.pk)
    assert after != before

    settings.SHOUHU_DATA_KEYS = [new]  # the old key gone: everything reads with the new one
    assert Message.objects.get(pk=message.pk).text == WORDS
    settings.SHOUHU_DATA_KEYS = [old]
    with pytest.raises(ValueError, match="does not decrypt") as refused:
        decrypt(after)
    assert WORDS not in str(refused.value)


def test_rotation_reencrypts_the_second_factor_secrets(settings, specialist):
    secret = "KRUGKIDTNBXXK2DVEBSGK3LPEBQXA4DT"
    TOTP.activate(specialist, secret)
    codes = RecoveryCodes.activate(specialist).get_unused_codes()
    stored = dict(Authenticator.objects.values_list("type", "data"))
    assert secret not in str(stored)

    old, new = settings.SHOUHU_DATA_KEYS[0], Fernet.generate_key().decode()
    settings.SHOUHU_DATA_KEYS = [new, old]
    call_command("rotate_data_keys", stdout=io.StringIO())
    settings.SHOUHU_DATA_KEYS = [new]  # only the new key: the codes still check out
    totp = Authenticator.objects.get(user=specialist, type=Authenticator.Type.TOTP)
    assert totp.data["secret"] != stored["totp"]["secret"]
    assert TOTP(totp).validate_code(code_now(secret))
    recovery = Authenticator.objects.get(user=specialist, type=Authenticator.Type.RECOVERY_CODES)
    assert RecoveryCodes(recovery).get_unused_codes() == codes


def test_an_empty_body_stays_empty():
    note = ReportNote(text="")
    assert note._meta.get_field("text").get_prep_value("") == ""


def test_an_encrypted_body_cannot_be_compared_in_sql():
    with pytest.raises(FieldError, match="encrypted"):
        Message.objects.filter(text=WORDS).exists()
