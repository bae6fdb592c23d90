"""The search box of the header, on every page of the staff who work a desk."""

from django.template import Library

from accounts.models import AccessLog

from ..services.search import SEARCH_PURPOSES

register = Library()


@register.inclusion_tag("interventions/_search_box.html", takes_context=True)
def search_box(context) -> dict:
    """The box, holding what the results page was asked, and its purpose select: the purposes a
    search may give, working the case chosen unless the searcher chose another."""
    request = context["request"]
    on_results = request.resolver_match is not None and request.resolver_match.view_name == "interventions:search"
    asked = request.GET if on_results else {}
    purpose = asked.get("purpose") if asked.get("purpose") in SEARCH_PURPOSES else AccessLog.Purpose.CASEWORK
    return {
        "q": asked.get("q", ""),
        "purpose": purpose,
        "purposes": [(value, label) for value, label in AccessLog.Purpose.choices if value in SEARCH_PURPOSES],
    }
