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

from django.db import connections
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
from django.db.models.functions import Cast, Coalesce, Least, NullIf
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


# Every status but closed, named so that the index on (desk, status, risk) can serve it; the case
# list's index (case_open_list_idx) holds the cases of this very condition: change both together.
OPEN = Q(status__in=[Case.Status.OPEN, Case.Status.MONITORING])

# What waits on a case, one condition per kind, written once: the views and counts read them as one
# set of case ids (PostgreSQL reads the few waiting rows once and hashes them, or starts from them),
# and the list joins each to its cases to read the clocks. (Looking a case's clock up row by row,
# with a subquery per case, made the desks' open cases several times slower, and its estimated cost
# had PostgreSQL compile the query first, which took longer than running it.)


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


def _waiting_for_others() -> list[QuerySet]:
    """What a shop, the police or an anti-fraud centre has not answered yet."""
    return [
        InterceptionRequest.objects.filter(_unanswered_interception()),
        PoliceReferral.objects.filter(_unacknowledged_referral()),
        StopPaymentRequest.objects.filter(_unanswered_stop_payment()),
    ]


def _among(*rows: QuerySet) -> Q:
    """The cases that some of `rows` belong to, as one set of case ids (a UNION of the kinds): one
    lookup per case, where a condition per kind made PostgreSQL look each case up in each."""
    ids = [each.order_by().values("case_id") for each in rows]
    return Q(pk__in=ids[0].union(*ids[1:]) if len(ids) > 1 else ids[0])


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
    if view == CaseView.CLOSED:
        return Q(status=Case.Status.CLOSED, closed_at__gte=now - CLOSED_RECENTLY)
    return OPEN & _among_open(view, user=user, now=now)


def _among_open(view: str, *, user: User, now: datetime) -> Q:
    """Which of the open cases a saved view of open cases holds."""
    if view == CaseView.MINE:
        return Q(owner=user)
    if view == CaseView.DESK:
        return Q()
    if view == CaseView.ESCALATED:
        return ~Q(tier=Case.Tier.SPECIALIST)
    if view == CaseView.WAITING:
        return _among(*_waiting_for_others())
    if view == CaseView.CHECKINS:
        return _among(CheckIn.objects.filter(_checkin_due(by=end_of_day_for(user, now))))
    raise ValueError(f"no such case view: {view}")


def case_view_default(user: User) -> str:
    """Who hands work out starts on the desk's open cases; who works them, on their own."""
    return CaseView.DESK if user.has_perm(TRIAGE_ANY) else CaseView.MINE


def case_view_counts(user: User, desks: list[str], *, now: datetime) -> dict[str, int]:
    """How many cases each saved view holds: two queries, the open views over the desks' open
    cases, then the cases closed recently, each read from its index alone (case_open_list_idx,
    case_closed_idx). One query over both, open OR closed recently, had PostgreSQL read every such
    row from the table: 12,000 for a supervisor of both desks on the bench seed, 12 to 22 ms."""
    cases = Case.objects.on_desks(desks)
    views = [view for view in CaseView.values if view != CaseView.CLOSED]
    counts = cases.filter(OPEN).aggregate(
        **{view: Count("pk", filter=_among_open(view, user=user, now=now) or None) for view in views}
    )
    counts[CaseView.CLOSED] = cases.filter(case_view_condition(CaseView.CLOSED, user=user, now=now)).count()
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
    """The cases of a saved view on these desks, to filter, then to order and page with
    case_list_page (which reads their clocks)."""
    return Case.objects.on_desks(desks).filter(case_view_condition(view, user=user, now=now))


def _with_clocks(cases: QuerySet[Case], *, now: datetime) -> QuerySet[Case]:
    """The cases, each with the times its clock is read from: `clock`, and what is waiting since
    when (`shop_since`, `police_since`, `centre_since`, `checkin_since`)."""
    return (
        cases.alias(
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


def _without_clocks(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Cases nothing waits on: their clock counts from their opening."""
    # Typed: a bare NULL in one part of a UNION is read as text, and text is not a time.
    nothing = Cast(Value(None), output_field=DateTimeField())
    return cases.annotate(
        shop_since=nothing, police_since=nothing, centre_since=nothing, checkin_since=nothing, clock=F("opened_at")
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


def case_list_page(
    queryset: QuerySet[Case], *, now: datetime, after: str = "", size: int | None = None
) -> tuple[list[CaseRow], str]:
    """One page of a case_list in list order (the highest risk first, then the oldest clock, the
    clocks read at `now`), by keyset (never OFFSET): the rows after the cursor (CASE_PAGE_SIZE of
    them unless told), and the cursor of the next page ('' when this is the last).

    Two queries: the page's ids and times in order, then those cases with their person and owner.
    The first is the first rows of two parts, merged: the few cases something waits on, with their
    clocks read through joins; and the others, whose clock is their opening, so that their first
    rows come in index order (case_open_list_idx) without reading the clocks of every open case of
    the desks (which made a page of the desks' 9,000 open cases cost 20 to 35 ms of SQL)."""
    size = size or CASE_PAGE_SIZE
    # What a clock counts from, other than the opening: few rows of each kind (each has its index).
    waits = _among(*_waiting_for_others(), CheckIn.objects.filter(_checkin_due(by=now)))
    # NOT IN is safe: no row of those kinds is without its case.
    parts = [_with_clocks(queryset.filter(waits), now=now), _without_clocks(queryset.exclude(waits))]
    position = _decode_cursor(after)
    if position is not None:
        risk, clock, pk = position
        later = (
            Q(risk_level__lt=risk) | Q(risk_level=risk, clock__gt=clock) | Q(risk_level=risk, clock=clock, id__gt=pk)
        )
        parts = [part.filter(later) for part in parts]
    if connections[queryset.db].features.supports_slicing_ordering_in_compound:
        waiting, idle = (part.order_by(*CASE_LIST_ORDER).values(*_TIMES)[: size + 1] for part in parts)
    else:  # SQLite (the demo) orders only the whole; its few cases are read whole
        waiting, idle = (part.order_by().values(*_TIMES) for part in parts)
    page = list(waiting.union(idle, all=True).order_by(*CASE_LIST_ORDER)[: size + 1])
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
