"""Reads about how to reach a person: the same phone number behind other accounts."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Q, Value

from accounts.desks import on_desks
from orders.models import Buyer

from ..models import Alert, Case

_COLUMNS = ("kind", "row_id", "row_desk", "label", "level", "state", "account", "at")


@dataclass(frozen=True)
class Elsewhere:
    """One line of the list: a case or an alert ("case", "alert"), unsaved, with what the line shows
    and its buyer holding only the account."""

    kind: str
    item: Case | Alert


def same_phone_elsewhere(buyer: Buyer | None, *, desks: Iterable[str], limit: int = 20) -> list[Elsewhere]:
    """Open cases and open alerts of these desks (the reader's: see user_desks) about another
    account with the same phone number as `buyer`: one person behind several accounts is what the
    desks look for. Newest first, at most `limit`, in one query found through the phone's blind
    index."""
    if buyer is None or not buyer.phone_index:
        return []
    same_phone = on_desks(desks) & Q(buyer__phone_index=buyer.phone_index) & ~Q(buyer=buyer)
    cases = (
        Case.objects.filter(same_phone)
        .exclude(status=Case.Status.CLOSED)
        .annotate(
            kind=Value("case"),
            row_id=F("id"),
            row_desk=F("desk"),
            label=F("title"),
            level=F("risk_level"),
            state=F("status"),
            account=F("buyer__account_ref"),
            at=F("opened_at"),
        )
        .values_list(*_COLUMNS)
    )
    alerts = (
        Alert.objects.filter(same_phone, status__in=Alert.OPEN_STATUSES)
        .annotate(
            kind=Value("alert"),
            row_id=F("id"),
            row_desk=F("desk"),
            label=F("summary"),
            level=F("severity"),
            state=F("status"),
            account=F("buyer__account_ref"),
            at=F("created_at"),
        )
        .values_list(*_COLUMNS)
    )
    rows = cases.union(alerts, all=True).order_by("-at")[:limit]
    return [_listed(*row) for row in rows]


def _listed(kind, pk, desk, label, level, status, account, at) -> Elsewhere:
    buyer = Buyer(account_ref=account)
    if kind == "case":
        case = Case(pk=pk, desk=desk, title=label, risk_level=level, status=status, opened_at=at, buyer=buyer)
        return Elsewhere(kind, case)
    return Elsewhere(
        kind, Alert(pk=pk, desk=desk, summary=label, severity=level, status=status, created_at=at, buyer=buyer)
    )
