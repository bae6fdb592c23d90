"""The ways Shouhu reaches people outside the portal: the platform's chat, SMS and voice calls
(signed HTTP calls to the endpoints the platform runs) and email (Django's mail backend).

Every call carries an idempotency key the receiver deduplicates on, so a send retried after a
timeout or a worker's death is still one message to the person.
"""

import hashlib
import hmac
import json
import time

import requests
from django.conf import settings
from django.core.mail import send_mail


class DeliveryFailed(Exception):
    """The message did not reach the channel; the caller retries later. `status_code` is the
    receiver's answer when there was one."""

    def __init__(self, reason: str, status_code: int | None = None) -> None:
        super().__init__(reason)
        self.status_code = status_code


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 of "timestamp.body": the receiver recomputes it and refuses an old timestamp."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signed_post(url: str, payload: dict, *, key: str, secret: str | None = None, headers: dict | None = None) -> dict:
    """POST `payload` as JSON to `url`, signed with `secret` (the outbound secret by default),
    with `key` as the Idempotency-Key. Returns the receiver's JSON answer (or {}); raises
    DeliveryFailed on anything but a 2xx answer."""
    if not url:
        raise DeliveryFailed("channel not configured")
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        **(headers or {}),
        "Content-Type": "application/json; charset=utf-8",
        "Idempotency-Key": key,
        "X-Shouhu-Timestamp": timestamp,
        "X-Shouhu-Signature": signature(secret or settings.SHOUHU_OUTBOUND_SECRET, timestamp, body),
    }
    try:
        response = requests.post(url, data=body, headers=headers, timeout=settings.SHOUHU_OUTBOUND_TIMEOUT)
    except requests.RequestException as error:
        raise DeliveryFailed(type(error).__name__) from error
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(f"HTTP {response.status_code}", status_code=response.status_code)
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def chat_to_buyer(*, account_ref: str, text: str, key: str, case_reference: str) -> dict:
    """A message to the buyer in the platform's chat, from the service account."""
    payload = {"account": account_ref, "text": text, "case": case_reference}
    return signed_post(settings.SHOUHU_PLATFORM_CHAT_URL, payload, key=key)


def sms(*, text: str, key: str, account_ref: str = "", phone: str = "") -> dict:
    """An SMS to a buyer (by account: the platform knows the number) or to staff (by phone)."""
    payload = {"account": account_ref, "phone": phone, "text": text}
    return signed_post(settings.SHOUHU_SMS_URL, payload, key=key)


def voice_call(*, phone: str, text: str, key: str) -> dict:
    """A voice call that reads `text` out: for pages that must wake someone."""
    return signed_post(settings.SHOUHU_VOICE_URL, {"phone": phone, "text": text}, key=key)


def email(*, to: str, subject: str, body: str) -> None:
    try:
        send_mail(subject, body, None, [to])
    except OSError as error:  # SMTP and socket errors
        raise DeliveryFailed(type(error).__name__) from error
