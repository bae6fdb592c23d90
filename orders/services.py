"""Every write to merchants, their staff, products, buyers and orders."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.crypto import phone_index
from accounts.history import save_with_history
from accounts.models import User
from accounts.refusals import Conflict, Invalid, Refused
from accounts.roles import Role
from accounts.services import user_create
from config.db import insert_new

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
    save_with_history(merchant, by=by)
    return merchant


@transaction.atomic
def merchant_add_staff(
    *, merchant: Merchant, user: User, is_admin: bool = False, by: User | None
) -> MerchantMembership:
    """Attach a login to the shop. A login belongs to one shop only (the database enforces it)."""
    membership = MerchantMembership(merchant=merchant, user=user, is_admin=is_admin)
    save_with_history(membership, by=by)
    return membership


def product_record(*, merchant: Merchant, external_ref: str, name: str, risk_category: str) -> Product:
    product, _ = Product.objects.update_or_create(
        merchant=merchant, external_ref=external_ref, defaults={"name": name, "risk_category": risk_category}
    )
    return product


def buyer_contact_apply(*, buyer: Buyer, phone: str = "", address: str = "") -> list[str]:
    """Put a phone number and a street address on the row (not saved), and return the fields that
    changed. Empty means "not given": what is known stays.

    The one place a buyer's phone is set: its blind index (accounts.crypto.phone_index) is set
    with it, so "the same phone in another case" finds it. Every writer of contact details comes
    through here, the bulk ones too (intake, the demo's history), which a model's save() would
    not see: bulk_create skips it."""
    changed = []
    phone, address = phone.strip(), address.strip()
    if phone and phone != buyer.phone:
        buyer.phone, buyer.phone_index = phone, phone_index(phone)
        changed += ["phone", "phone_index"]
    if address and address != buyer.address:
        buyer.address = address
        changed.append("address")
    return changed


def buyer_record(*, account_ref: str, phone: str = "", address: str = "", **details) -> Buyer:
    """The buyer with this platform account, created on first sight; given details are updated,
    a phone and a street address through buyer_contact_apply."""
    buyer, created = Buyer.objects.get_or_create(account_ref=account_ref, defaults=details)
    changed = [] if created else list(details)
    for field, value in details.items():
        setattr(buyer, field, value)
    changed += buyer_contact_apply(buyer=buyer, phone=phone, address=address)
    if changed:
        buyer.save(update_fields=changed)
    return buyer


@dataclass(frozen=True)
class Contact:
    """A phone number and a street address as an integration sends them; either may be empty."""

    phone: str = ""
    address: str = ""


def contacts_of(items: Sequence[dict]) -> dict[str, Contact]:
    """A batch's people by account (buyer_ref), with the phone and address sent for them (the
    last given of each)."""
    contacts: dict[str, Contact] = {}
    for item in items:
        ref = item.get("buyer_ref")
        if not ref:
            continue
        known = contacts.get(ref, Contact())
        contacts[ref] = Contact(
            phone=item.get("buyer_phone") or known.phone, address=item.get("buyer_address") or known.address
        )
    return contacts


def buyers_record(*, contacts: Mapping[str, Contact]) -> dict[str, Buyer]:
    """The buyers with these platform accounts, by account, created on first sight, for a whole
    batch at once; a contact given is kept as buyer_contact_apply keeps it. Needs no transaction
    of the caller's: the new buyers are one INSERT, the changed contacts one transaction."""
    if not contacts:
        return {}
    # Every batch writes its rows in the same order (accounts sorted, rows by id), so two batches
    # sharing people wait for each other instead of deadlocking: each takes the locks in one order.
    known = {buyer.account_ref: buyer for buyer in Buyer.objects.filter(account_ref__in=contacts).order_by("pk")}
    fresh = []
    for ref in sorted(contacts.keys() - known.keys()):
        buyer = Buyer(account_ref=ref)
        buyer_contact_apply(buyer=buyer, phone=contacts[ref].phone, address=contacts[ref].address)
        fresh.append(buyer)
    changed = [
        buyer
        for ref, buyer in known.items()
        if buyer_contact_apply(buyer=buyer, phone=contacts[ref].phone, address=contacts[ref].address)
    ]
    if changed:
        # Locked in id order before the update, so batches changing the same people queue up; a
        # no-key lock, as the update itself takes, so other batches' messages can still point at them.
        ids = [buyer.pk for buyer in changed]
        with transaction.atomic(savepoint=False):
            list(Buyer.objects.filter(pk__in=ids).order_by("pk").select_for_update(no_key=True).values_list("pk"))
            Buyer.objects.bulk_update(changed, ["phone", "phone_index", "address"])
    if fresh:
        # One statement, whole or not at all, so it needs no transaction of the caller's. Another
        # batch may create the same account meanwhile; the unique account keeps one, and only the
        # accounts this batch did not insert are read back.
        inserted = dict(insert_new(fresh, returning=("account_ref", "id")))
        for buyer in fresh:
            if buyer.account_ref in inserted:
                buyer.pk = inserted[buyer.account_ref]
                buyer._state.adding, buyer._state.db = False, Buyer.objects.db  # saved, as bulk_create marks them
                known[buyer.account_ref] = buyer
        if skipped := [buyer.account_ref for buyer in fresh if buyer.account_ref not in inserted]:
            known.update((buyer.account_ref, buyer) for buyer in Buyer.objects.filter(account_ref__in=skipped))
    return known


def buyer_phone_indexes_recompute() -> int:
    """Every buyer's phone index again under the current SHOUHU_INDEX_KEY, a thousand buyers at a
    time: after the index key changes, until this has run, "the same phone elsewhere" does not
    find the rows indexed under the old key. Returns the indexes that changed."""
    changed, after = 0, 0
    while True:
        batch = list(Buyer.objects.filter(pk__gt=after).exclude(phone_index="").order_by("pk")[:1000])
        if not batch:
            return changed
        stale = []
        for buyer in batch:
            if buyer.phone_index != (index := phone_index(buyer.phone)):
                buyer.phone_index = index
                stale.append(buyer)
        Buyer.objects.bulk_update(stale, ["phone_index"])
        changed, after = changed + len(stale), batch[-1].pk


# The buyer's fields that say who the person is: what buyer_anonymise blanks. A field of that
# kind added to Buyer belongs here too.
BUYER_PERSONAL_FIELDS = ("nickname", "phone", "phone_index", "address")


def buyer_anonymise(buyer: Buyer) -> Buyer:
    """Forget who the buyer is: the nickname, phone and address go, and the platform account becomes
    a pseudonym ("anon-<id>"), so that what is counted per person still counts one person. The
    account's next message or order makes a new buyer, which nothing links to this one. The region
    and time zone stay: too coarse to name anyone. Safe to run twice. The caller has made sure no
    record still needs the person (interventions' retention)."""
    for field in BUYER_PERSONAL_FIELDS:
        setattr(buyer, field, "")
    buyer.account_ref = f"anon-{buyer.pk}"
    buyer.save(update_fields=["account_ref", *BUYER_PERSONAL_FIELDS])
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
        raise Invalid(_("The product belongs to another merchant."))
    order = Order.objects.select_for_update().filter(external_ref=external_ref).first()
    created = order is None
    if order is None:
        order = Order(external_ref=external_ref, ordered_at=ordered_at or timezone.now())
    order.buyer, order.merchant, order.product = buyer, merchant, product
    order.quantity, order.status, order.region = quantity, status, region
    order.carrier, order.tracking_no = carrier, tracking_no
    save_with_history(order, by=by)
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
    outcomes: dict[int, OrderIntake] = {}
    # Rows are written in one order whatever the batch's (buyers, then orders by number), so two
    # batches sharing buyers or orders wait for each other instead of deadlocking.
    buyers = buyers_record(contacts=contacts_of([item for item in items if item["merchant_ref"] in merchants]))
    for index, item in sorted(enumerate(items), key=lambda pair: (pair[1]["order_ref"], pair[0])):
        merchant = merchants.get(item["merchant_ref"])
        if merchant is None:
            outcomes[index] = OrderIntake(index, item["order_ref"], None, False, "unknown merchant")
            continue
        product = product_record(
            merchant=merchant,
            external_ref=item["product_ref"],
            name=item["product_name"],
            risk_category=item.get("risk_category") or Product.RiskCategory.NONE,
        )
        order, created = order_record(
            external_ref=item["order_ref"],
            buyer=buyers[item["buyer_ref"]],
            merchant=merchant,
            product=product,
            quantity=item["quantity"],
            status=item["status"],
            region=regions.get(item.get("region_code") or ""),  # "" is no key: blank codes are skipped
            ordered_at=item["ordered_at"],
            carrier=item.get("carrier") or "",
            tracking_no=item.get("tracking_no") or "",
        )
        outcomes[index] = OrderIntake(index, item["order_ref"], order.pk, created)
    return [outcomes[index] for index in range(len(items))]


class NotShopAdmin(Refused):
    """Only a shop's admins manage its staff."""


def _ensure_shop_admin(merchant: Merchant, by: User) -> None:
    if not MerchantMembership.objects.filter(merchant=merchant, user=by, is_admin=True, user__is_active=True).exists():
        raise NotShopAdmin(by)


@transaction.atomic
def merchant_staff_invite(
    *, merchant: Merchant, by: User, email: str, display_name: str, paging_phone: str = "", is_admin: bool = False
) -> User:
    """A shop admin adds a colleague: a merchant-staff login of this shop only, with no password
    until the colleague sets one from the link emailed to them."""
    _ensure_shop_admin(merchant, by)
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(_("This email already has a login."))
    user = user_create(
        email=email.lower(),
        display_name=display_name,
        password=None,
        roles=[Role.MERCHANT_STAFF],
        by=by,
        paging_phone=paging_phone,
    )
    merchant_add_staff(merchant=merchant, user=user, is_admin=is_admin, by=by)
    transaction.on_commit(lambda: password_link_send(user=user))
    return user


def password_link_send(*, user: User) -> None:
    """Email the login a one-time link to set its password (Django's reset tokens: the link dies
    once used, when the password changes, or after PASSWORD_RESET_TIMEOUT)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = settings.SHOUHU_PORTAL_URL + reverse("accounts:password_set", args=[uid, token])
    send_mail(
        _("Your Shouhu login"),
        _("Set your password here (the link works once, for three days):\n%(link)s") % {"link": link},
        None,
        [user.email],
    )


@transaction.atomic
def merchant_staff_remove(*, membership: MerchantMembership, by: User) -> None:
    """Switch a colleague's login off: they can no longer sign in, and their open sessions end.
    The membership stays, so the history of what they did still names the shop."""
    _ensure_shop_admin(membership.merchant, by)
    if membership.user_id == by.pk:
        raise Invalid(_("You cannot remove yourself."))
    user = membership.user
    user.is_active = False
    save_with_history(user, by=by, update_fields=["is_active"])


@transaction.atomic
def merchant_second_factor_require(*, merchant: Merchant, by: User, required: bool) -> Merchant:
    """A shop admin requires (or stops requiring) a second factor of every login of the shop.
    Those without one are sent to set one up at their next page; the change is in the shop's
    history with who made it."""
    _ensure_shop_admin(merchant, by)
    merchant.second_factor_required = required
    save_with_history(merchant, by=by, update_fields=["second_factor_required"])
    return merchant


@transaction.atomic
def merchant_staff_set_admin(*, membership: MerchantMembership, by: User, is_admin: bool) -> MerchantMembership:
    _ensure_shop_admin(membership.merchant, by)
    if not is_admin and membership.user_id == by.pk:
        raise Invalid(_("Another admin must take your admin rights away."))
    membership.is_admin = is_admin
    save_with_history(membership, by=by, update_fields=["is_admin"])
    return membership
