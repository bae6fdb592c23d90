"""What people wrote is encrypted at rest: the database holds tokens, the portal shows the words to
those allowed to read them, and the key ring rotates without a moment when a value cannot be read."""

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from accounts.crypto import decrypt, encrypted_fields, phone_normalise
from demo.codes import code_now
from fraud.models import Dissuasion
from interventions.models import (
    Case,
    CaseEvent,
    CheckIn,
    EmergencyAction,
    IncidentReview,
    Message,
    PoliceReferral,
    RiskAssessment,
)
from interventions.services import (
    case_add_note,
    case_assess_risk,
    dissuasion_record,
    incident_review_open,
    incident_review_write,
    police_refer,
)
from orders.models import Buyer, InterceptionRequest, MerchantReport, ReportNote
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
        (RiskAssessment, "note"),
        (PoliceReferral, "what_reported"),
        (PoliceReferral, "outcome"),
        (EmergencyAction, "review_note"),
        (IncidentReview, "what_happened"),
        (IncidentReview, "went_well"),
        (IncidentReview, "made_it_hard"),
        (Dissuasion, "note"),
        (InterceptionRequest, "note"),
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
    recovery = RecoveryCodes.activate(specialist).instance
    # Codes carried over from an earlier second factor are a list of their own in allauth's data.
    recovery.data["migrated_codes"] = [get_mfa_adapter().encrypt("87654321")]
    recovery.save()
    codes = RecoveryCodes(recovery).get_unused_codes()
    assert "87654321" in codes
    stored = dict(Authenticator.objects.values_list("type", "data"))
    assert secret not in str(stored)

    old, new = settings.SHOUHU_DATA_KEYS[0], Fernet.generate_key().decode()
    settings.SHOUHU_DATA_KEYS = [new, old]
    out = io.StringIO()
    call_command("rotate_data_keys", stdout=out)
    assert "the secrets of 2 authenticators re-encrypted" in out.getvalue()
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


def test_an_encrypted_field_can_be_asked_only_whether_it_is_empty():
    written, empty = factories.MessageFactory(text=WORDS), factories.MessageFactory(text="")
    assert list(Message.objects.filter(text="")) == [empty]
    assert set(Message.objects.filter(text__isnull=False)) == {written, empty}
    with pytest.raises(FieldError, match="can only be compared with ''"):
        Message.objects.filter(text=WORDS).exists()
    with pytest.raises(FieldError, match="cannot be compared in SQL"):
        Message.objects.filter(text__icontains="不想活").exists()


def test_timeline_details_keep_amounts_times_and_chinese_through_encryption(specialist):
    at = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
    case = factories.CaseFactory(owner=specialist)
    event = CaseEvent.objects.create(
        case=case,
        actor=specialist,
        kind=CaseEvent.Kind.NOTE,
        payload={"amount": Decimal("13000.50"), "at": at, "text": "冻结"},
    )
    assert CaseEvent.objects.get(pk=event.pk).payload == {
        "amount": "13000.50",
        "at": "2026-12-07T08:30:00Z",
        "text": "冻结",
    }


def test_a_value_under_a_key_no_longer_held_is_refused_without_quoting_it():
    stranger = Fernet(Fernet.generate_key()).encrypt(WORDS.encode()).decode()
    with pytest.raises(ValueError, match="does not decrypt with any key of SHOUHU_DATA_KEYS") as refused:
        decrypt(stranger)
    assert WORDS not in str(refused.value)


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("+86 138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("+86 10 8888 7777", "1088887777"),  # a Beijing landline: 12 digits with the country code
        ("86123456789", "86123456789"),  # 11 digits: a number, not a country code and a short one
        ("＋８６ １３８ ００１３ ８０００", "13800138000"),  # full-width, as a Chinese keyboard may type it
    ],
)
def test_a_phone_is_kept_as_its_digits_without_the_country_code(written, number):
    assert phone_normalise(written) == number


def test_what_staff_write_about_a_person_in_casework_is_encrypted_at_rest(specialist, supervisor):
    case = factories.CaseFactory(owner=specialist)
    unit = factories.PoliceUnitFactory()
    assessment = case_assess_risk(case=case, by=specialist, cssrs={}, factors=[], note=WORDS)
    referral = police_refer(case=case, unit=unit, by=specialist, what_reported=WORDS)
    dissuasion = dissuasion_record(
        case=factories.CaseFactory(owner=specialist, desk="fraud"),
        by=specialist,
        scam_type="fake_cs",
        reached=True,
        convinced=True,
        amount_protected=Decimal("3000"),
        note=WORDS,
    )
    review = incident_review_open(case=case, by=supervisor)
    incident_review_write(
        review=review, by=supervisor, title="复盘", what_happened=WORDS, went_well=WORDS, made_it_hard=WORDS
    )
    written = [
        ("interventions_riskassessment", "note", assessment),
        ("interventions_policereferral", "what_reported", referral),
        ("fraud_dissuasion", "note", dissuasion),
        *(
            ("interventions_incidentreview", column, review)
            for column in ("what_happened", "went_well", "made_it_hard")
        ),
    ]
    for table, column, row in written:
        stored = _stored(table, row.pk, column=column)
        assert stored.startswith("gAAAAA"), (table, column)
        assert "不想活" not in stored, (table, column)
        assert "13800138000" not in stored, (table, column)
        row.refresh_from_db()
        assert getattr(row, column) == WORDS, (table, column)
