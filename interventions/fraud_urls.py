"""The anti-fraud desk's pages on cases and indicators, under /fraud/ and the "fraud" names."""

from django.urls import path

from .views import rings as views

app_name = "fraud"

urlpatterns = [
    path("cases/<int:pk>/ring/", views.ring, name="ring"),
    path("cases/<int:pk>/ring/export.<str:file_format>", views.ring_export, name="ring_export"),
    path("cases/<int:pk>/ring/<str:action>/", views.ring_act, name="ring_act"),
    path("cases/<int:pk>/indicators/", views.case_indicator_add_view, name="case_indicator_add"),
    path("indicators/<int:pk>/", views.indicator, name="indicator"),
    path("indicators/<int:pk>/<str:action>/", views.indicator_act, name="indicator_act"),
]
