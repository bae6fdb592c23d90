"""Reads of the caseload: the saved views of the case list (my open cases, my desk's, escalated,
waiting for a shop or the police, check-ins due today, closed recently), their counts in one
query, each case's oldest unanswered clock, and one page in list order.

What "waiting" means, in data: an interception the shop has not answered (requested or confirmed,
no answer recorded), a police referral the unit has not acknowledged (reported, not received), a
stop-payment the anti-fraud centre has not answered (requested, no answer). The clock of a case
is the oldest of those, or of its check-ins that are due and not done; a case with none of them
counts from its opening.
"""

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

from django.db.models import (
    Count,
    DateTimeField,
    F,
    FilteredRelation,
    Min,
    Q,
    QuerySet,
    TextChoices,
    Value,
)
from django.db.models.functions import Coalesce, Least, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import TRIAGE_ANY
from accounts.selectors import user_desks
from fraud.models import StopPaymentRequest
from orders.models import InterceptionRequest

from ..models import Case, CheckIn, Playbook, PoliceReferral
from .alerts import BUYER_WITH_REGIONS
from .notifications import end_of_day_for

CASE_PAGE_SIZE = 50
CLOSED_RECENTLY = timedelta(days=7)
CASE_LIST_ORDER = ("-risk_level", "clock", "id")


class CaseView(TextChoices):
    """The saved views of the case list, in the order of its tabs."""

    MINE = "mine", _("My open cases")
    DESK = "desk", _("My desks' open cases")
    ESCALATED = "escalated", _("Escalated")
    WAITING = "waiting", _("Waiting for a shop or the police")
    CHECKINS = "checkins", _("Check-ins due today")
    CLOSED = "closed", _("Closed in the last 7 days")


class Waiting(TextChoices):
    """What a case's clock counts from."""

    SHOP = "shop", _("Waiting for the shop's answer")
    POLICE = "police", _("Waiting for the police to acknowledge")
    CENTRE = "centre", _("Waiting for the anti-fraud centre")
    CHECKIN = "checkin", _("Check-in due")
    OPENED = "opened", _("Since the case was opened")


# Every status but closed, named so that the index on (desk, status, risk) can serve it.
OPEN = Q(status__in=[Case.Status.OPEN, Case.Status.MONITORING])

# What waits on a case, one condition per kind, written once: the views and counts read each as a
# set of case ids (PostgreSQL reads the few waiting rows once and hashes them), and the list joins
# each to its cases to read the clocks. (Looking a case's clock up row by row, with a subquery per
# case, made the desks' open cases several times slower, and its estimated cost had PostgreSQL
# compile the query first, which took longer than running it.)


def _unanswered_interception() -> Q:
    return Q(status__in=InterceptionRequest.OPEN_STATUSES, answered_at__isnull=True)


def _unacknowledged_referral() -> Q:
    return Q(status=PoliceReferral.Status.REPORTED, received_at__isnull=True)


def _unanswered_stop_payment() -> Q:
    return Q(status=StopPaymentRequest.Status.REQUESTED, answered_at__isnull=True)


def _checkin_due(*, by: datetime) -> Q:
    """Due by `by` and not done: to send or call, or sent and awaiting the reply (as the Today page
    counts them). Two conditions, so that each can use its partial index."""
    return Q(status=CheckIn.Status.PLANNED, due_at__lte=by) | Q(status__in=CheckIn.AWAITING_REPLY, due_at__lte=by)


def _among(rows: QuerySet) -> Q:
    """The cases that some of `rows` belong to."""
    return Q(pk__in=rows.values("case_id"))


def _via(relation: str, condition: Q) -> Q:
    """`condition`, on the case's rows through `relation` (for FilteredRelation)."""
    children: list[Q | tuple[str, object]] = []
    for child in condition.children:
        if isinstance(child, Q):
            children.append(_via(relation, child))
        else:
            lookup, value = cast(tuple[str, object], child)  # a Q's leaves are (lookup, value) pairs
            children.append((f"{relation}__{lookup}", value))
    return Q(*children, _connector=condition.connector, _negated=condition.negated)


def case_view_condition(view: str, *, user: User, now: datetime) -> Q:
    """The cases a saved view holds, as one condition: the list filters by it, and the counts
    count by it, so the tab's number is the list's length."""
    if view == CaseView.MINE:
        return OPEN & Q(owner=user)
    if view == CaseView.DESK:
        return OPEN
    if view == CaseView.ESCALATED:
        return OPEN & ~Q(tier=Case.Tier.SPECIALIST)
    if view == CaseView.WAITING:
        return OPEN & (
            _among(InterceptionRequest.objects.filter(_unanswered_interception()))
            | _among(PoliceReferral.objects.filter(_unacknowledged_referral()))
            | _among(StopPaymentRequest.objects.filter(_unanswered_stop_payment()))
        )
    if view == CaseView.CHECKINS:
        return OPEN & _among(CheckIn.objects.filter(_checkin_due(by=end_of_day_for(user, now))))
    if view == CaseView.CLOSED:
        return Q(status=Case.Status.CLOSED, closed_at__gte=now - CLOSED_RECENTLY)
    raise ValueError(f"no such case view: {view}")


def case_view_default(user: User) -> str:
    """Who hands work out starts on the desk's open cases; who works them, on their own."""
    return CaseView.DESK if user.has_perm(TRIAGE_ANY) else CaseView.MINE


def case_view_counts(user: User, desks: list[str], *, now: datetime) -> dict[str, int]:
    """How many cases each saved view holds, in one query over the desks' open and recently
    closed cases."""
    counts = (
        Case.objects.on_desks(desks)
        .filter(OPEN | Q(closed_at__gte=now - CLOSED_RECENTLY))
        .aggregate(
            **{view: Count("pk", filter=case_view_condition(view, user=user, now=now)) for view in CaseView.values}
        )
    )
    return {view: counts[view] or 0 for view in CaseView.values}


def my_open_case_count(user: User) -> int:
    """The number beside "Cases" in the navigation: my open cases on the desks I work. One query on
    a page whose view has read the user's desks (user_desks keeps them on the request's user)."""
    mine = case_view_condition(CaseView.MINE, user=user, now=timezone.now())
    return Case.objects.on_desks(user_desks(user)).filter(mine).count()


def cases_on_desks(desks: list[str]) -> QuerySet[Case]:
    """Cases of these desks (the user's: see user_desks), with what the API shows of each."""
    return Case.objects.on_desks(desks).select_related(BUYER_WITH_REGIONS, "owner")


def open_cases_on_desks(desks: list[str], *, owner: User | None = None) -> QuerySet[Case]:
    """The desks' open cases, or the open cases of one owner there: what a supervisor hands over."""
    cases = cases_on_desks(desks).filter(OPEN)
    return cases if owner is None else cases.filter(owner=owner)


# Later than any time a case holds: LEAST skips nulls on PostgreSQL but not on SQLite (the demo),
# so each missing time stands in as never, and never is turned back into null.
_NEVER = Value(datetime.max.replace(tzinfo=UTC), output_field=DateTimeField())


def _earliest(*times: F) -> NullIf:
    return NullIf(Least(*(Coalesce(time, _NEVER) for time in times)), _NEVER)


def case_list(desks: list[str], view: str, *, user: User, now: datetime) -> QuerySet[Case]:
    """The cases of a saved view on these desks, each with the times its clock is read from:
    `clock`, and what is waiting since when (`shop_since`, `police_since`, `centre_since`,
    `checkin_since`). Order and page it with case_list_page."""
    return (
        Case.objects.on_desks(desks)
        .filter(case_view_condition(view, user=user, now=now))
        .alias(
            waiting_shop=FilteredRelation("interceptions", condition=_via("interceptions", _unanswered_interception())),
            waiting_police=FilteredRelation("referrals", condition=_via("referrals", _unacknowledged_referral())),
            waiting_centre=FilteredRelation(
                "stop_payments", condition=_via("stop_payments", _unanswered_stop_payment())
            ),
            checkin_due=FilteredRelation("checkins", condition=_via("checkins", _checkin_due(by=now))),
        )
        .annotate(
            shop_since=Min("waiting_shop__requested_at"),
            police_since=Min("waiting_police__referred_at"),
            centre_since=Min("waiting_centre__requested_at"),
            checkin_since=Min("checkin_due__due_at"),
        )
        .annotate(
            clock=Coalesce(
                _earliest(F("shop_since"), F("police_since"), F("centre_since"), F("checkin_since")),
                F("opened_at"),
                output_field=DateTimeField(),
            )
        )
    )


@dataclass(frozen=True)
class CaseRow:
    """One row of the case list: the case, and what its clock counts from since when."""

    case: Case
    clock: datetime
    waiting: str

    @property
    def waiting_label(self) -> str:
        return str(Waiting(self.waiting).label)


_TIMES = ("pk", "risk_level", "clock", "shop_since", "police_since", "centre_since", "checkin_since")


def _row(case: Case, times: dict) -> CaseRow:
    for waiting, since in (
        (Waiting.SHOP, times["shop_since"]),
        (Waiting.POLICE, times["police_since"]),
        (Waiting.CENTRE, times["centre_since"]),
        (Waiting.CHECKIN, times["checkin_since"]),
    ):
        if since == times["clock"]:
            return CaseRow(case=case, clock=times["clock"], waiting=waiting)
    return CaseRow(case=case, clock=times["clock"], waiting=Waiting.OPENED)


def case_list_page(queryset: QuerySet[Case], *, after: str = "", size: int | None = None) -> tuple[list[CaseRow], str]:
    """One page of a case_list in list order (the highest risk first, then the oldest clock), by
    keyset (never OFFSET): the rows after the cursor (CASE_PAGE_SIZE of them unless told), and the
    cursor of the next page ('' when this is the last). Two queries: the page's ids and times in
    order, then those cases with their person and owner, so that only the page's rows are joined."""
    size = size or CASE_PAGE_SIZE
    queryset = queryset.order_by(*CASE_LIST_ORDER)
    position = _decode_cursor(after)
    if position is not None:
        risk, clock, pk = position
        queryset = queryset.filter(
            Q(risk_level__lt=risk) | Q(risk_level=risk, clock__gt=clock) | Q(risk_level=risk, clock=clock, id__gt=pk)
        )
    page = list(queryset.values(*_TIMES)[: size + 1])
    cases = Case.objects.select_related("buyer", "owner").in_bulk([times["pk"] for times in page[:size]])
    rows = [_row(cases[times["pk"]], times) for times in page[:size] if times["pk"] in cases]
    if len(page) <= size:
        return rows, ""
    return rows, _encode_cursor(rows[-1])


def _encode_cursor(row: CaseRow) -> str:
    raw = f"{row.case.risk_level}|{row.clock.isoformat()}|{row.case.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str) -> tuple[int, datetime, int] | None:
    try:
        risk, clock, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return int(risk), datetime.fromisoformat(clock), int(pk)
    except ValueError:
        return None


def staff_on_desks(desks: list[str]) -> QuerySet[User]:
    """The active members of these desks' teams: who owns cases there, and who may be handed one."""
    return User.objects.filter(teams__desk__in=desks, is_active=True).distinct().order_by("display_name")


def playbooks_on_desks(desks: list[str]) -> QuerySet[Playbook]:
    return Playbook.objects.filter(desk__in=desks)
