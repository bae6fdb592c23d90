"""What every API endpoint shares: one error shape, and per-item validation of batches.

Every failure answers `{"error": {"code", "message", "fields"}}`: never a stack trace or SQL.
"""

import logging
from collections.abc import Sequence

from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def exception_handler(exc: Exception, context: dict) -> Response:
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error in %s", context.get("view").__class__.__name__)
        return Response(
            error_body("server_error", "Something went wrong on our side; it has been logged."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body("invalid", "The request is not valid.", fields)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = error_body(code if isinstance(code, str) else "error", str(detail))
    return response


class ErrorSerializer(serializers.Serializer):
    """For the schema: the one error shape."""

    class Inner(serializers.Serializer):
        code = serializers.CharField()
        message = serializers.CharField()
        fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))

    error = Inner()


def validate_items(
    items: Sequence, serializer_class: type[serializers.Serializer], *, name: str
) -> tuple[list[tuple[int, dict]], dict[str, list[str]]]:
    """Validate each item of a batch on its own. Returns the good items with their index, and the
    errors keyed like `messages[3].text`, so one bad item never costs the others."""
    good: list[tuple[int, dict]] = []
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        serializer = serializer_class(data=item)
        if serializer.is_valid():
            good.append((index, serializer.validated_data))
            continue
        detail = serializer.errors if isinstance(item, dict) else {"non_field_errors": ["Each item must be an object."]}
        for field, messages in detail.items():
            errors[f"{name}[{index}].{field}"] = [str(message) for message in messages]
    return good, errors
