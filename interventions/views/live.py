"""The stream of changes an open page listens to (interventions.live)."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET
from django_eventstream.views import events as eventstream_events

from accounts import roles
from accounts.access import AuthenticatedHttpRequest, portal_page

from ..live import for_at_most, release_connection, stream_lifetime


@portal_page(roles.WORK_QUEUE)
@require_GET
def live_events(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET /events/?channel=case-42&channel=queue-life: server-sent events, on the ASGI server
    only (docs/deploy.md). A channel the user may not follow ends the stream with an error event,
    and the page falls back to polling."""
    response = eventstream_events(request)
    release_connection()
    if response.streaming:
        response.streaming_content = for_at_most(response.streaming_content, stream_lifetime())
    return response
