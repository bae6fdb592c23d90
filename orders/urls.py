from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("merchant/", views.merchant_home, name="merchant_home"),
]
