"""Every write to merchants, their staff, products, buyers and orders."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from .models import Buyer, Merchant, MerchantMembership, Order, Product, Region


def region_record(*, code: str, name: str, level: int, parent: Region | None = None) -> Region:
    """Add or correct one administrative division, keyed by its code."""
    region, _ = Region.objects.update_or_create(code=code, defaults={"name": name, "level": level, "parent": parent})
    return region


@transaction.atomic
def merchant_register(
    *,
    external_ref: str,
    name: str,
    emergency_contact_name: str,
    emergency_phone: str,
    by: User | None,
    **details,
) -> Merchant:
    merchant = Merchant(
        external_ref=external_ref,
        name=name,
        emergency_contact_name=emergency_contact_name,
        emergency_phone=emergency_phone,
        **details,
    )
    merchant.full_clean()
    merchant._history_user = by
    merchant.save()
    return merchant


@transaction.atomic
def merchant_add_staff(
    *, merchant: Merchant, user: User, is_admin: bool = False, by: User | None
) -> MerchantMembership:
    """Attach a login to the shop. A login belongs to one shop only (the database enforces it)."""
    membership = MerchantMembership(merchant=merchant, user=user, is_admin=is_admin)
    membership._history_user = by
    membership.save()
    return membership


def product_record(*, merchant: Merchant, external_ref: str, name: str, risk_category: str) -> Product:
    product, _ = Product.objects.update_or_create(
        merchant=merchant, external_ref=external_ref, defaults={"name": name, "risk_category": risk_category}
    )
    return product


def buyer_record(*, account_ref: str, **details) -> Buyer:
    """The buyer with this platform account, created on first sight; given details are updated."""
    buyer, created = Buyer.objects.get_or_create(account_ref=account_ref, defaults=details)
    if not created and details:
        for field, value in details.items():
            setattr(buyer, field, value)
        buyer.save(update_fields=list(details))
    return buyer


@transaction.atomic
def order_record(
    *,
    external_ref: str,
    buyer: Buyer,
    merchant: Merchant,
    product: Product,
    quantity: int = 1,
    status: str = Order.Status.PAID,
    region: Region | None = None,
    ordered_at: datetime | None = None,
    carrier: str = "",
    tracking_no: str = "",
    by: User | None = None,
) -> tuple[Order, bool]:
    """Create the order, or bring it up to date when the order system sends it again."""
    if product.merchant_id != merchant.pk:
        raise ValueError("The product belongs to another merchant.")
    order = Order.objects.select_for_update().filter(external_ref=external_ref).first()
    created = order is None
    if created:
        order = Order(external_ref=external_ref, ordered_at=ordered_at or timezone.now())
    order.buyer, order.merchant, order.product = buyer, merchant, product
    order.quantity, order.status, order.region = quantity, status, region
    order.carrier, order.tracking_no = carrier, tracking_no
    order._history_user = by
    order.save()
    return order, created


@dataclass(frozen=True)
class OrderIntake:
    index: int
    order_ref: str
    order_id: int | None
    created: bool
    error: str = ""


@transaction.atomic
def orders_intake(*, items: Sequence[dict]) -> list[OrderIntake]:
    """Create or update orders sent by the order system. An order of an unknown merchant is
    refused (merchants are registered, not invented from traffic); the others are stored."""
    merchants = {
        m.external_ref: m for m in Merchant.objects.filter(external_ref__in={i["merchant_ref"] for i in items})
    }
    regions = {r.code: r for r in Region.objects.filter(code__in={i.get("region_code") for i in items} - {None, ""})}
    outcomes = []
    for index, item in enumerate(items):
        merchant = merchants.get(item["merchant_ref"])
        if merchant is None:
            outcomes.append(OrderIntake(index, item["order_ref"], None, False, "unknown merchant"))
            continue
        product = product_record(
            merchant=merchant,
            external_ref=item["product_ref"],
            name=item["product_name"],
            risk_category=item.get("risk_category") or Product.RiskCategory.NONE,
        )
        order, created = order_record(
            external_ref=item["order_ref"],
            buyer=buyer_record(account_ref=item["buyer_ref"]),
            merchant=merchant,
            product=product,
            quantity=item["quantity"],
            status=item["status"],
            region=regions.get(item.get("region_code")),
            ordered_at=item["ordered_at"],
            carrier=item.get("carrier") or "",
            tracking_no=item.get("tracking_no") or "",
        )
        outcomes.append(OrderIntake(index, item["order_ref"], order.pk, created))
    return outcomes
