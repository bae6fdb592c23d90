from django.http import HttpRequest

from . import roles
from .security import second_factor_required


def portal(request: HttpRequest) -> dict:
    """What the base layout needs to draw the navigation for the signed-in user."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav": {
            "queue": user.has_perm(roles.WORK_QUEUE),
            "summary": user.has_perm(roles.VIEW_SUMMARY),
            "reviews": user.has_perm(roles.REVIEW_EMERGENCY_ACTIONS),
            "merchant": user.has_perm(roles.USE_MERCHANT_PORTAL),
            "liaison": user.has_perm(roles.USE_LIAISON_PORTAL),
            "admin": user.is_staff and user.has_perm(roles.ACCESS_ADMIN),
        },
        # Asked only by the pages that say whether the second factor may be switched off.
        "must_use_second_factor": lambda: second_factor_required(user),
    }
