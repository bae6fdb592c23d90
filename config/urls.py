from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from interventions.api import IntakeMessagesView, IntakeOrdersView
from interventions.views import health

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("interventions.urls")),
    path("", include("orders.urls")),
    path("fraud/", include("fraud.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/intake/messages", IntakeMessagesView.as_view(), name="api-intake-messages"),
    path("api/v1/intake/orders", IntakeOrdersView.as_view(), name="api-intake-orders"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("healthz", health, name="health"),
]
