"""Orders and merchants, read by the platform's systems (the intake of orders is in interventions)."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from accounts import roles
from accounts.api_auth import api_access
from accounts.models import ApiToken
from config.api import Cursor

from .models import Merchant, Order


class OrderOut(serializers.ModelSerializer):
    order = serializers.CharField(source="external_ref", read_only=True)
    buyer = serializers.CharField(source="buyer.account_ref", read_only=True)
    merchant = serializers.CharField(source="merchant.external_ref", read_only=True)
    product = serializers.CharField(source="product.name", read_only=True)
    risk_category = serializers.CharField(source="product.risk_category", read_only=True)

    class Meta:
        model = Order
        fields = ["id", "order", "buyer", "merchant", "product", "risk_category", "quantity", "status", "ordered_at"]


class OrderFilter(django_filters.FilterSet):
    buyer = django_filters.CharFilter(field_name="buyer__account_ref")
    merchant = django_filters.CharFilter(field_name="merchant__external_ref")
    order = django_filters.CharFilter(field_name="external_ref")
    status = django_filters.MultipleChoiceFilter(choices=Order.Status.choices)

    class Meta:
        model = Order
        fields = ["buyer", "merchant", "order", "status"]


@extend_schema_view(list=extend_schema(description="Orders, newest first; held ones show status held."))
class OrderViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrderOut
    filterset_class = OrderFilter
    pagination_class = Cursor
    permission_classes = [api_access(scope=ApiToken.Scope.CASES_READ, permission=roles.WORK_QUEUE)]

    def get_queryset(self):
        return Order.objects.select_related("buyer", "merchant", "product")


class MerchantOut(serializers.ModelSerializer):
    shop = serializers.CharField(source="external_ref", read_only=True)

    class Meta:
        model = Merchant
        fields = ["id", "shop", "name", "emergency_contact_name", "emergency_phone", "is_active"]


class MerchantViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MerchantOut
    pagination_class = Cursor
    permission_classes = [api_access(scope=ApiToken.Scope.CASES_READ, permission=roles.WORK_QUEUE)]
    queryset = Merchant.objects.all()
