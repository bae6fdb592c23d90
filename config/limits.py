"""How large a request body may be, by where it goes: answered before anything reads the body."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from .errors import error_body


def request_too_large(request: HttpRequest, limit: int) -> HttpResponse:
    """413 for a body over the limit of its address, in the API's one error shape under /api/."""
    message = _("The request is larger than this address takes (%(mb)s MB).") % {"mb": f"{limit / 1_000_000:g}"}
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("too_large", message), status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class RequestSizeLimitMiddleware:
    """Refuses a body larger than its address takes, by its Content-Length, before anything reads
    it: the intake endpoints take the largest batch the API promises
    (SHOUHU_INTAKE_BODY_LIMIT), a form with screenshots up to SHOUHU_UPLOAD_BODY_LIMIT, anything
    else SHOUHU_FORM_BODY_LIMIT. Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE) is set to the
    largest of them, so it never answers first with a page outside the error shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body it cannot measure
        limit = _body_limit(request)
        if length > limit:
            return request_too_large(request, limit)
        return self.get_response(request)


def _body_limit(request: HttpRequest) -> int:
    if request.path.startswith("/api/v1/intake/"):
        return settings.SHOUHU_INTAKE_BODY_LIMIT
    if request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
        return settings.SHOUHU_UPLOAD_BODY_LIMIT
    return settings.SHOUHU_FORM_BODY_LIMIT
