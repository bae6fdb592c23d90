"""Reading the audit trail: the history rows of the audited models, each with its field-level
changes against the row before it ("risk: 中 → 高, by 李娜, 15:07, reason: …")."""

from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import CaseEvent

# What the audit search offers, in the managers' words: key → (label, model).
AUDITED = {
    "case": (_("cases"), "interventions.Case"),
    "alert": (_("alerts"), "interventions.Alert"),
    "interception": (_("interception requests"), "orders.InterceptionRequest"),
    "referral": (_("police referrals"), "interventions.PoliceReferral"),
    "stop_payment": (_("stop-payment requests"), "fraud.StopPaymentRequest"),
    "indicator": (_("indicators"), "fraud.Indicator"),
    "scan_term": (_("scan terms"), "interventions.ScanTerm"),
    "playbook": (_("playbooks"), "interventions.Playbook"),
    "user": (_("users"), "accounts.User"),
    "order": (_("orders"), "orders.Order"),
    "review": (_("incident reviews"), "interventions.IncidentReview"),
    "follow_up": (_("review follow-ups"), "interventions.ReviewAction"),
}
# With a context: "created" is also a field's name, translated as a noun.
ACTIONS = {
    "+": pgettext_lazy("audit action", "created"),
    "~": pgettext_lazy("audit action", "changed"),
    "-": pgettext_lazy("audit action", "deleted"),
}
# Fields whose values say nothing to a reader, or repeat the row's own time.
QUIET_FIELDS = {"updated_at", "password", "last_login", "matches"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class AuditEntry:
    when: datetime
    who: object
    action: str
    object_id: int
    object_label: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def audit_model(key: str):
    return apps.get_model(AUDITED[key][1])


def audit_entries(
    key: str,
    *,
    object_id: int | None = None,
    who: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> list[AuditEntry]:
    """The newest history rows of one audited model, filtered, each with what it changed. Two
    queries: the rows, and the rows just before them (for the diffs)."""
    history = audit_model(key).history.select_related("history_user")
    if object_id is not None:
        history = history.filter(id=object_id)
    if who:
        history = history.filter(history_user__email__iexact=who.strip())
    if since:
        history = history.filter(history_date__gte=since)
    if until:
        history = history.filter(history_date__lt=until)
    rows = list(history.order_by("-history_date", "-history_id")[:limit])
    previous = _previous_rows(key, rows)
    words = _timeline_words(rows)
    return [_entry(row, previous.get(row.history_id), words) for row in rows]


def _timeline_words(rows: list) -> dict[str, str]:
    """The words of the changes whose history rows point at a case's timeline line, by change reason:
    one query, none when no row points (CaseEvent.as_change_reason)."""
    prefix = CaseEvent.CHANGE_REASON_PREFIX
    pointers = {row.history_change_reason for row in rows if (row.history_change_reason or "").startswith(prefix)}
    ids = [int(pointer.removeprefix(prefix)) for pointer in pointers if pointer.removeprefix(prefix).isdigit()]
    return {event.as_change_reason: event.words for event in CaseEvent.objects.filter(pk__in=ids)} if ids else {}


def _previous_rows(key: str, rows: list) -> dict[int, object]:
    """For each row, the history row of the same object just before it: one query over the
    histories of the objects shown."""
    if not rows:
        return {}
    chains = (
        audit_model(key)
        .history.filter(id__in={row.id for row in rows}, history_date__lte=max(row.history_date for row in rows))
        .order_by("id", "history_date", "history_id")
    )
    previous: dict[int, object] = {}
    last_of_object: dict[int, object] = {}
    for row in chains:
        if row.id in last_of_object:
            previous[row.history_id] = last_of_object[row.id]
        last_of_object[row.id] = row
    return previous


def _entry(row, before, words: dict[str, str]) -> AuditEntry:
    reason = row.history_change_reason or ""
    entry = AuditEntry(
        when=row.history_date,
        who=row.history_user,
        action=row.history_type,
        object_id=row.id,
        object_label=_own_label(row),
        reason=words.get(reason, reason),
    )
    if before is not None and row.history_type == "~":
        delta = row.diff_against(before)
        entry.changes = [
            Change(
                str(_label(row, change.field)),
                _shown(row, change.field, change.old),
                _shown(row, change.field, change.new),
            )
            for change in delta.changes
            if change.field not in QUIET_FIELDS
        ]
    return entry


# The row's own columns that name it. str() of some models reads their relations (a referral
# names its case and unit), which would be two queries for every row shown.
LABEL_FIELDS = ("title", "name", "summary", "value", "phrase", "email", "external_ref", "payee_account")


def _own_label(row) -> str:
    model = row.instance_type
    if hasattr(model, "reference"):
        return f"{_as_recorded(row).reference} {getattr(row, 'title', '')}".strip()[:80]
    for name in LABEL_FIELDS:
        if getattr(row, name, ""):
            return str(getattr(row, name))[:80]
    return str(model._meta.verbose_name)


def _as_recorded(row):
    """The object as the history row recorded it. Not simple-history's `row.instance`: for the
    fields history leaves out (the person's words) that reads the live row, a query per row."""
    return row.instance_type(**{field.attname: getattr(row, field.attname) for field in row.tracked_fields})


def _label(row, name: str) -> str:
    return row.instance_type._meta.get_field(name).verbose_name


def _shown(row, name: str, value) -> str:
    if value in (None, ""):
        return "—"
    model_field = row.instance_type._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)[:120]
