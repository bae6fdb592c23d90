"""The roles of the portal and what each may do.

A role is a Group of the same name; `sync_role_groups` keeps the groups' permissions equal to
this table on every migrate, so the table is the one place to read or change them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SPECIALIST = "specialist", _("Intervention specialist")
    SUPERVISOR = "supervisor", _("Supervisor")
    MANAGER = "manager", _("Manager")
    MERCHANT_STAFF = "merchant_staff", _("Merchant staff")
    POLICE_LIAISON = "police_liaison", _("Police liaison")
    INTEGRATION = "integration", _("Integration")


# Permissions the portal checks, by name, so that views read as what they guard.
WORK_QUEUE = "interventions.work_queue"
VIEW_SUMMARY = "interventions.view_summary"
REVIEW_EMERGENCY_ACTIONS = "interventions.review_emergency_action"
USE_LIAISON_PORTAL = "interventions.use_liaison_portal"
SUBMIT_INTAKE = "interventions.submit_intake"
USE_MERCHANT_PORTAL = "orders.use_merchant_portal"
ACCESS_ADMIN = "accounts.access_admin"
TRIAGE_ANY = "interventions.triage_any"
PLACE_LEGAL_HOLD = "interventions.place_legal_hold"
# Propose changes to the scanner's term lists, backtest them and publish a tested set.
TUNE_SCANNER = "interventions.add_scantermchange"

_CASEWORK = [
    WORK_QUEUE,
    "interventions.view_alert",
    "interventions.add_alert",
    "interventions.change_alert",
    "interventions.view_case",
    "interventions.add_case",
    "interventions.change_case",
    "interventions.view_caseevent",
    "interventions.add_caseevent",
    "interventions.view_message",
    "interventions.view_policeunit",
    "orders.view_order",
    "orders.view_buyer",
    "orders.view_merchant",
    "orders.view_product",
    "orders.view_region",
    "fraud.view_indicator",
    "fraud.add_indicator",
    "fraud.view_sighting",
    "fraud.add_sighting",
]

_OVERSIGHT = [
    VIEW_SUMMARY,
    TRIAGE_ANY,
    REVIEW_EMERGENCY_ACTIONS,
    PLACE_LEGAL_HOLD,
    ACCESS_ADMIN,
    "interventions.view_historicalalert",
    "interventions.view_historicalcase",
    "interventions.view_scanterm",
    "fraud.change_indicator",
    "orders.view_historicalorder",
    "accounts.view_user",
    "accounts.view_team",
    "django_celery_beat.view_periodictask",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.SPECIALIST: _CASEWORK,
    Role.SUPERVISOR: _CASEWORK + _OVERSIGHT,
    Role.MANAGER: _CASEWORK
    + _OVERSIGHT
    + [
        "accounts.change_team",
        "accounts.add_team",
        "interventions.add_policeunit",
        "interventions.change_policeunit",
        "orders.add_merchant",
        "orders.change_merchant",
        "interventions.view_scanterm",
        "interventions.view_historicalscanterm",
        TUNE_SCANNER,
        "interventions.view_scantermchange",
        "interventions.view_scannerbacktest",
        "interventions.view_playbook",
        "interventions.add_playbook",
        "interventions.change_playbook",
        "django_celery_beat.change_periodictask",
    ],
    Role.MERCHANT_STAFF: [USE_MERCHANT_PORTAL],
    Role.POLICE_LIAISON: [USE_LIAISON_PORTAL],
    Role.INTEGRATION: [SUBMIT_INTAKE],
}

# Roles that may log in to the administration site (with ACCESS_ADMIN from the table above).
ADMIN_ROLES = {Role.SUPERVISOR, Role.MANAGER}

# Where each role starts, most senior first: a user with several roles lands on the first match.
LANDING_PAGES: list[tuple[str, str]] = [
    (Role.MANAGER, "interventions:summary"),
    (Role.SUPERVISOR, "interventions:queue"),
    (Role.SPECIALIST, "interventions:queue"),
    (Role.MERCHANT_STAFF, "orders:merchant_home"),
    (Role.POLICE_LIAISON, "interventions:liaison_home"),
]


def landing_page_for(user) -> str | None:
    """The URL name of the user's start page, or None for a user with no portal role."""
    for role, url_name in LANDING_PAGES:
        if user.has_role(role):
            return url_name
    return None
