from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from interventions.views import health

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("interventions.urls")),
    path("", include("orders.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("healthz", health, name="health"),
]
