"""What every API endpoint shares: one error shape, and per-item validation of batches.

Every failure answers `{"error": {"code", "message", "fields"}}`: never a stack trace or SQL.
"""

import hashlib
import json
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from django.views.defaults import server_error as django_server_error
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.api_auth import TokenAuthentication
from accounts.models import IdempotentRequest
from accounts.refusals import Refused

from .errors import error_body

logger = logging.getLogger(__name__)


def exception_handler(exc: Exception, context: dict) -> Response:
    # Django's own exceptions become DRF's, as DRF's handler does, so their codes are DRF's too.
    if isinstance(exc, Refused):
        # A service's refusal, in its own (translated) words, with its kind's status: 404 not yours,
        # 409 the state moved on, 422 not possible as asked.
        return Response(error_body(exc.code, str(exc)), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error in %s", context.get("view").__class__.__name__)
        return Response(
            error_body("server_error", "Something went wrong on our side; it has been logged."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        detail: object = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body("invalid", "The request is not valid.", _flat_fields(detail))
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = error_body(code if isinstance(code, str) else "error", str(detail))
    return response


def _flat_fields(detail, prefix: str = "") -> dict[str, list[str]]:
    """Nested errors (a list of objects, an object in an object) named by their path, as the
    batch endpoints name theirs: {"items[0].value": ["…"]}. Every value is a list of strings."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for name, inner in detail.items():
            flat.update(_flat_fields(inner, f"{prefix}.{name}" if prefix else str(name)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, inner in enumerate(detail):
            if inner:
                flat.update(_flat_fields(inner, f"{prefix}[{index}]"))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(message) for message in messages]}


# The refusals every operation can answer, whatever its own: no or a bad token (401), a token or a
# session without the scope, the role or the second factor (403), too many requests (429); and,
# where the request carries a body, a query or an id, bad input (400) and nothing found (404).
COMMON_ERRORS = {"401": "Not signed in", "403": "Not allowed", "429": "Too many requests"}


def common_errors_document(result: dict, generator, request, public) -> dict:
    """A drf-spectacular postprocessing hook: each operation documents, in the one error shape, the
    refusals it can answer, so a client (and the schema tests) know every status code it may get."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, item in result.get("paths", {}).items():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            codes = dict(COMMON_ERRORS)
            if operation.get("requestBody") or operation.get("parameters"):
                codes["400"] = "Bad input"
            if "{" in path:
                codes["404"] = "Not found, or not yours to see"
            for code, description in codes.items():
                responses.setdefault(code, {"content": error, "description": description})
    return result


class ErrorSerializer(serializers.Serializer):
    """For the schema: the one error shape."""

    class Inner(serializers.Serializer):
        code = serializers.CharField()
        message = serializers.CharField()
        # The stubs take this for Serializer.fields; DRF's metaclass moves a declared field off the
        # class, so it shadows nothing, and the error shape's key is named "fields".
        fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]

    error = Inner()


def validate_items(
    items: Sequence, serializer_class: type[serializers.Serializer], *, name: str
) -> tuple[list[tuple[int, dict]], dict[str, list[str]]]:
    """Validate each item of a batch on its own. Returns the good items with their index, and the
    errors keyed like `messages[3].text`, so one bad item never costs the others."""
    good: list[tuple[int, dict]] = []
    errors: dict[str, list[str]] = {}
    # One serializer for every item, as DRF's many=True does: building its fields is most of the
    # cost of a small item, and a batch holds a thousand.
    checker = serializer_class()
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors[f"{name}[{index}].non_field_errors"] = [_("Each item must be an object.")]
            continue
        try:
            good.append((index, checker.run_validation(item)))
        except exceptions.ValidationError as refused:
            for field, messages in serializers.as_serializer_error(refused).items():
                errors[f"{name}[{index}].{field}"] = [str(message) for message in messages]
    return good, errors


# --- what every endpoint of /api/v1/ shares ------------------------------------------------------


class Cursor(CursorPagination):
    """Cursor pagination: stable under inserts, and as fast on page 1,000 as on page 1. A cursor
    this list did not give out (garbled, or with a position that is not an id) is a bad request."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = ("-id",)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as error:
            raise _bad_cursor() from error

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, DjangoValidationError) as error:  # a position the ordering cannot compare
            raise _bad_cursor() from error


def _bad_cursor() -> exceptions.ParseError:
    return exceptions.ParseError(_("This cursor was not given out by this list; start again without it."))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 404 for a URL no view answers: the one error shape under /api/, the page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", "Nothing is at this address."), status=404)
    return page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body("server_error", "Something went wrong on our side; it has been logged."), status=500
        )
    return django_server_error(request)


# The mixin goes before an APIView, whose dispatch its own calls; for the type checker only, it
# is one (at run time it stays a plain mixin, so no view's method order changes).
if TYPE_CHECKING:
    _IdempotentBase = APIView
else:
    _IdempotentBase = object


class Idempotent(_IdempotentBase):
    """Mixin for API views: a POST with an Idempotency-Key header runs once per user and key; the
    same key again gets the first answer back and changes nothing. The key is held in the same
    transaction as the work, so two copies of one request sent at once run once."""

    def dispatch(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key", "").strip()
        if request.method != "POST" or not key:
            return super().dispatch(request, *args, **kwargs)
        return self._dispatch_once(request, key, *args, **kwargs)

    def _dispatch_once(self, request, key: str, *args, **kwargs):
        digest = hashlib.sha256(request.body).hexdigest()
        user = self._caller(request)
        if user is None or len(key) > 200:
            return super().dispatch(request, *args, **kwargs)  # authentication or validation answers
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(
                    user=user, key=key, method=request.method, path=request.path, body_digest=digest
                )
                response = super().dispatch(request, *args, **kwargs)
                if response.status_code >= 500:
                    raise _DoNotKeep(response)
                if hasattr(response, "render"):
                    response.render()
                if not isinstance(response, HttpResponse):  # never: API views answer with DRF's Response
                    raise TypeError("An API view answered with a streamed response, which cannot be kept.")
                record.status_code = response.status_code
                record.response = json.loads(response.content or b"null")
                record.save(update_fields=["status_code", "response"])
                return response
        except _DoNotKeep as failed:  # a server error is not an answer to replay: the retry runs again
            return failed.response
        except IntegrityError:
            return self._replay(user, key, digest)

    @staticmethod
    def _caller(request):
        try:
            found = TokenAuthentication().authenticate(Request(request))
        except exceptions.AuthenticationFailed:
            return None
        if found is not None:
            return found[0]
        return request.user if request.user.is_authenticated else None

    @staticmethod
    def _replay(user, key: str, digest: str) -> HttpResponse:
        record = IdempotentRequest.objects.get(user=user, key=key)
        if record.body_digest != digest:
            body = error_body("idempotency_key_reused", "This Idempotency-Key was used with another request.")
            return JsonResponse(body, status=422)
        response = JsonResponse(record.response, status=record.status_code, safe=False)
        response["Idempotent-Replayed"] = "true"
        return response


class _DoNotKeep(Exception):
    def __init__(self, response) -> None:
        super().__init__("server error")
        self.response = response
