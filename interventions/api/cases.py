"""Alerts, cases and their timeline, and the actions on a case, for the platform's systems.

The actions call the same services as the console. Reads are scoped like the console: a staff
session sees the desks its user works; an integration token with `cases:read` sees every desk.
"""

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import roles
from accounts.api_auth import AuthenticatedRequest, api_access
from accounts.models import ApiToken, Desk
from accounts.selectors import user_desks
from config.api import Cursor, ErrorSerializer, Idempotent
from orders.models import Order

from ..choices import Severity, Source
from ..models import Alert, Case, CaseEvent, CheckIn, PoliceUnit
from ..selectors import BUYER_WITH_REGIONS, CaseView, case_view_condition, cases_on_desks
from ..services import case_close, checkin_plan, order_intercept, police_refer


def _desks(request: Request) -> list[str]:
    """An integration token sees every desk; a person, the desks they work."""
    if isinstance(request.auth, ApiToken):
        return list(Desk.values)
    return user_desks(request.user)


def buyer_masked(attribute: str, help_text: str) -> serializers.Field:
    # Masked only: the full phone and address are revealed in the portal, with a purpose, logged.
    return serializers.CharField(
        source=f"buyer.{attribute}", default=None, allow_null=True, read_only=True, help_text=help_text
    )


BUYER_PHONE_HELP = "The buyer's phone number masked, e.g. 138****8000; empty when not known."
BUYER_ADDRESS_HELP = "Where the buyer lives, to the district at most (province, city, district names)."


class AlertSerializer(serializers.ModelSerializer):
    buyer = serializers.CharField(source="buyer.account_ref", default=None, allow_null=True, read_only=True)
    buyer_phone_masked = buyer_masked("phone_masked", BUYER_PHONE_HELP)
    buyer_address_masked = buyer_masked("address_masked", BUYER_ADDRESS_HELP)
    merchant = serializers.CharField(source="merchant.external_ref", default=None, allow_null=True, read_only=True)
    order = serializers.CharField(source="order.external_ref", default=None, allow_null=True, read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id", "desk", "source", "severity", "status", "summary", "buyer", "buyer_phone_masked",
            "buyer_address_masked", "merchant", "order", "case", "related_case", "created_at", "sla_due_at",
            "claimed_at",
        ]  # fmt: skip


class AlertFilter(django_filters.FilterSet):
    desk = django_filters.ChoiceFilter(choices=Desk.choices)
    status = django_filters.MultipleChoiceFilter(choices=Alert.Status.choices)
    severity_at_least = django_filters.TypedChoiceFilter(
        field_name="severity", lookup_expr="gte", choices=Severity.choices, coerce=int
    )
    source = django_filters.ChoiceFilter(choices=Source.choices)
    buyer = django_filters.CharFilter(field_name="buyer__account_ref")
    raised_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    raised_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Alert
        fields = ["desk", "status", "severity_at_least", "source", "buyer", "raised_after", "raised_before"]


@extend_schema_view(
    list=extend_schema(description="Alerts, newest first, filtered; cursor-paginated."),
    retrieve=extend_schema(responses={200: AlertSerializer, 404: ErrorSerializer}),
)
class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    pagination_class = Cursor
    permission_classes = [api_access(scope=ApiToken.Scope.CASES_READ, permission=roles.WORK_QUEUE)]

    def get_queryset(self):
        return Alert.objects.on_desks(_desks(self.request)).select_related(BUYER_WITH_REGIONS, "merchant", "order")


class CaseSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    buyer = serializers.CharField(source="buyer.account_ref", default=None, allow_null=True, read_only=True)
    buyer_phone_masked = buyer_masked("phone_masked", BUYER_PHONE_HELP)
    buyer_address_masked = buyer_masked("address_masked", BUYER_ADDRESS_HELP)
    owner = serializers.CharField(source="owner.display_name", default=None, allow_null=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id", "reference", "desk", "title", "buyer", "buyer_phone_masked", "buyer_address_masked",
            "risk_level", "status", "outcome", "owner", "tier", "ring", "opened_at", "closed_at",
        ]  # fmt: skip


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name", default=None, allow_null=True, read_only=True)
    # Encrypted at rest as text; an object in the API, as it was before it was encrypted.
    payload = serializers.JSONField(read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "actor", "payload", "created_at"]


class CaseFilter(django_filters.FilterSet):
    desk = django_filters.ChoiceFilter(choices=Desk.choices)
    status = django_filters.MultipleChoiceFilter(choices=Case.Status.choices)
    risk_at_least = django_filters.TypedChoiceFilter(
        field_name="risk_level", lookup_expr="gte", choices=Case.RiskLevel.choices, coerce=int
    )
    buyer = django_filters.CharFilter(field_name="buyer__account_ref")
    view = django_filters.ChoiceFilter(
        choices=CaseView.choices,
        method="in_view",
        help_text="One of the case list's saved views, as the portal's /cases/ shows it to the caller "
        "(`mine` and `checkins` read the caller's own cases and day).",
    )

    class Meta:
        model = Case
        fields = ["desk", "status", "risk_at_least", "buyer", "view"]

    def in_view(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(case_view_condition(value, user=self.request.user, now=timezone.now()))


class InterceptionIn(serializers.Serializer):
    order = serializers.CharField(max_length=64, help_text="The order number (the platform's order id).")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReferralIn(serializers.Serializer):
    unit = serializers.IntegerField(help_text="A police unit's id (see /api/v1/police-units).")
    what_reported = serializers.CharField(max_length=5000)
    reference_no = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class CheckInIn(serializers.Serializer):
    local_day = serializers.DateField(help_text="The day in the person's time zone.")
    local_time = serializers.TimeField(help_text="The time in the person's time zone, e.g. 08:30.")
    channel = serializers.ChoiceField(choices=CheckIn.Channel.choices)
    text = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    days = serializers.IntegerField(min_value=1, max_value=31, required=False, default=1)


class CloseIn(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Case.Outcome.choices)
    summary = serializers.CharField(max_length=5000)


class CreatedOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()


# 400: the body does not parse; 404: not yours; 409: the case moved on (closed); 422: the service refused it
# as asked (accounts/refusals.py: one status per kind of refusal, answered by config/api.py).
ACTION_RESPONSES = {
    201: CreatedOut,
    400: ErrorSerializer,
    404: ErrorSerializer,
    409: ErrorSerializer,
    422: ErrorSerializer,
}


@extend_schema_view(
    list=extend_schema(description="Cases, newest first, filtered; cursor-paginated."),
    retrieve=extend_schema(responses={200: CaseSerializer, 404: ErrorSerializer}),
)
class CaseViewSet(Idempotent, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    pagination_class = Cursor

    def get_permissions(self):
        if self.action in ("list", "retrieve", "timeline"):
            return [api_access(scope=ApiToken.Scope.CASES_READ, permission=roles.WORK_QUEUE)()]
        return [api_access(scope=ApiToken.Scope.ACTIONS_WRITE, permission=roles.WORK_QUEUE)()]

    def get_queryset(self):
        return cases_on_desks(_desks(self.request))

    @extend_schema(responses={200: CaseEventSerializer(many=True), 404: ErrorSerializer})
    @action(detail=True, methods=["get"], pagination_class=Cursor)
    def timeline(self, request: Request, pk=None) -> Response:
        """The case's timeline, newest first."""
        events = self.get_object().events.select_related("actor").order_by("-id")
        page = self.paginate_queryset(events)
        return self.get_paginated_response(CaseEventSerializer(page, many=True).data)

    @extend_schema(
        request=InterceptionIn,
        responses=ACTION_RESPONSES,
        examples=[OpenApiExample("Hold the herbicide", value={"order": "TB-A-1", "note": "买家有轻生风险"})],
        description="Ask the shop to hold (or recall) one of the person's orders. Asking again while "
        "a request is open returns that request.",
    )
    @action(detail=True, methods=["post"])
    def interceptions(self, request: AuthenticatedRequest, pk=None) -> Response:
        case, data = self._act_on(request, InterceptionIn)
        order = get_object_or_404(Order, external_ref=data["order"], buyer_id=case.buyer_id)
        return self._done(lambda: order_intercept(case=case, order=order, by=request.user, note=data["note"]))

    @extend_schema(request=ReferralIn, responses=ACTION_RESPONSES)
    @action(detail=True, methods=["post"])
    def referrals(self, request: AuthenticatedRequest, pk=None) -> Response:
        """Record a report made to a police unit or an anti-fraud centre."""
        case, data = self._act_on(request, ReferralIn)
        unit = get_object_or_404(PoliceUnit, pk=data.pop("unit"), is_active=True)
        return self._done(lambda: police_refer(case=case, unit=unit, by=request.user, **data))

    @extend_schema(request=CheckInIn, responses=ACTION_RESPONSES)
    @action(detail=True, methods=["post"])
    def checkins(self, request: AuthenticatedRequest, pk=None) -> Response:
        """Plan check-ins at a local time in the person's zone, daily for `days` days."""
        case, data = self._act_on(request, CheckInIn)
        return self._done(lambda: checkin_plan(case=case, by=request.user, **data)[0])

    @extend_schema(request=CloseIn, responses=ACTION_RESPONSES)
    @action(detail=True, methods=["post"])
    def close(self, request: AuthenticatedRequest, pk=None) -> Response:
        """Close the case with its outcome and a summary."""
        case, data = self._act_on(request, CloseIn)
        return self._done(lambda: case_close(case=case, by=request.user, **data))

    def _act_on(self, request: Request, serializer_class) -> tuple[Case, dict]:
        case = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return case, dict(serializer.validated_data)

    def _done(self, act) -> Response:
        # A refusal of the service is answered by the API's one exception handler.
        made = act()
        return Response({"id": made.pk, "status": getattr(made, "status", "")}, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(description="Police units and anti-fraud centres, with their 24h phones."))
class PoliceUnitViewSet(viewsets.ReadOnlyModelViewSet):
    pagination_class = Cursor
    permission_classes = [api_access(scope=ApiToken.Scope.CASES_READ, permission=roles.WORK_QUEUE)]

    class Out(serializers.ModelSerializer):
        region = serializers.CharField(source="region.code", default=None, allow_null=True, read_only=True)

        class Meta:
            model = PoliceUnit
            fields = ["id", "name", "kind", "region", "phone_24h", "is_active"]

    serializer_class = Out

    def get_queryset(self):
        return PoliceUnit.objects.select_related("region")
