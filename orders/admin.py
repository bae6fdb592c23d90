from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.crypto import phone_index, phone_normalise

from .models import Buyer, Merchant, MerchantMembership, Order, Product, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


class MerchantMembershipInline(admin.TabularInline):
    model = MerchantMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Merchant)
class MerchantAdmin(SimpleHistoryAdmin):
    list_display = ["name", "external_ref", "emergency_contact_name", "emergency_phone", "region", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "external_ref"]
    autocomplete_fields = ["region"]
    inlines = [MerchantMembershipInline]


@admin.register(MerchantMembership)
class MerchantMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "merchant", "is_admin"]
    raw_id_fields = ["user", "merchant"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "merchant", "external_ref", "risk_category"]
    list_filter = ["risk_category"]
    search_fields = ["name", "external_ref"]
    raw_id_fields = ["merchant"]


@admin.register(Buyer)
class BuyerAdmin(admin.ModelAdmin):
    """Masked contact details only: the full phone and address are revealed in the portal, from an
    alert or a case, with a purpose that the access log keeps. They come from the platform
    (intake), so they are not edited here either."""

    list_display = ["account_ref", "nickname", "phone_masked", "address_masked", "region", "time_zone"]
    search_fields = ["account_ref", "nickname"]
    autocomplete_fields = ["region"]
    fields = ["account_ref", "nickname", "phone_masked", "address_masked", "region", "time_zone", "created_at"]
    readonly_fields = ["phone_masked", "address_masked"]

    @admin.display(description=_("phone (masked)"))
    def phone_masked(self, buyer: Buyer) -> str:
        return buyer.phone_masked

    @admin.display(description=_("address (to the district)"))
    def address_masked(self, buyer: Buyer) -> str:
        return buyer.address_masked

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("region__parent__parent")

    def get_search_results(self, request, queryset, search_term):
        # A phone number is found through its blind index, however it is written.
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if len(phone_normalise(search_term)) >= 7:
            results |= queryset.filter(phone_index=phone_index(search_term))
        return results, may_have_duplicates


@admin.register(Order)
class OrderAdmin(SimpleHistoryAdmin):
    list_display = ["external_ref", "merchant", "product", "quantity", "status", "ordered_at"]
    list_filter = ["status", "product__risk_category"]
    search_fields = ["external_ref", "tracking_no"]
    raw_id_fields = ["buyer", "merchant", "product", "region"]
    date_hierarchy = "ordered_at"
