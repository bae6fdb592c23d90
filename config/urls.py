from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from accounts.urls import allauth_patterns
from fraud.api import BlocklistCheckView, IndicatorLookupView
from interventions.api import AlertViewSet, CaseViewSet, IntakeMessagesView, IntakeOrdersView, PoliceUnitViewSet
from interventions.views import health
from orders.api import MerchantViewSet, OrderViewSet

api = SimpleRouter(trailing_slash=False)
api.register("alerts", AlertViewSet, basename="api-alert")
api.register("cases", CaseViewSet, basename="api-case")
api.register("orders", OrderViewSet, basename="api-order")
api.register("merchants", MerchantViewSet, basename="api-merchant")
api.register("police-units", PoliceUnitViewSet, basename="api-police-unit")

handler404 = "config.api.not_found"
handler500 = "config.api.server_error"

urlpatterns = [
    path("", include("accounts.urls")),
    *allauth_patterns,
    path("", include("interventions.urls")),
    path("", include("interventions.merchant_urls")),
    path("fraud/", include("interventions.fraud_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/intake/messages", IntakeMessagesView.as_view(), name="api-intake-messages"),
    path("api/v1/intake/orders", IntakeOrdersView.as_view(), name="api-intake-orders"),
    path("api/v1/indicators/lookup", IndicatorLookupView.as_view(), name="api-indicator-lookup"),
    path("api/v1/blocklist/check", BlocklistCheckView.as_view(), name="api-blocklist-check"),
    path("api/v1/", include(api.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", health, name="health"),
]
