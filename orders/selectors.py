"""Every read that the orders and merchant pages need. Merchant reads are scoped here."""

import operator
from collections.abc import Iterable
from functools import reduce

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, When
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.crypto import phone_index
from accounts.desks import on_desks
from accounts.models import User
from accounts.roles import WORK_QUEUE
from accounts.selectors import user_desks
from config.db import text_contains

from .models import (
    Buyer,
    InterceptionRequest,
    Merchant,
    MerchantMembership,
    MerchantReport,
    Order,
    ReportAttachment,
)


def merchant_for_user(user: User) -> Merchant | None:
    """The one shop a merchant staff login belongs to, or None."""
    return Merchant.objects.select_related("region").filter(memberships__user=user, is_active=True).first()


def shop_requires_second_factor(user: User) -> bool:
    """Whether the login belongs to a shop whose admins require a second factor."""
    return MerchantMembership.objects.filter(user=user, merchant__second_factor_required=True).exists()


def merchant_recent_orders(*, merchant: Merchant, limit: int = 20) -> QuerySet[Order]:
    """The shop's own latest orders; never another shop's."""
    return (
        Order.objects.filter(merchant=merchant)
        .select_related("product", "buyer", "region")
        .order_by("-ordered_at", "-id")[:limit]
    )


def merchant_membership_for(user: User) -> MerchantMembership | None:
    return MerchantMembership.objects.select_related("merchant").filter(user=user, merchant__is_active=True).first()


def merchant_order_or_buyer(*, merchant: Merchant, ref: str) -> tuple[Order | None, Buyer | None]:
    """What a shop means by "the buyer": one of its own order numbers, or the account of a buyer
    who ordered from it. (None, None) when it is neither: a shop cannot name a stranger."""
    ref = ref.strip()
    order = Order.objects.select_related("buyer").filter(merchant=merchant, external_ref=ref).first()
    if order is not None:
        return order, order.buyer
    buyer = Buyer.objects.filter(account_ref=ref, orders__merchant=merchant).distinct().first()
    return None, buyer


def merchant_reports(merchant: Merchant) -> QuerySet[MerchantReport]:
    """The shop's own reports, newest first, with what their status is read from."""
    return (
        MerchantReport.objects.filter(merchant=merchant)
        .select_related("alert__case", "order", "buyer", "reported_by")
        .annotate(note_count=Count("notes"))
    )


def merchant_report_for(merchant: Merchant, pk: int) -> MerchantReport:
    """One of the shop's own reports; another shop's is 404, like one that does not exist."""
    return get_object_or_404(merchant_reports(merchant), pk=pk)


def merchant_interceptions(merchant: Merchant, *, open_only: bool = False) -> QuerySet[InterceptionRequest]:
    """The platform's requests to hold or recall the shop's own orders, open ones first."""
    requests = InterceptionRequest.objects.filter(order__merchant=merchant)
    if open_only:
        requests = requests.filter(status__in=InterceptionRequest.OPEN_STATUSES)
    return requests.select_related("order__product", "order__buyer").order_by(
        Case(When(status__in=InterceptionRequest.OPEN_STATUSES, then=0), default=1), "deadline", "-requested_at"
    )


def merchant_interception_for(merchant: Merchant, pk: int) -> InterceptionRequest:
    return get_object_or_404(merchant_interceptions(merchant), pk=pk)


def attachment_for_user(user: User, pk: int) -> ReportAttachment:
    """A screenshot, for the staff of the shop that sent it or for the specialists of the desk
    its alert is on; 404 for anyone else."""
    attachments = ReportAttachment.objects.select_related("report__alert")
    membership = merchant_membership_for(user)
    if membership is not None:
        return get_object_or_404(attachments.filter(report__merchant=membership.merchant), pk=pk)
    if user.has_perm(WORK_QUEUE):
        return get_object_or_404(attachments.filter(on_desks(user_desks(user), via="report__alert__")), pk=pk)
    raise Http404


def shop_staff(merchant: Merchant) -> QuerySet[MerchantMembership]:
    return (
        MerchantMembership.objects.filter(merchant=merchant).select_related("user").order_by("-user__is_active", "pk")
    )


def shop_staff_member(merchant: Merchant, pk: int) -> MerchantMembership:
    return get_object_or_404(shop_staff(merchant), pk=pk)


# --- The search box (interventions.selectors.search) ---------------------------------------------


def order_numbered(number: str) -> Order | None:
    """The order with this number exactly, with its shop, product and buyer. Orders are not kept
    per desk: every desk's staff may read them (as the API lists them)."""
    if not number:
        return None
    order = Order.objects.select_related("merchant", "product", "buyer__region__parent__parent")
    return order.filter(external_ref=number).first()


def buyers_identified(*, account_ref: str = "", phone: str = "", limit: int) -> list[Buyer]:
    """The buyers with this platform account exactly, or with this phone number however it is
    written: found through the phone's blind index, never by decrypting a number. Newest account
    first, at most `limit`."""
    conditions = []
    if account_ref:
        conditions.append(Q(account_ref=account_ref))
    index = phone_index(phone) if phone else ""
    if index:
        conditions.append(Q(phone_index=index))
    if not conditions:
        return []
    buyers = Buyer.objects.filter(reduce(operator.or_, conditions)).select_related("region__parent__parent")
    return list(buyers.order_by("-pk")[:limit])


def buyers_nicknamed(words: str, *, known_to: Iterable[QuerySet], limit: int) -> list[Buyer]:
    """Buyers whose nickname holds `words`, among the people a row of `known_to` is about (querysets
    of rows with a buyer: the reader's desks' cases and alerts), newest account first, at most
    `limit`. A part of a nickname is no identifier: the search does not browse every buyer of the
    marketplace by it, only the desks' own people."""
    known = [Exists(rows.filter(buyer=OuterRef("pk"))) for rows in known_to]
    if not words or not known:
        return []
    return list(
        Buyer.objects.filter(text_contains("nickname", words))
        .filter(reduce(operator.or_, known))
        .select_related("region__parent__parent")
        .order_by("-pk")[:limit]
    )


def shops_matching(text: str, *, words: str, limit: int) -> list[Merchant]:
    """Shops by their shop ID exactly, or whose name holds `words` ("" for none), active ones and
    exact hits first, at most `limit`. A few thousand rows: read whole, no index needed."""
    condition = Q(external_ref=text)
    if words:
        condition |= Q(name__icontains=words)
    exact = Case(When(external_ref=text, then=0), default=1)
    shops = Merchant.objects.filter(condition).select_related("region").order_by(exact, "-is_active", "name")
    return list(shops[:limit])
