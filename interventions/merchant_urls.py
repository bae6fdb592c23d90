"""The merchant portal's pages, under /merchant/ and the "orders" names shops' links have always used."""

from django.urls import path

from .views import merchant_portal as views

app_name = "orders"

urlpatterns = [
    path("merchant/", views.merchant_home, name="merchant_home"),
    path("merchant/reports/new/", views.report_new, name="report_new"),
    path("merchant/reports/", views.reports, name="reports"),
    path("merchant/reports/<int:pk>/", views.report, name="report"),
    path("merchant/reports/<int:pk>/status/", views.report_status, name="report_status"),
    path("merchant/reports/<int:pk>/notes/", views.report_note, name="report_note"),
    path("merchant/interceptions/", views.interceptions, name="interceptions"),
    path("merchant/interceptions/<int:pk>/answer/", views.interception_answer, name="interception_answer"),
    path("merchant/staff/", views.staff, name="staff"),
    path("merchant/staff/second-factor/", views.staff_second_factor, name="staff_second_factor"),
    path("merchant/staff/<int:pk>/<str:action>/", views.staff_act, name="staff_act"),
    path("screenshots/<int:pk>/", views.attachment, name="attachment"),
]
