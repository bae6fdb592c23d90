from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

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
    list_display = ["account_ref", "nickname", "phone_masked", "region", "time_zone"]
    search_fields = ["account_ref", "nickname"]
    autocomplete_fields = ["region"]


@admin.register(Order)
class OrderAdmin(SimpleHistoryAdmin):
    list_display = ["external_ref", "merchant", "product", "quantity", "status", "ordered_at"]
    list_filter = ["status", "product__risk_category"]
    search_fields = ["external_ref", "tracking_no"]
    raw_id_fields = ["buyer", "merchant", "product", "region"]
    date_hierarchy = "ordered_at"
