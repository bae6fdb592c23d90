"""Every read that the orders and merchant pages need. Merchant reads are scoped here."""

from django.db.models import QuerySet

from accounts.models import User

from .models import Merchant, Order


def merchant_for_user(user: User) -> Merchant | None:
    """The one shop a merchant staff login belongs to, or None."""
    return Merchant.objects.select_related("region").filter(memberships__user=user, is_active=True).first()


def merchant_recent_orders(*, merchant: Merchant, limit: int = 20) -> QuerySet[Order]:
    """The shop's own latest orders; never another shop's."""
    return (
        Order.objects.filter(merchant=merchant)
        .select_related("product", "buyer", "region")
        .order_by("-ordered_at", "-id")[:limit]
    )
