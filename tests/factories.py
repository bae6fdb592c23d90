"""factory-boy factories for every model. Each builds a valid row with the fewest choices made."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import ApiToken, Desk, Team, User
from fraud.models import Indicator, Sighting
from interventions.models import (
    Alert,
    Case,
    CaseEvent,
    CheckIn,
    EmergencyAction,
    Heartbeat,
    Message,
    Playbook,
    PoliceLiaison,
    PoliceReferral,
    PoliceUnit,
    RiskAssessment,
    ScanTerm,
    Severity,
    Source,
)
from interventions.notes import note_tokens
from interventions.services import alert_claim_deadline
from orders.models import Buyer, InterceptionRequest, Merchant, MerchantMembership, Order, Product, Region
from orders.services import buyer_record

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password(PASSWORD)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"小组{n}")
    desk = Desk.LIFE


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"{510100 + n * 100:06d}"[-6:])
    name = factory.Sequence(lambda n: f"城市{n}")
    level = Region.Level.CITY


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant

    external_ref = factory.Sequence(lambda n: f"shop-{n}")
    name = factory.Sequence(lambda n: f"商店{n}")
    emergency_contact_name = "值班店长"
    emergency_phone = "138-5550-0000"


class MerchantMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MerchantMembership

    user = factory.SubFactory(UserFactory)
    merchant = factory.SubFactory(MerchantFactory)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    merchant = factory.SubFactory(MerchantFactory)
    external_ref = factory.Sequence(lambda n: f"item-{n}")
    name = factory.Sequence(lambda n: f"商品{n}")
    risk_category = Product.RiskCategory.NONE


class BuyerFactory(factory.django.DjangoModelFactory):
    """A buyer with a phone of their own (so that no two share one by chance) and a street address,
    written through the service that keeps the phone's blind index."""

    class Meta:
        model = Buyer

    account_ref = factory.Sequence(lambda n: f"tb_buyer_{n}")
    nickname = factory.Sequence(lambda n: f"买家{n}")
    phone = factory.Sequence(lambda n: f"139{n % 10**8:08d}")
    address = factory.Sequence(lambda n: f"示范路{n}号")

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> Buyer:
        return buyer_record(**kwargs)


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    external_ref = factory.Sequence(lambda n: f"TB{n:012d}")
    buyer = factory.SubFactory(BuyerFactory)
    product = factory.SubFactory(ProductFactory)
    merchant = factory.SelfAttribute("product.merchant")
    status = Order.Status.PAID


class PoliceUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoliceUnit

    name = factory.Sequence(lambda n: f"公安局{n}")
    kind = PoliceUnit.Kind.POLICE
    region = factory.SubFactory(RegionFactory)
    phone_24h = "0571-5550-0110"


class PoliceLiaisonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoliceLiaison

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(PoliceUnitFactory)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    source = Source.CHAT
    external_id = factory.Sequence(lambda n: f"msg-{n}")
    buyer = factory.SubFactory(BuyerFactory)
    text = "你好,请问什么时候发货?"
    sent_at = factory.LazyFunction(timezone.now)


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    desk = Desk.LIFE
    source = Source.CHAT
    severity = Severity.HIGH
    summary = "明确意图 + 方法"
    buyer = factory.SubFactory(BuyerFactory)
    created_at = factory.LazyFunction(timezone.now)
    sla_due_at = factory.LazyAttribute(lambda a: alert_claim_deadline(severity=a.severity, raised_at=a.created_at))


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    desk = Desk.LIFE
    title = factory.Sequence(lambda n: f"个案{n}")
    buyer = factory.SubFactory(BuyerFactory)
    owner = factory.SubFactory(UserFactory)
    opened_by = factory.SelfAttribute("owner")


class PlaybookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Playbook

    name = factory.Sequence(lambda n: f"预案{n}")
    desk = Desk.LIFE
    steps = factory.LazyFunction(lambda: ["核实", "拦截订单", "报警"])


class CaseEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseEvent

    case = factory.SubFactory(CaseFactory)
    actor = factory.SelfAttribute("case.owner")
    kind = CaseEvent.Kind.NOTE
    payload = factory.LazyFunction(lambda: {"text": "已联系当事人"})
    # As the timeline's service writes it: a note with the blind index of its words.
    note_index = factory.LazyAttribute(
        lambda event: note_tokens(event.payload.get("text", "")) if event.kind == CaseEvent.Kind.NOTE else None
    )


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    kind = Indicator.Kind.PHONE
    value = factory.Sequence(lambda n: f"1705550{n:04d}")


class SightingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sighting

    indicator = factory.SubFactory(IndicatorFactory)
    case = factory.SubFactory(CaseFactory)


class HeartbeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Heartbeat
        django_get_or_create = ["name"]

    name = "worker"
    last_beat_at = factory.LazyFunction(timezone.now)


def minutes_ago(minutes: int):
    return timezone.now() - timedelta(minutes=minutes)


class EmergencyActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmergencyAction

    case = factory.SubFactory(CaseFactory)
    kind = EmergencyAction.Kind.REFERRAL
    referral = factory.SubFactory("tests.factories.PoliceReferralFactory", case=factory.SelfAttribute("..case"))
    taken_by = factory.SelfAttribute("case.owner")
    risk_level = 3


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    case = factory.SubFactory(CaseFactory)
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=12))
    send_after = factory.SelfAttribute("due_at")
    time_zone = "Asia/Shanghai"
    channel = CheckIn.Channel.CHAT
    text = "早上好"
    owner = factory.SelfAttribute("case.owner")
    created_by = factory.SelfAttribute("case.owner")


class InterceptionRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterceptionRequest

    case = factory.SubFactory(CaseFactory)
    order = factory.SubFactory(OrderFactory, buyer=factory.SelfAttribute("..case.buyer"))
    kind = InterceptionRequest.Kind.HOLD
    requested_by = factory.SelfAttribute("case.owner")
    deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=30))


class RiskAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskAssessment

    case = factory.SubFactory(CaseFactory)
    assessed_by = factory.SelfAttribute("case.owner")
    cssrs = factory.LazyFunction(lambda: {"q1": True})
    level = 1


class PoliceReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoliceReferral

    case = factory.SubFactory(CaseFactory)
    unit = factory.SubFactory(PoliceUnitFactory)
    referred_by = factory.SelfAttribute("case.owner")
    what_reported = "当事人欲轻生,已拦截订单"


class ScanTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScanTerm
        django_get_or_create = ["phrase", "category"]

    phrase = factory.Sequence(lambda n: f"词{n}")
    category = "intent"
    weight = 2


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A token row; tests that need its key use accounts.services.api_token_issue instead."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = "integration"
    prefix = factory.Sequence(lambda n: f"p{n:09d}")
    digest = "0" * 64
    scopes = factory.LazyFunction(lambda: ["intake:write"])
