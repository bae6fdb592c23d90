"""The interventions pages, one module per subject: the queue and alerts, cases, emergency-action
reviews, the liaison's portal, the summary, reminders, figures, the audit, reviews, retention,
the scanner's pages and the search."""

from .alerts import alert_act, alert_detail, alert_new, queue, queue_bulk, queue_next
from .audit import audit_search, object_history
from .cases import (
    break_glass,
    case_act,
    case_detail,
    cases,
    cases_hand_over_view,
    police_units,
    stop_payment_print,
)
from .contact import alert_contact, case_contact
from .emergency_reviews import review_act, reviews
from .figures import figures, figures_export
from .incident_reviews import (
    incident_review,
    incident_review_act,
    incident_review_list,
    incident_review_start,
    review_follow_up_done,
)
from .liaison import liaison_home, referral_answer, stop_payment_answer_view
from .live import live_events
from .reminders import checkin_call, notification_open, notifications, notifications_read, today
from .retention import case_legal_hold
from .scanner import scanner, scanner_backtest, scanner_propose, scanner_publish, scanner_withdraw
from .search import search
from .summary import summary
from .system import health

__all__ = [
    "alert_act",
    "alert_contact",
    "alert_detail",
    "alert_new",
    "audit_search",
    "break_glass",
    "case_act",
    "case_contact",
    "case_detail",
    "case_legal_hold",
    "cases",
    "cases_hand_over_view",
    "checkin_call",
    "figures",
    "figures_export",
    "health",
    "incident_review",
    "incident_review_act",
    "incident_review_list",
    "incident_review_start",
    "liaison_home",
    "live_events",
    "notification_open",
    "notifications",
    "notifications_read",
    "object_history",
    "police_units",
    "queue",
    "queue_bulk",
    "queue_next",
    "referral_answer",
    "review_act",
    "review_follow_up_done",
    "reviews",
    "scanner",
    "scanner_backtest",
    "scanner_propose",
    "scanner_publish",
    "scanner_withdraw",
    "search",
    "stop_payment_answer_view",
    "stop_payment_print",
    "summary",
    "today",
]
