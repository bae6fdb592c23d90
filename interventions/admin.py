from django.contrib import admin
from django.utils.translation import gettext as _
from django_celery_beat.admin import PeriodicTaskAdmin as BeatPeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Alert,
    Case,
    CaseEvent,
    DutyShift,
    Heartbeat,
    Message,
    Notification,
    Playbook,
    PoliceLiaison,
    PoliceUnit,
    ScanTerm,
    WebhookDelivery,
    WebhookSubscription,
)
from .services import webhooks_resend


class ReadOnlyAdmin(admin.ModelAdmin):
    """Alerts, cases and messages are worked in the console, whose services write the timeline;
    the admin only shows them, so no change escapes the audit trail."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PoliceUnit)
class PoliceUnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "region", "phone_24h", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "region__name"]
    autocomplete_fields = ["region"]


@admin.register(PoliceLiaison)
class PoliceLiaisonAdmin(SimpleHistoryAdmin):
    list_display = ["user", "unit"]
    autocomplete_fields = ["user", "unit"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["source", "external_id", "buyer", "sent_at", "scanned_at"]
    list_filter = ["source"]
    search_fields = ["external_id"]
    raw_id_fields = ["buyer", "merchant", "order"]
    date_hierarchy = "sent_at"


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["id", "desk", "severity", "status", "summary", "created_at", "sla_due_at", "claimed_by"]
    list_filter = ["desk", "severity", "status", "source"]
    search_fields = ["summary"]
    raw_id_fields = ["buyer", "merchant", "order", "case", "raised_by", "claimed_by"]
    date_hierarchy = "created_at"


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "actor", "kind", "payload"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["reference", "desk", "title", "risk_level", "status", "owner", "opened_at"]
    list_filter = ["desk", "status", "risk_level", "tier"]
    search_fields = ["title"]
    raw_id_fields = ["buyer", "owner", "opened_by"]
    inlines = [CaseEventInline]
    date_hierarchy = "opened_at"


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["name", "last_beat_at", "worker"]


@admin.register(ScanTerm)
class ScanTermAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    """The scanner's term lists, to read. They change on the portal's scanner page: proposed,
    backtested on the corpus and on the last 30 days of messages, then published."""

    list_display = ["phrase", "category", "weight", "goods", "is_active", "note", "updated_at"]
    list_filter = ["category", "is_active", "weight", "goods"]
    search_fields = ["phrase", "note"]


@admin.register(Playbook)
class PlaybookAdmin(SimpleHistoryAdmin):
    """Short step lists per kind of case. Steps are a JSON list of short instructions, in order."""

    list_display = ["name", "desk", "is_active"]
    list_filter = ["desk", "is_active"]


@admin.register(DutyShift)
class DutyShiftAdmin(SimpleHistoryAdmin):
    """The on-duty rota: who the escalations page for each desk, as supervisor or desk lead."""

    list_display = ["desk", "role", "user", "starts_at", "ends_at"]
    list_filter = ["desk", "role"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["user"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The outbox, to see what was sent to whom and what failed; written only by the reminders."""

    list_display = ["created_at", "recipient", "channel", "kind", "status", "attempts", "last_error"]
    list_filter = ["channel", "kind", "status"]
    search_fields = ["key", "recipient__email"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(SimpleHistoryAdmin):
    """Which receiver gets which events. The secret is shared with the receiver, who checks
    each delivery's X-Shouhu-Signature with it."""

    list_display = ["integration", "url", "events", "is_active", "created_at"]
    list_filter = ["is_active"]
    raw_id_fields = ["integration"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """Every delivery with its status, tries and last response code; failed ones can be sent again."""

    list_display = ["created_at", "event", "event_id", "subscription", "status", "attempts", "response_code"]
    list_filter = ["status", "event"]
    search_fields = ["event_id"]
    actions = ["send_again"]

    @admin.action(description=_("Send again"), permissions=["view"])
    def send_again(self, request, queryset) -> None:
        count = webhooks_resend(deliveries=list(queryset))
        self.message_user(request, _("%(n)d deliveries will be sent again.") % {"n": count})


def _for_who_may_change(name: str):
    """django-celery-beat's action `name`, offered only to whoever may change the schedule."""
    shipped = getattr(BeatPeriodicTaskAdmin, name)

    def action(self, request, queryset):
        return shipped(self, request, queryset)

    action.__name__ = name
    return admin.action(description=shipped.short_description, permissions=["change"])(action)


class PeriodicTaskAdmin(BeatPeriodicTaskAdmin):
    """django-celery-beat's own, with its actions (enable, disable, toggle, run now) offered only to
    whoever may change the schedule. As shipped they name no permission, so anyone who may see the
    list could switch off the sweeps that page the desk and send the check-ins."""

    enable_tasks = _for_who_may_change("enable_tasks")
    disable_tasks = _for_who_may_change("disable_tasks")
    toggle_tasks = _for_who_may_change("toggle_tasks")
    run_tasks = _for_who_may_change("run_tasks")


admin.site.unregister(PeriodicTask)
admin.site.register(PeriodicTask, PeriodicTaskAdmin)
