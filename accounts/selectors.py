"""Reads about users and teams."""

from .models import Desk, User


def user_desks(user: User) -> list[str]:
    """The desks whose queue the user works, in the order of Desk."""
    if not user.is_authenticated:
        return []
    own = set(user.teams.values_list("desk", flat=True))
    return [desk for desk in Desk.values if desk in own]
