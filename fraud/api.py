"""Indicator lookups for the platform's systems: is this phone, payee or link known, in how many
cases, and is it blocklisted? The value is normalised as Shouhu stores it, so any spelling works."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import roles
from accounts.api_auth import api_access
from accounts.models import ApiToken
from config.api import ErrorSerializer

from .indicators import normalise
from .models import Indicator
from .selectors import indicator_counts


class LookupIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Indicator.Kind.choices)
    value = serializers.CharField(max_length=500)


class LookupOut(serializers.Serializer):
    kind = serializers.CharField()
    value = serializers.CharField(help_text="The value as Shouhu stores it (E.164 phones, lower-cased links…).")
    known = serializers.BooleanField()
    blocklisted = serializers.BooleanField()
    block_reason = serializers.CharField(allow_blank=True)
    cases = serializers.IntegerField(help_text="Cases it was seen in, directly or through their alerts.")
    alerts = serializers.IntegerField(help_text="Alerts (complaints, chats, reports) it was seen in.")


class IndicatorLookupView(APIView):
    """Is this phone, account, payee or link known to Shouhu?"""

    permission_classes = [api_access(scope=ApiToken.Scope.INDICATORS_READ, permission=roles.WORK_QUEUE)]

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", enum=Indicator.Kind.values, required=True),
            OpenApiParameter("value", str, required=True, description="Any spelling: +86 138 0013 8000 works."),
        ],
        responses={200: LookupOut, 400: ErrorSerializer},
        examples=[
            OpenApiExample(
                "A payee in 37 complaints",
                response_only=True,
                value={
                    "kind": "payee",
                    "value": "alipay:game_coin_seller_88",
                    "known": True,
                    "blocklisted": True,
                    "block_reason": "反诈中心确认",
                    "cases": 5,
                    "alerts": 37,
                },
            )
        ],
    )
    def get(self, request: Request) -> Response:
        asked = LookupIn(data=request.query_params)
        asked.is_valid(raise_exception=True)
        kind = asked.validated_data["kind"]
        value = normalise(kind, asked.validated_data["value"])
        return Response(_lookup(kind, value))


def _lookup(kind: str, value: str) -> dict:
    indicator = Indicator.objects.filter(kind=kind, value=value).first()
    counts = indicator_counts(indicator) if indicator else {"cases": 0, "alerts": 0}
    return {
        "kind": kind,
        "value": value,
        "known": indicator is not None,
        "blocklisted": bool(indicator and indicator.is_blocked),
        "block_reason": indicator.block_reason if indicator else "",
        **counts,
    }


class BlocklistCheckIn(serializers.Serializer):
    items = LookupIn(many=True, help_text="Up to 100 indicators to check at once.")

    def validate_items(self, items: list) -> list:
        if len(items) > 100:
            raise serializers.ValidationError("At most 100 at a time.")
        return items


class BlocklistCheckOut(serializers.Serializer):
    blocklisted = LookupOut(many=True)


class BlocklistCheckView(APIView):
    """Which of these indicators are blocklisted? For a payment or order system before it pays out."""

    permission_classes = [api_access(scope=ApiToken.Scope.INDICATORS_READ, permission=roles.WORK_QUEUE)]

    @extend_schema(request=BlocklistCheckIn, responses={200: BlocklistCheckOut, 400: ErrorSerializer})
    def post(self, request: Request) -> Response:
        asked = BlocklistCheckIn(data=request.data)
        asked.is_valid(raise_exception=True)
        wanted = {(item["kind"], normalise(item["kind"], item["value"])) for item in asked.validated_data["items"]}
        listed = Indicator.objects.filter(
            blocked_at__isnull=False, value__in={value for _kind, value in wanted}
        ).values_list("kind", "value")
        hits = [_lookup(kind, value) for kind, value in sorted(set(listed) & wanted)]
        return Response({"blocklisted": hits})
