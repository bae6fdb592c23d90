"""The classes DRF's settings name (the request parser, the throttle), apart from config.api: DRF
reads them while its views module loads, and config.api imports that module, so a class of
config.api named in the settings would be asked for before config.api exists."""

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; JSON nested deeper than Python's parser can follow is a bad request,
    not a server error."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise exceptions.ParseError(_("The JSON is nested too deeply.")) from error


class PerTokenThrottle(SimpleRateThrottle):
    """Requests per integration token (per user for a staff session), at the rate of
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"]."""

    scope = "token"

    def get_cache_key(self, request: Request, view) -> str | None:
        token: object = getattr(request, "auth", None)  # an ApiToken, or None for a staff session
        ident = f"token:{token.prefix}" if hasattr(token, "prefix") else f"user:{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
