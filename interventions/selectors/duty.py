"""Who is on duty, and the supervisors."""

from datetime import datetime

from django.db.models import QuerySet

from accounts.models import Team, User
from accounts.roles import Role

from ..models import (
    DutyShift,
)


def on_duty(*, desk: str, role: str, at: datetime) -> list[User]:
    """Who is on duty for the desk in this role now, from the rota. With no shift on the rota, the
    desk's team leads (for a desk lead), then the desk's supervisors, then every supervisor: a
    page is not sent to no one while the portal has a supervisor."""
    shifts = DutyShift.objects.filter(desk=desk, role=role, starts_at__lte=at, ends_at__gt=at).select_related("user")
    people = [shift.user for shift in shifts if shift.user.is_active]
    if people:
        return people
    if role == DutyShift.Role.DESK_LEAD:
        leads = Team.objects.filter(desk=desk, lead__is_active=True).select_related("lead")
        people = [team.lead for team in leads if team.lead is not None]  # all: the filter asks for a lead
    if not people:
        people = list(User.objects.filter(groups__name=Role.SUPERVISOR, teams__desk=desk, is_active=True).distinct())
    if not people:  # no supervisor on the desk at all: every supervisor, so the page reaches someone
        people = list(supervisors())
    return people


def supervisors() -> QuerySet[User]:
    return User.objects.filter(groups__name=Role.SUPERVISOR, is_active=True).distinct().order_by("pk")
