"""Messages, alerts, cases and their timeline; police units; the worker heartbeat. One module per
noun; import from here: `from interventions.models import Case`."""

from ..choices import Severity, Source
from .actions import CheckIn, EmergencyAction, PoliceReferral, RiskAssessment
from .alerts import Alert, Message
from .cases import Case, CaseEvent
from .playbooks import ChecklistTick, Playbook
from .police import PoliceLiaison, PoliceUnit
from .system import Heartbeat, ScanTerm

__all__ = [
    "Alert",
    "Case",
    "CaseEvent",
    "CheckIn",
    "ChecklistTick",
    "EmergencyAction",
    "Heartbeat",
    "Message",
    "Playbook",
    "PoliceLiaison",
    "PoliceReferral",
    "PoliceUnit",
    "RiskAssessment",
    "ScanTerm",
    "Severity",
    "Source",
]
