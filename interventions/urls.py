from django.urls import path

from . import views

app_name = "interventions"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("alerts/new/", views.alert_new, name="alert_new"),
    path("summary/", views.summary, name="summary"),
    path("liaison/", views.liaison_home, name="liaison_home"),
]
