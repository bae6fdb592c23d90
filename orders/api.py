"""The intake API for orders: the order system pushes new and changed orders."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_auth import TokenAuthentication, scope_required
from accounts.models import ApiToken
from config.api import ErrorSerializer, error_body, validate_items

from .models import Order, Product
from .services import orders_intake

MAX_ORDERS = 1_000


class IntakeOrderSerializer(serializers.Serializer):
    order_ref = serializers.CharField(max_length=64)
    buyer_ref = serializers.CharField(max_length=64)
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


class IntakeOrdersView(APIView):
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
        outcomes = orders_intake(items=[item for _index, item in good])
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
