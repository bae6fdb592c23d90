"""The interventions API: intake, alerts, cases and their actions, police units."""

from .cases import AlertViewSet, CaseViewSet, PoliceUnitViewSet
from .intake import IntakeMessagesView, IntakeOrdersView

__all__ = ["AlertViewSet", "CaseViewSet", "IntakeMessagesView", "IntakeOrdersView", "PoliceUnitViewSet"]
