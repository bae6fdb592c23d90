"""Encryption at rest of what people wrote and how to reach them: the bodies of messages, shop
reports and their notes, buyers' phone numbers and street addresses.

A key ring of Fernet keys (AES-128-CBC with HMAC-SHA256, from `cryptography`) comes from the
environment, newest first (SHOUHU_DATA_KEYS). New values are encrypted with the newest key; any
key of the ring decrypts, so a key can be rotated in without downtime: put the new key first,
run `manage.py rotate_data_keys`, which re-encrypts every value with it, then drop the old key.
A database dump, a replica or a backup shows only tokens.

Tokens cannot be compared, so a value that must be found again exactly (the same phone in two
cases) also gets a blind index: an HMAC-SHA256 of its normalised spelling under SHOUHU_INDEX_KEY,
a separate secret. Equal values give equal indexes; without the key, an index says nothing.
"""

import hashlib
import hmac
import json
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import setting_changed
from django.db import connection, migrations, models, transaction
from django.db.models.expressions import Combinable
from django.db.models.lookups import Exact


@cache
def key_ring() -> MultiFernet:
    keys = settings.SHOUHU_DATA_KEYS
    if not keys:
        raise ImproperlyConfigured("Set SHOUHU_DATA_KEYS: the keys that encrypt personal data at rest.")
    return MultiFernet([Fernet(key) for key in keys])


@cache
def index_key() -> bytes:
    key = settings.SHOUHU_INDEX_KEY
    if not key:
        raise ImproperlyConfigured("Set SHOUHU_INDEX_KEY: the key of the blind indexes of personal data.")
    return key.encode()


def _forget_keys(*, setting: str, **kwargs) -> None:
    if setting == "SHOUHU_DATA_KEYS":
        key_ring.cache_clear()
    if setting == "SHOUHU_INDEX_KEY":
        index_key.cache_clear()


setting_changed.connect(_forget_keys)


def encrypt(text: str) -> str:
    return key_ring().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return key_ring().decrypt(token.encode()).decode()
    except InvalidToken as error:
        # Never the value: it may be a person's words stored before encryption, or another ring's.
        raise ValueError("A stored value does not decrypt with any key of SHOUHU_DATA_KEYS.") from error


def reencrypt(token: str) -> str:
    """The same value under the newest key (MultiFernet.rotate)."""
    return key_ring().rotate(token.encode()).decode()


def phone_normalise(phone: str) -> str:
    """A phone number as ASCII digits only, without the country code of China: "+86 138-0013-8000",
    "0086 13800138000", "13800138000" and the full-width "１３８００１３８０００" of a Chinese
    keyboard are one number."""
    # Every decimal digit of any script as its ASCII digit: a full-width digit must index as the
    # same number, not drop out nor stay a different character.
    digits = "".join(str(unicodedata.decimal(char)) for char in phone if char.isdecimal())
    if digits.startswith("0086"):
        return digits[4:]
    # A mainland number is at most 11 digits: a longer one starting 86 carries the country code.
    if digits.startswith("86") and len(digits) > 11:
        return digits[2:]
    return digits


def phone_index(phone: str) -> str:
    """The blind index of a phone number (hex), the same however the number is written; "" for no
    number. The one function every writer of a phone index uses, so that lookups match."""
    digits = phone_normalise(phone)
    if not digits:
        return ""
    return _index_hmac("phone", digits).hex()


def blind_tokens(kind: str, pieces: Iterable[str]) -> list[int]:
    """The blind index of each of a value's pieces (the character pairs of a note), each once, in
    order of the tokens, not of the pieces: 64-bit integers, the first 8 bytes of each piece's HMAC
    read as a signed number (PostgreSQL's bigint). `kind` names what the pieces are, so that equal
    pieces of two kinds of value give different tokens; the same pieces always give the same ones.

    64 bits: two different pieces share a token by chance once in about 2^32 pieces of one kind
    (the birthday bound); all the character pairs of Chinese are about 2^28, the few that occur far
    fewer. A shared token only makes a search find a note it should not, never miss one."""
    tokens = {int.from_bytes(_index_hmac(kind, piece)[:8], "big", signed=True) for piece in pieces}
    return sorted(tokens)


def _index_hmac(kind: str, value: str) -> bytes:
    # "<kind>:" before the value keeps each kind's index apart: a phone's "phone:138…" and a note's
    # "note-pair:…" never hash the same bytes, so one kind's index says nothing about another's.
    return hmac.new(index_key(), f"{kind}:{value}".encode(), hashlib.sha256).digest()


class EncryptedTextField(models.TextField):
    """Text kept encrypted in the database and plain in Python. It cannot be searched or compared
    in SQL: such a lookup would only compare tokens. The empty string stays empty."""

    description = "Text encrypted at rest"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_lookup(self, lookup_name):
        # Each encryption of a value differs, so SQL would compare tokens and quietly find nothing.
        # Empty stays empty, though: "nothing was written" can be asked (field="").
        if lookup_name == "exact":
            return _EmptyOnly
        if lookup_name != "isnull":
            raise FieldError(f"{self.model.__name__}.{self.name} is encrypted: it cannot be compared in SQL.")
        return super().get_lookup(lookup_name)


class _EmptyOnly(Exact):
    """`field=""` on an encrypted field: the one comparison SQL can make of it."""

    def __init__(self, lhs, rhs):
        if rhs != "":
            field = lhs.target
            raise FieldError(f"{field.model.__name__}.{field.name} is encrypted: it can only be compared with ''.")
        super().__init__(lhs, rhs)


class EncryptedJSONField(EncryptedTextField):
    """A JSON object kept encrypted in the database and a dict in Python: details that may quote
    what someone wrote (a note, a reason, a reply) are never plain text at rest. Its keys cannot
    be queried in SQL; read the rows and look in Python."""

    description = "JSON encrypted at rest"
    # django-stubs reads a field's Python type from these two. The stubs fix a TextField's to str;
    # this one is text only in the database and an object in Python, so it must say so (Django's
    # fields are not subscriptable at run time, so TextField[...] cannot say it instead).
    _pyi_private_set_type: dict[str, Any] | Combinable  # type: ignore[assignment]
    _pyi_private_get_type: dict[str, Any]  # type: ignore[assignment]

    def get_prep_value(self, value):
        return None if value is None else encrypt(_json_text(value))

    def from_db_value(self, value, expression, connection):
        return json.loads(decrypt(value)) if value else {}

    def to_python(self, value):
        return json.loads(value) if isinstance(value, str) else value

    def value_to_string(self, obj):
        return _json_text(self.value_from_object(obj))


def _json_text(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) kept encrypted: what a key rotation must rewrite."""
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


def column_rewrite(table: str, column: str, change) -> int:
    """Rewrite every non-empty value of a column through `change` (encrypt, decrypt, reencrypt),
    a thousand rows at a time, by primary key. For migrations and key rotation: SQL, so no field
    decrypts on the way in. Returns the rows rewritten."""
    done, after = 0, 0
    # The names come from the models (encrypted_fields) or a migration, never from input.
    table, column = connection.ops.quote_name(table), connection.ops.quote_name(column)
    select = f"SELECT id, {column} FROM {table} WHERE id > %s AND {column} <> '' ORDER BY id LIMIT 1000"  # nosec B608
    update = f"UPDATE {table} SET {column} = %s WHERE id = %s"  # nosec B608
    with connection.cursor() as cursor:
        while True:
            cursor.execute(select, [after])
            rows = cursor.fetchall()
            if not rows:
                return done
            cursor.executemany(update, [(change(value), pk) for pk, value in rows])
            done, after = done + len(rows), rows[-1][0]


def encrypt_column(table: str, column: str):
    """A migration's RunPython pair that encrypts a column of plain text, and back."""

    # Functions, not lambdas: RunPython's code returns nothing, and column_rewrite returns a count.
    def forwards(apps, schema_editor) -> None:
        column_rewrite(table, column, encrypt)

    def backwards(apps, schema_editor) -> None:
        column_rewrite(table, column, decrypt)

    return migrations.RunPython(forwards, backwards)


# The keys of django-allauth's authenticator data that MFAAdapter encrypts: the TOTP secret, the
# seed of the recovery codes, and recovery codes carried over whole.
AUTHENTICATOR_SECRETS = ("secret", "seed")
AUTHENTICATOR_SECRET_LISTS = ("migrated_codes",)


def authenticators_reencrypt() -> int:
    """Every authenticator's secrets under the newest key. Each row is locked while it is
    rewritten, so a recovery code used at that moment is not marked unused again. Returns the
    authenticators rewritten."""
    # The models read this module for their encrypted field, so no model is imported at its top.
    from allauth.mfa.models import Authenticator

    done = 0
    for pk in Authenticator.objects.order_by("pk").values_list("pk", flat=True).iterator():
        with transaction.atomic():
            authenticator = Authenticator.objects.select_for_update().get(pk=pk)
            data = authenticator.data
            for key in AUTHENTICATOR_SECRETS:
                if data.get(key):
                    data[key] = reencrypt(data[key])
            for key in AUTHENTICATOR_SECRET_LISTS:
                if data.get(key):
                    data[key] = [reencrypt(value) for value in data[key]]
            authenticator.save(update_fields=["data"])
        done += 1
    return done
