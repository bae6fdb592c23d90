"""Storing a message once, whichever door it came through: the intake API or a specialist's
manual alert."""

from datetime import datetime

from orders.models import Buyer, Merchant, Order

from ..models import Message


def message_store(
    *,
    source: str,
    external_id: str,
    text: str,
    sent_at: datetime,
    channel: str = "",
    buyer: Buyer | None = None,
    merchant: Merchant | None = None,
    order: Order | None = None,
) -> tuple[Message, bool]:
    """Store a message once per (source, external id). Returns the message and whether it is new."""
    return Message.objects.get_or_create(
        source=source,
        external_id=external_id,
        defaults={
            "text": text,
            "sent_at": sent_at,
            "channel": channel,
            "buyer": buyer,
            "merchant": merchant,
            "order": order,
        },
    )
