"""The intake API: the platform's chat, complaint and order systems push messages and orders in."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_auth import TokenAuthentication, scope_required
from accounts.models import ApiToken
from config.api import ErrorSerializer, Idempotent, error_body, validate_items
from orders.models import Order, Product

from ..services import INTAKE_SOURCES, MAX_BATCH, MAX_TEXT_LENGTH, messages_intake, orders_receive

MAX_ORDERS = 1_000


# Digits with the separators people write (+86 138-0013-8000, (0571) 5550 0110).
PHONE_PATTERN = r"^\+?[0-9(][0-9 ()-]{4,30}$"


def buyer_phone_field() -> serializers.Field:
    return serializers.RegexField(
        PHONE_PATTERN,
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="The buyer's phone number, e.g. 13800138000 or +86 138-0013-8000. Stored encrypted; "
        "shown masked (138****8000) until a specialist reveals it with a purpose.",
    )


def buyer_address_field() -> serializers.Field:
    return serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="The buyer's street address. Stored encrypted; shown only to the district of the "
        "buyer's region until revealed.",
    )


class IntakeMessageSerializer(serializers.Serializer):
    # The stubs take this for Field.source; DRF's metaclass moves a declared field off the class, so
    # it shadows nothing, and the API's field is named "source".
    source = serializers.ChoiceField(choices=[(s.value, s.label) for s in INTAKE_SOURCES])  # type: ignore[assignment]
    channel = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    external_id = serializers.CharField(max_length=128)
    buyer_ref = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    buyer_phone = buyer_phone_field()
    buyer_address = buyer_address_field()
    merchant_ref = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    order_ref = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    text = serializers.CharField(max_length=MAX_TEXT_LENGTH, trim_whitespace=False)
    sent_at = serializers.DateTimeField()

    def validate(self, attrs: dict) -> dict:
        if (attrs.get("buyer_phone") or attrs.get("buyer_address")) and not attrs.get("buyer_ref"):
            raise serializers.ValidationError({"buyer_ref": [_("A phone or an address needs the buyer's account.")]})
        return attrs


class IntakeBatchSerializer(serializers.Serializer):
    messages = IntakeMessageSerializer(many=True)


class IntakeItemSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    external_id = serializers.CharField()
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["created", "duplicate"])


class IntakeResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    items = IntakeItemSerializer(many=True)


class IntakeMessagesView(Idempotent, APIView):
    """Store up to 1,000 messages; each is stored once (by source and external id) and scanned."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [scope_required(ApiToken.Scope.INTAKE_WRITE)]

    @extend_schema(
        request=IntakeBatchSerializer,
        responses={202: IntakeResultSerializer, 400: ErrorSerializer},
        description="Good items are stored even when others are refused; the refused ones are named "
        "in error.fields as messages[INDEX].FIELD.",
    )
    def post(self, request: Request) -> Response:
        items = request.data.get("messages") if isinstance(request.data, dict) else None
        if not isinstance(items, list):
            return Response(
                error_body("invalid", _("Send an object with a list of messages."), {"messages": [_("A list.")]}),
                status=status.HTTP_400_BAD_REQUEST,
            )
        if len(items) > MAX_BATCH:
            return Response(
                error_body("batch_too_large", _("Send at most %(max)d messages at a time.") % {"max": MAX_BATCH}),
                status=status.HTTP_400_BAD_REQUEST,
            )
        good, errors = validate_items(items, IntakeMessageSerializer, name="messages")
        outcomes = messages_intake(items=[item for _index, item in good])
        body = _result(outcomes, [index for index, _item in good])
        if errors:
            message = _("%(bad)d of %(all)d messages were refused; the others were accepted.") % {
                "bad": len({key.split("]")[0] for key in errors}),
                "all": len(items),
            }
            return Response(
                {**error_body("invalid_items", message, errors), **body}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response(body, status=status.HTTP_202_ACCEPTED)


def _result(outcomes, indexes: list[int]) -> dict:
    created = sum(1 for outcome in outcomes if outcome.created)
    return {
        "accepted": len(outcomes),
        "created": created,
        "duplicates": len(outcomes) - created,
        "items": [
            {
                "index": index,
                "external_id": outcome.external_id,
                "id": outcome.message_id,
                "status": "created" if outcome.created else "duplicate",
            }
            for index, outcome in zip(indexes, outcomes, strict=True)
        ],
    }


class IntakeOrderSerializer(serializers.Serializer):
    order_ref = serializers.CharField(max_length=64)
    buyer_ref = serializers.CharField(max_length=64)
    buyer_phone = buyer_phone_field()
    buyer_address = buyer_address_field()
    merchant_ref = serializers.CharField(max_length=64)
    product_ref = serializers.CharField(max_length=64)
    product_name = serializers.CharField(max_length=300)
    risk_category = serializers.ChoiceField(choices=Product.RiskCategory.choices, required=False)
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)
    status = serializers.ChoiceField(choices=Order.Status.choices)
    region_code = serializers.RegexField(r"^\d{6}$", required=False, allow_blank=True)
    carrier = serializers.CharField(max_length=64, required=False, allow_blank=True)
    tracking_no = serializers.CharField(max_length=64, required=False, allow_blank=True)
    ordered_at = serializers.DateTimeField()


class IntakeOrdersBatchSerializer(serializers.Serializer):
    orders = IntakeOrderSerializer(many=True)


class IntakeOrdersView(Idempotent, APIView):
    """Create or update up to 1,000 orders, keyed by order number."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [scope_required(ApiToken.Scope.INTAKE_WRITE)]

    @extend_schema(request=IntakeOrdersBatchSerializer, responses={202: dict, 400: ErrorSerializer})
    def post(self, request: Request) -> Response:
        items = request.data.get("orders") if isinstance(request.data, dict) else None
        if not isinstance(items, list) or len(items) > MAX_ORDERS:
            return Response(
                error_body("invalid", _("Send an object with a list of at most %(max)d orders.") % {"max": MAX_ORDERS}),
                status=status.HTTP_400_BAD_REQUEST,
            )
        good, errors = validate_items(items, IntakeOrderSerializer, name="orders")
        outcomes = orders_receive(items=[item for _index, item in good])
        stored = []
        for (index, _item), outcome in zip(good, outcomes, strict=True):
            if outcome.error:
                errors[f"orders[{index}].merchant_ref"] = [_("No merchant is registered with this shop ID.")]
            else:
                stored.append(
                    {
                        "index": index,
                        "order_ref": outcome.order_ref,
                        "id": outcome.order_id,
                        "status": "created" if outcome.created else "updated",
                    }
                )
        body = {"accepted": len(stored), "items": stored}
        if errors:
            message = _("Some orders were refused; the others were stored.")
            return Response(
                {**error_body("invalid_items", message, errors), **body}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response(body, status=status.HTTP_202_ACCEPTED)
