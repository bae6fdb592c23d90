"""Messages, alerts, cases and their timeline; police units; the worker heartbeat. One module per
noun; import from here: `from interventions.models import Case`."""

from ..choices import Severity, Source
from .actions import EmergencyAction, PoliceReferral, RiskAssessment
from .alerts import Alert, Message
from .cases import Case, CaseEvent
from .figures import AlertDayFigure, CaseDayFigure, DurationBucket, FigureRollup, FrameDayFigure, TermDayFigure
from .playbooks import ChecklistTick, Playbook
from .police import PoliceLiaison, PoliceUnit
from .reminders import CheckIn, DutyShift, Notification
from .reviews import IncidentReview, ReviewAction
from .scanner import ScannerBacktest, ScanTermChange
from .system import Heartbeat, ScanTerm
from .webhooks import WebhookDelivery, WebhookSubscription

__all__ = [
    "Alert",
    "AlertDayFigure",
    "Case",
    "CaseDayFigure",
    "CaseEvent",
    "CheckIn",
    "ChecklistTick",
    "DurationBucket",
    "DutyShift",
    "EmergencyAction",
    "FigureRollup",
    "FrameDayFigure",
    "Heartbeat",
    "IncidentReview",
    "Message",
    "Notification",
    "Playbook",
    "PoliceLiaison",
    "PoliceReferral",
    "PoliceUnit",
    "ReviewAction",
    "RiskAssessment",
    "ScanTerm",
    "ScanTermChange",
    "ScannerBacktest",
    "Severity",
    "Source",
    "TermDayFigure",
    "WebhookDelivery",
    "WebhookSubscription",
]
