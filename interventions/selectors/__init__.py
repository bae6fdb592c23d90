"""Every read that the interventions pages, API and tasks need."""

import base64
import zoneinfo
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.desks import on_desks
from accounts.models import Team, User
from accounts.roles import Role
from accounts.selectors import user_desks
from fraud.models import DissuasionScript
from orders.models import InterceptionRequest, Order

from ..choices import Severity
from ..models import (
    Alert,
    Case,
    CheckIn,
    DutyShift,
    EmergencyAction,
    Heartbeat,
    IncidentReview,
    Message,
    Notification,
    Playbook,
    PoliceReferral,
    PoliceUnit,
    ReviewAction,
)
from .scanner import current_lexicon, scan_term_list_version, scanner_desk_examples  # noqa: F401

QUEUE_PAGE_SIZE = 50
HEARTBEAT_NAME = "worker"


QUEUE_ORDER = ("-severity", "sla_due_at", "created_at", "id")
# A person with the regions above theirs, which their masked address names (Buyer.address_masked).
BUYER_WITH_REGIONS = "buyer__region__parent__parent"


def open_alerts_for(desks: list[str]) -> QuerySet[Alert]:
    """Open alerts of these desks (the user's: see user_desks), with what a queue row shows."""
    return (
        Alert.objects.on_desks(desks)
        .filter(status__in=Alert.OPEN_STATUSES)
        .select_related("buyer", "merchant", "order__product", "claimed_by")
        .prefetch_related(Prefetch("messages", queryset=Message.objects.order_by("sent_at", "id")))
    )


def queue_page(queryset: QuerySet[Alert], *, after: str = "", size: int = QUEUE_PAGE_SIZE) -> tuple[list[Alert], str]:
    """One page of the queue in queue order, by keyset (never OFFSET): the rows after the cursor,
    and the cursor of the next page ('' when this is the last)."""
    queryset = queryset.order_by(*QUEUE_ORDER)
    position = _decode_cursor(after)
    if position is not None:
        severity, due, created, pk = position
        queryset = queryset.filter(
            Q(severity__lt=severity)
            | Q(severity=severity, sla_due_at__gt=due)
            | Q(severity=severity, sla_due_at=due, created_at__gt=created)
            | Q(severity=severity, sla_due_at=due, created_at=created, id__gt=pk)
        )
    rows = list(queryset[: size + 1])
    if len(rows) <= size:
        return rows, ""
    last = rows[size - 1]
    return rows[:size], _encode_cursor(last)


def _encode_cursor(alert: Alert) -> str:
    raw = f"{alert.severity}|{alert.sla_due_at.isoformat()}|{alert.created_at.isoformat()}|{alert.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str) -> tuple | None:
    try:
        severity, due, created, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return int(severity), datetime.fromisoformat(due), datetime.fromisoformat(created), int(pk)
    except ValueError:
        return None


def new_alert_counts(desks: list[str], *, since: datetime) -> dict:
    """How many alerts reached these desks since `since`, and how many of them are critical."""
    return (
        Alert.objects.on_desks(desks)
        .filter(created_at__gt=since)
        .aggregate(total=Count("id"), critical=Count("id", filter=Q(severity=Severity.CRITICAL)))
    )


def alert_for_user(user: User, pk: int) -> Alert:
    """The alert, if it belongs to a desk the user works; 404 otherwise (never 403)."""
    return get_object_or_404(
        Alert.objects.select_related(
            BUYER_WITH_REGIONS, "merchant", "order__product", "claimed_by", "case", "related_case"
        ).on_desks(user_desks(user)),
        pk=pk,
    )


def case_for_user(user: User, pk: int, *, granted: Iterable[int] = ()) -> Case:
    """The case, if it belongs to a desk the user works, or was opened to them by a break-glass
    grant (`granted`, for reading only); 404 otherwise."""
    mine = on_desks(user_desks(user)) | Q(pk__in=list(granted))
    return get_object_or_404(
        Case.objects.select_related(BUYER_WITH_REGIONS, "owner", "opened_by", "playbook", "ring").filter(mine), pk=pk
    )


def case_by_reference(reference: str) -> Case | None:
    """LP-000042 or AF-000042, on any desk: for a break-glass request, which is logged."""
    prefix, _, number = reference.strip().upper().partition("-")
    desks = {"LP": "life", "AF": "fraud"}
    if prefix not in desks or not number.isdigit():
        return None
    return Case.objects.filter(pk=int(number), desk=desks[prefix]).first()


def case_on_other_desk(buyer, *, desk: str, now: datetime, recent: dict[int, list[Case]] | None = None) -> Case | None:
    """The person's latest case on a desk other than `desk` that is open or was closed within
    SHOUHU_RELATED_CASE_WINDOW, or None. `recent`: recent_cases_of for a batch's people, read
    once by the caller; otherwise the person's are read now."""
    if recent is None:
        recent = recent_cases_of([buyer.pk], now=now)
    return next((case for case in recent.get(buyer.pk, []) if case.desk != desk), None)


def recent_cases_of(buyer_ids: Iterable[int], *, now: datetime) -> dict[int, list[Case]]:
    """The people's cases that are open or were closed within SHOUHU_RELATED_CASE_WINDOW, by
    person, latest opened first: what case_on_other_desk chooses from."""
    recent = Q(closed_at__isnull=True) | Q(closed_at__gte=now - settings.SHOUHU_RELATED_CASE_WINDOW)
    cases: dict[int, list[Case]] = {}
    for case in Case.objects.filter(recent, buyer_id__in=buyer_ids).order_by("-opened_at"):
        cases.setdefault(case.buyer_id, []).append(case)
    return cases


def open_cases_to_merge_into(alert: Alert, *, limit: int = 20) -> list[Case]:
    """Cases an alert may join: open cases of its desk, the same person's first."""
    cases = Case.objects.filter(desk=alert.desk).exclude(status=Case.Status.CLOSED).select_related("buyer")
    same_person = list(cases.filter(buyer=alert.buyer)[:limit]) if alert.buyer_id else []
    others = list(cases.exclude(pk__in=[c.pk for c in same_person]).order_by("-opened_at")[: limit - len(same_person)])
    return same_person + others


def buyer_history(alert_or_case_buyer, *, exclude_alert: int | None = None, limit: int = 20) -> dict:
    """Everything known about a person: earlier alerts, recent orders (high-risk marked), cases."""
    if alert_or_case_buyer is None:
        return {"alerts": [], "orders": [], "cases": []}
    alerts = Alert.objects.filter(buyer=alert_or_case_buyer).exclude(pk=exclude_alert).order_by("-created_at")
    return {
        "alerts": list(alerts.select_related("claimed_by")[:limit]),
        "orders": recent_orders_of(alert_or_case_buyer, limit=limit),
        "cases": list(Case.objects.filter(buyer=alert_or_case_buyer).order_by("-opened_at")[:limit]),
    }


def recent_orders_of(buyer, *, limit: int = 20) -> list[Order]:
    """The person's latest orders at any shop, with what marks high-risk goods."""
    if buyer is None:
        return []
    return list(
        Order.objects.filter(buyer=buyer)
        .select_related("product", "merchant", "region")
        .order_by("-ordered_at")[:limit]
    )


def open_alert_counts(*, now: datetime | None = None) -> dict:
    """Open alerts per desk and severity, and how many are past their claim deadline."""
    now = now or timezone.now()
    rows = (
        Alert.objects.filter(status__in=Alert.OPEN_STATUSES)
        .values("desk", "severity")
        .annotate(
            total=Count("id"),
            overdue=Count("id", filter=Q(status=Alert.Status.NEW, sla_due_at__lt=now)),
        )
    )
    return {(row["desk"], row["severity"]): row for row in rows}


def open_case_counts() -> dict:
    """Cases not closed, per desk and risk level."""
    rows = Case.objects.exclude(status=Case.Status.CLOSED).values("desk", "risk_level").annotate(total=Count("id"))
    return {(row["desk"], row["risk_level"]): row["total"] for row in rows}


def heartbeat_status(*, now: datetime | None = None) -> dict:
    """When the worker last ran the heartbeat task, and whether that is too long ago."""
    now = now or timezone.now()
    beat = Heartbeat.objects.filter(name=HEARTBEAT_NAME).first()
    if beat is None:
        return {"last_beat_at": None, "worker": "", "is_stale": True}
    return {
        "last_beat_at": beat.last_beat_at,
        "worker": beat.worker,
        "is_stale": now - beat.last_beat_at > settings.SHOUHU_HEARTBEAT_STALE_AFTER,
    }


def police_unit_for_liaison(user: User) -> PoliceUnit | None:
    """The one unit a liaison works for, or None."""
    return PoliceUnit.objects.select_related("region", "region__parent").filter(liaisons__user=user).first()


def managers_summary(*, now: datetime | None = None) -> dict:
    """The figures of the managers' start page, laid out per desk, most severe first."""
    from accounts.models import Desk

    now = now or timezone.now()
    alerts = open_alert_counts(now=now)
    cases = open_case_counts()
    severities = [s for s in reversed(Alert._meta.get_field("severity").choices) if s[0] > 0]
    risks = list(reversed(Case.RiskLevel.choices))
    desks = []
    for desk, desk_label in Desk.choices:
        alert_rows = [
            {
                "severity": value,
                "label": label,
                "total": alerts.get((desk, value), {}).get("total", 0),
                "overdue": alerts.get((desk, value), {}).get("overdue", 0),
            }
            for value, label in severities
        ]
        case_rows = [{"risk": value, "label": label, "total": cases.get((desk, value), 0)} for value, label in risks]
        desks.append(
            {
                "desk": desk,
                "label": desk_label,
                "alerts": alert_rows,
                "open_alerts": sum(row["total"] for row in alert_rows),
                "overdue_alerts": sum(row["overdue"] for row in alert_rows),
                "cases": case_rows,
                "open_cases": sum(row["total"] for row in case_rows),
            }
        )
    return {"desks": desks, "heartbeat": heartbeat_status(now=now), "now": now, "fraud": fraud_totals()}


def fraud_totals() -> dict:
    """What the anti-fraud desk saved, all time: computed in the database."""
    from fraud.models import Dissuasion, StopPaymentRequest

    dissuaded = Dissuasion.objects.aggregate(
        convinced=Count("id", filter=Q(convinced=True)), protected=Sum("amount_protected")
    )
    frozen = StopPaymentRequest.objects.aggregate(
        frozen=Count("id", filter=Q(status="frozen")), amount=Sum("frozen_amount")
    )
    return {
        "convinced": dissuaded["convinced"],
        "protected": dissuaded["protected"] or 0,
        "frozen": frozen["frozen"],
        "frozen_amount": frozen["amount"] or 0,
    }


def case_workspace(case: Case) -> dict:
    """Everything the case page shows besides the case row: one query per kind of thing."""
    from fraud.selectors import case_indicators

    return {
        "orders": recent_orders_of(case.buyer),
        "indicators": list(case_indicators(case=case)),
        "other_alerts": list(Alert.objects.filter(buyer=case.buyer_id).exclude(case=case).order_by("-created_at")[:20])
        if case.buyer_id
        else [],
        "other_cases": list(Case.objects.filter(buyer=case.buyer_id).exclude(pk=case.pk).order_by("-opened_at")[:20])
        if case.buyer_id
        else [],
        "assessments": list(case.assessments.select_related("assessed_by")[:10]),
        "interceptions": list(
            InterceptionRequest.objects.filter(case=case)
            .select_related("order__merchant", "order__product", "requested_by")
            .order_by("-requested_at")
        ),
        "referrals": list(case.referrals.select_related("unit", "referred_by")),
        "stop_payments": list(case.stop_payments.select_related("unit", "requested_by").order_by("-requested_at")),
        "dissuasions": list(case.dissuasions.select_related("by")),
        "scripts": list(DissuasionScript.objects.all()) if case.desk == "fraud" else [],
        "checkins": list(case.checkins.select_related("owner")),
        "ticks": {tick.step: tick for tick in case.ticks.filter(playbook=case.playbook_id).select_related("done_by")},
        "playbooks": list(Playbook.objects.filter(desk=case.desk, is_active=True)),
        "ring_members": list(case.ring_members.select_related("owner").order_by("pk")),
        # The bridge between the desks: alerts about this person raised on the other desk while
        # this case was open, and the other desk's cases this case's alerts were linked to.
        "related_alerts": list(case.related_alerts.select_related("case").order_by("-created_at")[:20]),
        "related_cases": list(Case.objects.filter(related_alerts__case=case).distinct().order_by("-opened_at")),
        "pending_reviews": sum(1 for a in case.emergency_actions.all() if a.review == EmergencyAction.Review.PENDING),
    }


def police_units_for_case(case: Case) -> list[PoliceUnit]:
    """Active units, those serving the person's region first (district, then city, then province),
    the desk's kind of unit first within each (anti-fraud centres for the fraud desk)."""
    units = list(PoliceUnit.objects.filter(is_active=True).select_related("region__parent"))
    lineage = [region.pk for region in case.buyer.region.lineage()] if case.buyer and case.buyer.region else []
    preferred = PoliceUnit.Kind.ANTI_FRAUD_CENTRE if case.desk == "fraud" else PoliceUnit.Kind.POLICE

    def nearness(unit: PoliceUnit) -> tuple:
        depth = lineage.index(unit.region_id) if unit.region_id in lineage else len(lineage)
        return (depth, unit.kind != preferred, unit.name)

    return sorted(units, key=nearness)


def colleagues_on_desk(case: Case) -> QuerySet[User]:
    """Who the case can be handed over to: active members of the desk's teams."""
    return User.objects.filter(teams__desk=case.desk, is_active=True).distinct().order_by("display_name")


def emergency_actions_to_review() -> QuerySet[EmergencyAction]:
    return EmergencyAction.objects.filter(review=EmergencyAction.Review.PENDING).select_related(
        "case", "taken_by", "interception__order__merchant", "referral__unit"
    )


def emergency_actions_reviewed(*, limit: int = 30) -> QuerySet[EmergencyAction]:
    return (
        EmergencyAction.objects.exclude(review=EmergencyAction.Review.PENDING)
        .select_related("case", "taken_by", "reviewed_by", "incident_review")
        .order_by("-reviewed_at")[:limit]
    )


def emergency_action_for_reviewer(pk: int) -> EmergencyAction:
    return get_object_or_404(EmergencyAction, pk=pk)


def incident_reviews() -> QuerySet[IncidentReview]:
    """Every blameless review, newest first, with how many follow-ups each still has open."""
    return IncidentReview.objects.select_related("case", "opened_by").annotate(
        open_follow_ups=Count("follow_ups", filter=Q(follow_ups__done_at__isnull=True)),
        follow_up_count=Count("follow_ups"),
    )


def case_for_reviewer(pk: int) -> Case:
    """Any case, for a supervisor or manager opening a review of it (reviewers read every desk,
    as the emergency-action queue does)."""
    return get_object_or_404(Case, pk=pk)


def incident_review_for_reviewer(pk: int) -> IncidentReview:
    return get_object_or_404(
        IncidentReview.objects.select_related(
            "case__owner", "opened_by", "concluded_by", "flagged_action__taken_by", "flagged_action__reviewed_by"
        ),
        pk=pk,
    )


def review_follow_ups(review: IncidentReview) -> QuerySet[ReviewAction]:
    return review.follow_ups.select_related("owner", "done_by")


def review_follow_ups_open_for(user: User) -> QuerySet[ReviewAction]:
    """What reviews left this person to see through, soonest due first."""
    return (
        ReviewAction.objects.filter(owner=user, done_at__isnull=True)
        .select_related("review__case")
        .order_by(F("due_on").asc(nulls_last=True), "id")
    )


def review_follow_up_of(pk: int) -> ReviewAction:
    return get_object_or_404(ReviewAction.objects.select_related("review", "owner"), pk=pk)


def review_owner_choices() -> QuerySet[User]:
    """Who may own a follow-up: active intervention staff."""
    return User.objects.filter(is_active=True, teams__isnull=False).distinct().order_by("display_name", "email")


def order_of_case_person(case: Case, order_id: int) -> Order:
    """An order of the case's person (any shop); 404 for anyone else's."""
    return get_object_or_404(Order.objects.select_related("merchant", "product"), pk=order_id, buyer=case.buyer_id)


def interception_of_case(case: Case, interception_id: int) -> InterceptionRequest:
    return get_object_or_404(InterceptionRequest.objects.select_related("order", "case"), pk=interception_id, case=case)


def referrals_for_liaison(user: User) -> QuerySet[PoliceReferral]:
    """Referrals made to the liaison's own unit, newest first; never another unit's."""
    return (
        PoliceReferral.objects.filter(unit__liaisons__user=user)
        .select_related("case__buyer__region", "referred_by", "unit")
        .prefetch_related(Prefetch("covers", queryset=Case.objects.order_by("pk")))
        .order_by("-referred_at")
    )


def referral_for_liaison(user: User, pk: int) -> PoliceReferral:
    return get_object_or_404(referrals_for_liaison(user), pk=pk)


def police_directory() -> list[tuple]:
    """Active units grouped by the region they serve (province, then city, then district)."""
    units = (
        PoliceUnit.objects.filter(is_active=True)
        .select_related("region__parent")
        .order_by("region__code", "kind", "name")
    )
    grouped: dict = {}
    for unit in units:
        grouped.setdefault(unit.region, []).append(unit)
    return list(grouped.items())


def stop_payments_for_liaison(user: User):
    """Stop-payment requests to the liaison's own centre, the ones still running first."""
    from fraud.models import StopPaymentRequest

    return (
        StopPaymentRequest.objects.filter(unit__liaisons__user=user)
        .select_related("case__buyer", "requested_by", "unit")
        .order_by("answered_at", "-requested_at")
    )


def stop_payment_for_liaison(user: User, pk: int):
    return get_object_or_404(stop_payments_for_liaison(user), pk=pk)


def stop_payment_packet(user: User, pk: int):
    """A stop-payment with what its printable packet shows, for the case's desk or the centre's
    liaison; 404 for anyone else."""
    from fraud.models import StopPaymentRequest

    stop = get_object_or_404(
        StopPaymentRequest.objects.select_related("case__buyer__region", "unit__region", "requested_by"), pk=pk
    )
    works_case = stop.case.desk in user_desks(user)
    is_centre = stop.unit.liaisons.filter(user=user).exists()
    if not (works_case or is_centre):
        raise Http404
    return stop


# --- reminders: the rota, notifications, today's check-ins, the morning digest -------------------


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
        people = [team.lead for team in leads]
    if not people:
        people = list(User.objects.filter(groups__name=Role.SUPERVISOR, teams__desk=desk, is_active=True).distinct())
    if not people:  # no supervisor on the desk at all: every supervisor, so the page reaches someone
        people = list(supervisors())
    return people


def supervisors() -> QuerySet[User]:
    return User.objects.filter(groups__name=Role.SUPERVISOR, is_active=True).distinct().order_by("pk")


def unread_notification_count(user: User) -> int:
    return Notification.objects.filter(
        recipient=user, channel=Notification.Channel.PORTAL, read_at__isnull=True
    ).count()


def notifications_for(user: User, *, limit: int = 50) -> list:
    return list(Notification.objects.filter(recipient=user, channel=Notification.Channel.PORTAL)[:limit])


def checkins_today(user: User, *, now: datetime | None = None) -> list[CheckIn]:
    """The user's check-ins of today in their own time zone, and any earlier still waiting:
    phone calls to make, messages that await a reply."""
    now = now or timezone.now()
    zone = zoneinfo.ZoneInfo(user.time_zone)
    end_of_day = datetime.combine(timezone.localtime(now, zone).date(), datetime.max.time(), tzinfo=zone)
    waiting = [CheckIn.Status.PLANNED, *CheckIn.AWAITING_REPLY]
    return list(
        CheckIn.objects.filter(owner=user, status__in=waiting, due_at__lte=end_of_day)
        .exclude(case__status=Case.Status.CLOSED)
        .select_related("case__buyer")
        .order_by("due_at")
    )


def morning_digest(user: User, *, now: datetime) -> dict:
    """A supervisor's morning: open cases by risk, check-ins due today, and what is overdue, on
    the desks they work. Counts in the database; the text goes in the portal and by email."""
    desks = user_desks(user)
    zone = zoneinfo.ZoneInfo(user.time_zone)
    today = timezone.localtime(now, zone).date()
    day_start = datetime.combine(today, datetime.min.time(), tzinfo=zone)
    open_cases = dict(
        Case.objects.on_desks(desks)
        .exclude(status=Case.Status.CLOSED)
        .values_list("risk_level")
        .annotate(total=Count("pk"))
        .values_list("risk_level", "total")
    )
    checkins = CheckIn.objects.filter(
        on_desks(desks, via="case__"), due_at__gte=day_start, due_at__lt=day_start + timedelta(days=1)
    )
    overdue_alerts = Alert.objects.on_desks(desks).filter(status=Alert.Status.NEW, sla_due_at__lt=now).count()
    overdue_interceptions = InterceptionRequest.objects.filter(
        on_desks(desks, via="case__"), status=InterceptionRequest.Status.REQUESTED, deadline__lt=now
    ).count()
    missed = CheckIn.objects.filter(
        on_desks(desks, via="case__"),
        status__in=[CheckIn.Status.MISSED, CheckIn.Status.FAILED],
        due_at__gte=now - timedelta(days=1),
    ).count()
    lines = [
        _("Open cases by risk: %(counts)s")
        % {
            "counts": ", ".join(
                f"{label} {open_cases.get(value, 0)}" for value, label in reversed(Case.RiskLevel.choices)
            )
        },
        _("Check-ins due today: %(n)d") % {"n": checkins.count()},
        _("Overdue: %(alerts)d unclaimed alerts, %(interceptions)d unanswered interceptions")
        % {"alerts": overdue_alerts, "interceptions": overdue_interceptions},
        _("Check-ins without reply or not sent since yesterday: %(n)d") % {"n": missed},
    ]
    return {"zone": zone, "text": "\n".join(lines)}


def report_of_alert(alert: Alert):
    """The shop's report the alert came from, with its screenshots and thread, or None."""
    from orders.models import MerchantReport

    return (
        MerchantReport.objects.filter(alert=alert)
        .select_related("merchant", "reported_by", "order")
        .prefetch_related("attachments", "notes__author")
        .first()
    )
