from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import unread_notification_count


def notifications(request: HttpRequest) -> dict:
    """The unread count on the top bar: one indexed count, made only when a page draws it."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_notification_count(user))}
