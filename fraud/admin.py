from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import DissuasionScript, Indicator, OfficialDomain, Sighting


class SightingInline(admin.TabularInline):
    model = Sighting
    extra = 0
    raw_id_fields = ["alert", "case", "created_by"]
    readonly_fields = ["seen_at"]


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "value", "first_seen_at", "blocked_at"]
    list_filter = ["kind", "blocked_at"]
    search_fields = ["value"]
    raw_id_fields = ["created_by"]
    inlines = [SightingInline]

    def has_add_permission(self, request, obj=None) -> bool:
        # Indicators are added from alerts and cases, whose services normalise the value.
        return False


@admin.register(OfficialDomain)
class OfficialDomainAdmin(SimpleHistoryAdmin):
    """Our domains: links imitating them are flagged as phishing."""

    list_display = ["domain", "note"]
    search_fields = ["domain"]


@admin.register(DissuasionScript)
class DissuasionScriptAdmin(SimpleHistoryAdmin):
    list_display = ["scam_type"]
