"""Every write of the interventions app, by noun. Import from here: `from interventions.services
import alert_raise`. The console, the API, the admin and the Celery tasks all call these."""

from .alerts import (
    AlertAlreadyClaimed,
    AlertNotYours,
    alert_claim,
    alert_claim_deadline,
    alert_claim_next,
    alert_dismiss,
    alert_raise,
    alert_raise_by_hand,
    alert_raise_or_join,
)
from .cases import CaseClosed, alert_merge, alert_promote, case_add_note, case_event_record, case_open, case_rate_risk
from .intake import (
    INTAKE_SOURCES,
    MAX_BATCH,
    MAX_TEXT_LENGTH,
    Intake,
    message_store,
    messages_intake,
    messages_scan,
    messages_scan_overdue,
    scan_terms_load_defaults,
)
from .police import police_liaison_link, police_unit_register
from .system import heartbeat_record

__all__ = [
    "INTAKE_SOURCES",
    "MAX_BATCH",
    "MAX_TEXT_LENGTH",
    "AlertAlreadyClaimed",
    "AlertNotYours",
    "CaseClosed",
    "Intake",
    "alert_claim",
    "alert_claim_deadline",
    "alert_claim_next",
    "alert_dismiss",
    "alert_merge",
    "alert_promote",
    "alert_raise",
    "alert_raise_by_hand",
    "alert_raise_or_join",
    "case_add_note",
    "case_event_record",
    "case_open",
    "case_rate_risk",
    "heartbeat_record",
    "message_store",
    "messages_intake",
    "messages_scan",
    "messages_scan_overdue",
    "police_liaison_link",
    "police_unit_register",
    "scan_terms_load_defaults",
]
