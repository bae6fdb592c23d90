"""The intake API: the platform's chat and complaint systems push messages in."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_auth import TokenAuthentication, scope_required
from accounts.models import ApiToken
from config.api import ErrorSerializer, error_body, validate_items

from .services import INTAKE_SOURCES, MAX_BATCH, MAX_TEXT_LENGTH, messages_intake


class IntakeMessageSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=[(s.value, s.label) for s in INTAKE_SOURCES])
    channel = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    external_id = serializers.CharField(max_length=128)
    buyer_ref = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    merchant_ref = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    order_ref = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    text = serializers.CharField(max_length=MAX_TEXT_LENGTH, trim_whitespace=False)
    sent_at = serializers.DateTimeField()


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


class IntakeMessagesView(APIView):
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
