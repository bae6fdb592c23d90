from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import my_open_case_count, unread_notification_count


def notifications(request: HttpRequest) -> dict:
    """The unread count on the top bar: one indexed count, made only when a page draws it."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_notification_count(user))}


def caseload(request: HttpRequest) -> dict:
    """My open cases, beside "Cases" in the navigation: counted only when a page draws it, which
    it does for the desks' staff; the case list passes the count it has already read."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"my_open_cases": SimpleLazyObject(lambda: my_open_case_count(user))}
